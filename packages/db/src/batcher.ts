/**
 * Group commit for the worker's per-trial statements: calls that arrive while earlier batches
 * are in flight (or in the same event-loop turn) are sent together as ONE statement over many
 * rows. An idle process pays no delay (a lone call goes out on the next turn); a busy one pays
 * one statement — one round trip, one plan, one run of the trials triggers, one NOTIFY — per
 * batch instead of per trial, which was most of what a no-op trial cost (bench:dispatch).
 *
 * Semantics per item stay those of the single-row statement: each row carries its own guard
 * (fencing token), and `run` returns one result per item. Two items with the same key (one
 * trial delivered twice to this process) never share a batch: the second waits for the next,
 * so it sees the first one's write exactly as two separate statements would. If a batch
 * rejects, each of its items is retried alone (`runOne`), so one bad row cannot fail others.
 *
 * No existing library fits: DataLoader batches per tick but does not bound batches in flight
 * nor keep duplicate keys apart without caching results (wrong for writes).
 */

export interface BatcherOptions<I, O> {
  /** Runs a batch as one statement; resolves one result per item, in order. */
  run(items: I[]): Promise<O[]>;
  /** Identity of an item: items with equal keys are never in one batch. */
  key(item: I): string;
  /** Largest batch (default 64). */
  maxBatch?: number;
  /** Batches in flight at once (default 2): more calls wait and join the next batch. */
  maxInFlight?: number;
}

interface Pending<I, O> {
  item: I;
  resolve(o: O): void;
  reject(err: unknown): void;
}

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(private readonly opts: BatcherOptions<I, O>) {
    this.maxBatch = opts.maxBatch ?? 64;
    this.maxInFlight = opts.maxInFlight ?? 2;
    if (!(Number.isInteger(this.maxBatch) && this.maxBatch >= 1)) throw new RangeError(`maxBatch must be an integer ≥ 1 (got ${opts.maxBatch})`);
    if (!(Number.isInteger(this.maxInFlight) && this.maxInFlight >= 1)) throw new RangeError(`maxInFlight must be an integer ≥ 1 (got ${opts.maxInFlight})`);
  }

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate: calls made in this turn (e.g. jobs delivered by one Redis reply) join the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.send();
    });
  }

  private send(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch: Pending<I, O>[] = [];
      const keys = new Set<string>();
      const rest: Pending<I, O>[] = [];
      for (const p of this.queue) {
        const k = this.opts.key(p.item);
        if (batch.length < this.maxBatch && !keys.has(k)) {
          keys.add(k);
          batch.push(p);
        } else rest.push(p);
      }
      this.queue = rest;
      this.inFlight++;
      void this.runBatch(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async runBatch(batch: Pending<I, O>[]): Promise<void> {
    try {
      const out = await this.opts.run(batch.map((p) => p.item));
      if (out.length !== batch.length) throw new Error(`batch returned ${out.length} results for ${batch.length} items`);
      batch.forEach((p, i) => p.resolve(out[i]!));
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // Isolate the failure: each item alone, as if it had never been batched.
      await Promise.all(
        batch.map((p) =>
          this.opts.run([p.item]).then(
            (o) => p.resolve(o[0]!),
            (e: unknown) => p.reject(e),
          ),
        ),
      );
    }
  }
}
