/**
 * Runs one hps search in process, the way the scheduler and workers do it, with one slot
 * (parallelism 1, like the Optuna studies): trials planned one at a time from the round's
 * finished trials (`planTrials`: TPE models them, random ignores them), each epoch judged by the
 * strategy's pruner against the round's other curves so far (`stopRuleFor`), rounds narrowed
 * with `planNextSpace`, the search ranked like with like (`rankTrials` with epoch budgets).
 * This drives packages/search + core directly — NOT the HTTP API (see README in this folder).
 */
import type { Assignment, SearchSpec, Space, StopReason, TrialStatus } from "@hps/contracts";
import { planNextSpace, planTrials, rankTrials, resolveRounds, roundSize, stopRuleFor, type RoundTrial } from "@hps/search";
import { trainConfig } from "./train-config.ts";

interface Done {
  id: string;
  status: TrialStatus;
  stopReason: StopReason | null;
  params: Assignment;
  objective: number | null;
  curve: (number | null)[];
  budget: number;
}

export interface SearchOutcome {
  /** The rank-1 trial's val accuracy (null if no trial completed). */
  best: number | null;
  /** Epochs trained by all trials. */
  epochs: number;
  pruned: number;
  diverged: number;
}

export function runHpsSearch(spec: SearchSpec, trainingEpochs: number): SearchOutcome {
  const rounds = resolveRounds(spec.strategy, trainingEpochs);
  const goal = spec.objective.goal;
  let space: Space = spec.space;
  const all: Done[] = [];
  rounds.forEach((round, r) => {
    const mine: Done[] = [];
    const rule = spec.strategy.pruner ? stopRuleFor(spec.strategy.pruner, round.epochs) : null;
    const n = roundSize(spec.strategy, space, r);
    for (let i = 0; i < n; i++) {
      const ranked = rankTrials(mine, spec.objective);
      const byId = new Map(mine.map((t) => [t.id, t]));
      const history = ranked.map((x) => ({ params: byId.get(x.id)!.params }));
      const [params] = planTrials(spec, { round: r, firstIndex: i, count: 1, history }, space, spec.seed);
      const curve: (number | null)[] = [];
      const others = mine.map((t) => t.curve);
      const t = trainConfig(spec, params!, round.epochs, (_e, v) => {
        curve.push(v);
        return !(rule && rule.shouldPrune({ curve, others, goal }).prune);
      });
      const completed = t.status === "completed";
      mine.push({
        id: `r${r}-${String(i).padStart(4, "0")}`,
        status: t.status,
        stopReason: t.stopReason as StopReason | null,
        params: params!,
        objective: completed || t.stopReason === "pruned" ? t.valAccuracy : null,
        curve: t.curve,
        budget: round.epochs,
      });
    }
    all.push(...mine);
    if (r + 1 < rounds.length) {
      const trials: RoundTrial[] = mine.map((t) => ({ id: t.id, status: t.status, stopReason: t.stopReason, params: t.params, objective: t.status === "completed" ? t.objective : null }));
      space = planNextSpace(spec, space, trials, { keepFraction: round.keepFraction }).space;
    }
  });
  const top = rankTrials(all, spec.objective)[0];
  const best = all.find((t) => t.id === top?.id);
  return {
    best: best && best.status === "completed" ? best.objective : null,
    epochs: all.reduce((s, t) => s + t.curve.length, 0),
    pruned: all.filter((t) => t.stopReason === "pruned").length,
    diverged: all.filter((t) => t.stopReason === "loss_exploded" || t.stopReason === "non_finite").length,
  };
}
