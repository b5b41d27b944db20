import { z } from "zod";

/** What a search spent, in epochs (GET /v1/searches/:id `budget`). */
export const SearchBudget = z.strictObject({
  epochsRun: z.int().min(0).describe("Epochs the search's trials have trained so far."),
  epochsFullBudget: z.int().min(0).describe("Epochs those trials would have trained had each run its round's epochs in full."),
  savedByDivergence: z.int().min(0).describe("Epochs not trained because a trial diverged (loss_exploded, non_finite) and stopped early."),
  savedByPruning: z.int().min(0).describe('Epochs not trained because the pruner stopped a trial (stopReason "pruned").'),
});
export type SearchBudget = z.infer<typeof SearchBudget>;

/** Search-level babysitting advice, one sentence each, updated at each round's end. */
export const SearchDiagnostics = z.array(z.string()).describe("Search-level advice (CS231n's babysitting rules), e.g. how many trials diverged and where.");
export type SearchDiagnostics = z.infer<typeof SearchDiagnostics>;
