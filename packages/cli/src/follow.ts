/** `hps submit --follow`: a live bar of finished/total trials and the best so far, until the search is final. */
import { SingleBar } from "cli-progress";
import type { HpsClient } from "@hps/client";
import type { SearchStatus } from "@hps/contracts";

const FINAL: readonly SearchStatus[] = ["completed", "failed", "cancelled"];

export async function followSearch(client: HpsClient, id: string, everyMs = 1000): Promise<SearchStatus> {
  // Off a terminal (CI, pipes) the bar still prints, one line per update.
  const bar = new SingleBar({ format: "{bar} {value}/{total} trials | best {best} | {status}", stream: process.stdout, noTTYOutput: !process.stdout.isTTY, notTTYSchedule: everyMs, hideCursor: true });
  bar.start(0, 0, { best: "-", status: "queued" });
  try {
    for (;;) {
      const s = await client.getSearch(id);
      const c = s.counts;
      const finished = c.completed + c.stopped + c.failed + c.cancelled;
      const best = s.best?.metrics?.valAccuracy;
      bar.setTotal(Math.max(c.total, finished));
      bar.update(finished, { best: best === undefined || best === null ? "-" : best.toFixed(4), status: s.status });
      if (FINAL.includes(s.status)) {
        bar.stop();
        process.stdout.write(`search ${id} ${s.status}${s.best ? `: best trial ${s.best.id} valAccuracy ${s.best.metrics?.valAccuracy}` : ""}${s.error ? ` (${s.error})` : ""}\n`);
        return s.status;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  } finally {
    bar.stop();
  }
}
