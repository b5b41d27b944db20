import { z } from "zod";
import { isConfigPath, MAX_TRIALS, Pruner } from "./search-spec.ts";
import { Space } from "./space.ts";
import { SearchStatus } from "./states.ts";

/**
 * The body of `POST /v1/searches/:id/rounds`: the user's own next round, appended after the
 * search's current round (and after rounds appended before it). It takes the place of the
 * automatic round of that index: its space is not narrowed by the scheduler.
 */
export const RoundEdit = z
  .strictObject({
    space: Space.optional().describe(
      "Dimensions to search in this round, written over the previous round's space (a path given replaces that dimension, a new path adds one; the others are kept as they are). Default: the previous round's space unchanged.",
    ),
    trials: z.int().min(1).max(MAX_TRIALS).optional().describe("Trials of this round. Default: the strategy's `trials` (a grid: the grid's size)."),
    epochs: z.int().min(1).max(1000).optional().describe("Epochs each trial of this round trains. Default: `training.epochs`."),
    pruner: Pruner.nullable().optional().describe("The round's pruner; null for none. Default: the strategy's `pruner`."),
  })
  .superRefine((edit, ctx) => {
    for (const path of Object.keys(edit.space ?? {})) {
      if (!isConfigPath(path)) ctx.addIssue({ code: "custom", path: ["space", path], message: `unknown config path "${path}"` });
    }
  });
export type RoundEdit = z.infer<typeof RoundEdit>;

/** A user's round as stored: every default resolved, its whole space, and why each dimension is what it is. */
export const StoredRoundEdit = z.object({
  index: z.int(),
  space: Space,
  /** Trials of the round (a grid: its size over `space`). */
  trials: z.int(),
  epochs: z.int(),
  pruner: Pruner.nullable(),
  /** path → reason (every reason says the user edited the round). */
  reasons: z.record(z.string(), z.string()),
});
export type StoredRoundEdit = z.infer<typeof StoredRoundEdit>;

/** The answer to an accepted edit: the round as it will run, and the search's status after it (a completed search runs again). */
export const AppendedRound = StoredRoundEdit.extend({ searchId: z.uuid(), searchStatus: SearchStatus });
export type AppendedRound = z.infer<typeof AppendedRound>;
