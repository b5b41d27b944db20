import { allocFloat64, emaUpdate } from "../kernels/index.ts";
import type { Param } from "../layer.ts";
import type { Sequential } from "../model/sequential.ts";

/**
 * Polyak averaging (CS231n lecture 7: "model ensembles" tip): an exponential moving average of the
 * parameters, ema = d·ema + (1 − d)·w after every update. The average starts at 0 and is read with
 * Adam-style bias correction, avg = ema / (1 − d^t), so it is a weighted mean of the iterates only
 * (the random init does not linger for ~1/(1 − d) steps). Batch-norm running statistics are not
 * averaged: evaluation with the averaged weights uses the running statistics of the trained weights.
 * Arithmetic in float64 so small (1 − d) does not lose the updates to float32 rounding. The average
 * lives in the arena, one float64 slice per param (params() order), and each step's update reads
 * the params in place (WebAssembly emaUpdate, bit-identical to its twin).
 */
export class PolyakAverage {
  private readonly ema: Float64Array;
  /** Each param with its slice of ema (made once: no allocation per step). */
  private readonly slices: { p: Param; ema: Float64Array }[];
  private readonly scratch: Float32Array;
  private readonly saved: Float32Array;
  private t = 0;

  constructor(private readonly model: Sequential, readonly decay: number) {
    if (!(decay > 0 && decay < 1)) throw new RangeError(`polyakDecay must be in (0, 1), got ${decay}`);
    const n = model.paramCount();
    this.ema = allocFloat64(n);
    let o = 0;
    this.slices = model.params().map((p) => {
      const ema = this.ema.subarray(o, o + p.value.length);
      o += p.value.length;
      return { p, ema };
    });
    this.scratch = new Float32Array(n);
    this.saved = new Float32Array(n);
  }

  /** Folds the current parameters into the average (call after each optimiser step). */
  update(): void {
    for (const { p, ema } of this.slices) emaUpdate(ema, p.value, ema.length, this.decay);
    this.t++;
  }

  /** Number of updates folded in. */
  get count(): number {
    return this.t;
  }

  /** The bias-corrected average into `out` (or the current params if nothing was folded in yet). */
  average(out: Float32Array): Float32Array {
    if (this.t === 0) return this.model.paramValues(out);
    const c = 1 / (1 - this.decay ** this.t);
    for (let i = 0; i < out.length; i++) out[i] = this.ema[i] * c;
    return out;
  }

  /** Runs fn with the averaged parameters swapped into the model, then restores the trained ones. */
  withAveraged<T>(fn: () => T): T {
    this.model.paramValues(this.saved);
    this.model.setParamValues(this.average(this.scratch));
    try {
      return fn();
    } finally {
      this.model.setParamValues(this.saved);
    }
  }

  /** Leaves the averaged parameters in the model (at the end of training). */
  commit(): void {
    this.model.setParamValues(this.average(this.scratch));
  }
}
