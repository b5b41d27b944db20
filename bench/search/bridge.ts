/**
 * The Optuna bridge: a long-lived node process that trains configs with our core for
 * optuna_search.py. Line protocol on stdin/stdout (JSON, one object a line):
 *   in : {"problem": "mnist", "seed": 3, "params": {"training.learningRate": 0.01, …}, "epochs": 4}
 *   out: {"epoch": 1, "value": 0.91}          after each epoch, then waits for
 *   in : {"prune": false}                     (true stops the trial there)
 *   out: {"done": true, "status": "completed" | "stopped", "stopReason": …, "value": 0.92, "epochs": 4}
 * stdin is read synchronously (fs.readSync) because the core's training loop is synchronous and
 * the pruning answer is needed inside its epoch callback.
 */
import { readSync, writeSync } from "node:fs";
import { problems, specFor } from "./problems.ts";
import { trainConfig } from "./train-config.ts";

let pending = "";
function readLine(): string | null {
  const buf = Buffer.alloc(65536);
  for (;;) {
    const nl = pending.indexOf("\n");
    if (nl >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      return line;
    }
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") continue;
      throw e;
    }
    if (n === 0) return null;
    pending += buf.subarray(0, n).toString("utf8");
  }
}
const send = (o: unknown) => writeSync(1, JSON.stringify(o) + "\n");

const byName = new Map(problems().map((p) => [p.name, p]));
for (let line = readLine(); line !== null; line = readLine()) {
  if (line.trim() === "") continue;
  const req = JSON.parse(line) as { problem: "mnist" | "spiral"; seed: number; params: Record<string, unknown>; epochs: number };
  const problem = byName.get(req.problem)!;
  const spec = specFor(problem, req.seed, { type: "random", trials: 1 });
  const r = trainConfig(spec, req.params, req.epochs, (epoch, value) => {
    send({ epoch, value });
    const answer = readLine();
    return !(answer && (JSON.parse(answer) as { prune?: boolean }).prune);
  });
  send({ done: true, status: r.status, stopReason: r.stopReason, value: r.valAccuracy, epochs: r.curve.length });
}
