/** The Polyak average's update (WebAssembly, wat/ema.ts), bit-identical to its twin in ema-ref.ts. */
import { arenaAddress, kernels } from "./arena.ts";
import { emaUpdateRef } from "./ema-ref.ts";

/** See emaUpdateRef. Runs the twin unless both arrays are arena views (`allocFloat64`, `alloc`). */
export function emaUpdate(ema: Float64Array, w: Float32Array, n: number, d: number): void {
  if (!(n >= 0 && ema.length >= n && w.length >= n)) throw new RangeError(`emaUpdate: needs ${n} values, has ${ema.length} and ${w.length}`);
  const pe = arenaAddress(ema, 0), pw = arenaAddress(w, 0);
  if (pe < 0 || pw < 0) return emaUpdateRef(ema, w, n, d);
  kernels.emaUpdate(pe, pw, n, d);
}
