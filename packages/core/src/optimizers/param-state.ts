import { alloc } from "../kernels/index.ts";
import type { Param } from "../layer.ts";

/**
 * Per-parameter optimiser state: `slots` zeroed buffers of the param's length (e.g. Adam's m and v),
 * allocated from `alloc` on the first step that sees the param and reused afterwards, so the
 * steady state allocates nothing. Keyed by the Param object itself.
 */
export class ParamState {
  private readonly map = new Map<Param, Float32Array[]>();

  constructor(private readonly slots: number) {}

  get(p: Param): Float32Array[] {
    let s = this.map.get(p);
    if (s === undefined) {
      s = [];
      for (let i = 0; i < this.slots; i++) s.push(alloc(p.value.length));
      this.map.set(p, s);
    }
    return s;
  }
}
