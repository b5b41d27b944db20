/**
 * One hps search through the real API: POST the spec with @hps/client, poll GET /v1/searches/:id
 * until it is final, and read what the API says it found and spent — the best trial's val
 * accuracy and budget.epochsRun — plus how its trials ended (the stopped trials' stopReasons).
 */
import type { SearchSpecInput } from "@hps/contracts";
import type { HpsClient } from "@hps/client";

export interface SearchOutcome {
  /** The best (rank-1, completed) trial's val accuracy; null if the search found none. */
  best: number | null;
  /** budget.epochsRun: epochs all its trials trained. */
  epochs: number;
  pruned: number;
  diverged: number;
  trials: number;
}

export async function runApiSearch(client: HpsClient, spec: SearchSpecInput, opts: { pollMs?: number; timeoutMs?: number } = {}): Promise<SearchOutcome> {
  const deadline = Date.now() + (opts.timeoutMs ?? 3_600_000);
  const { id } = await client.submitSearch(spec);
  for (;;) {
    const s = await client.getSearch(id);
    if (s.status === "completed" || s.status === "failed" || s.status === "cancelled") {
      if (s.status === "cancelled") throw new Error(`search ${id} was cancelled`);
      let pruned = 0;
      let diverged = 0;
      for (let cursor: string | undefined; ; ) {
        const page = await client.listTrials(id, { status: "stopped", limit: 200, ...(cursor ? { cursor } : {}) });
        for (const t of page.items) {
          if (t.stopReason === "pruned") pruned++;
          else if (t.stopReason === "loss_exploded" || t.stopReason === "non_finite") diverged++;
        }
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      const best = s.status === "completed" ? (s.best?.metrics?.valAccuracy ?? null) : null;
      return { best, epochs: s.budget.epochsRun, pruned, diverged, trials: s.counts.total };
    }
    if (Date.now() > deadline) throw new Error(`search ${id} did not finish in time (status ${s.status})`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
  }
}
