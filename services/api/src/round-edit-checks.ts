/**
 * A user's round (POST /v1/searches/:id/rounds) validated like a spec: the round is written
 * into the stored spec as a one-round search (the previous round's space with the edit's
 * dimensions written over, the round's epochs, trials and pruner), then that spec goes
 * through the same zod schema (400: each value valid for its field) and the same feasibility
 * checks as a submission (422: grid size cap, architecture, dataset, memory budget). Issue
 * paths are the body's: `space.<key>…`, `trials`, `epochs`, `pruner…`.
 */
import { SearchSpec, Space, type Issue, type RoundEdit } from "@hps/contracts";
import type { Db, ResolvedRoundEdit, RoundEditContext } from "@hps/db";
import { uploadedMeta } from "./dataset-meta.ts";
import { UnprocessableSpec } from "./errors.ts";
import { checkSpec, type SpecCheckOptions } from "./spec-checks.ts";
import { RequestValidationError, toIssues } from "./validation.ts";

export const EDITED_REASON = "edited by the user";

export async function resolveRoundEdit(
  edit: RoundEdit,
  ctx: RoundEditContext,
  opts: { db: Pick<Db, "datasets">; specChecks: SpecCheckOptions },
): Promise<ResolvedRoundEdit> {
  const stored = SearchSpec.parse(ctx.spec);
  if (stored.strategy.type === "grid" && edit.trials !== undefined) {
    throw new RequestValidationError("body", [{ path: "trials", message: "a grid search's round has no trials: its size is its grid's" }], false);
  }
  const previous = Space.parse(ctx.previousSpace);
  const space = { ...previous, ...edit.space };
  const pruner = edit.pruner === undefined ? (stored.strategy.pruner ?? null) : edit.pruner;
  const { pruner: _spec, ...strategy } = stored.strategy;
  const candidate = {
    ...stored,
    space,
    training: { ...stored.training, epochs: edit.epochs ?? stored.training.epochs },
    strategy: { ...strategy, rounds: 1, ...(edit.trials !== undefined ? { trials: edit.trials } : {}), ...(pruner ? { pruner } : {}) },
  };
  const parsed = SearchSpec.safeParse(candidate);
  if (!parsed.success) throw new RequestValidationError("body", toIssues(parsed.error.issues).map(toBodyIssue), false);
  const spec = parsed.data;
  const datasetMeta = await uploadedMeta(opts.db, spec.dataset);
  let plan;
  try {
    plan = checkSpec(spec, { ...opts.specChecks, ...(datasetMeta ? { datasetMeta } : {}) });
  } catch (err) {
    if (err instanceof UnprocessableSpec) throw new UnprocessableSpec(err.issues.map(toBodyIssue));
    throw err;
  }
  const given = new Set(Object.keys(edit.space ?? {}));
  const reasons: Record<string, string> = {};
  for (const path of Object.keys(space)) {
    reasons[path] = given.has(path) ? EDITED_REASON : `${EDITED_REASON}: kept as in round ${ctx.index - 1} (a round the user appended is not narrowed)`;
  }
  if (Object.keys(space).length === 0) reasons["space"] = `${EDITED_REASON}: no dimensions`;
  return { space: spec.space, trials: plan.trialsPerRound, epochs: spec.training.epochs, pruner: spec.strategy.pruner ?? null, reasons };
}

/** A path of the one-round spec → the body's field it came from. */
function toBodyIssue(i: Issue): Issue {
  const at = (from: string, to: string) => (i.path === from || i.path.startsWith(`${from}.`) ? to + i.path.slice(from.length) : null);
  const path = at("training.epochs", "epochs") ?? at("strategy.trials", "trials") ?? at("strategy.pruner", "pruner") ?? at("strategy", "space") ?? i.path;
  return { ...i, path };
}
