import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { KERNEL_MODES, type KernelSide, copyOf, randomArray } from "../test-kit.ts";
import { allocFloat64 } from "./arena.ts";
import { emaUpdate } from "./ema.ts";
import { emaUpdateRef } from "./ema-ref.ts";

describe("emaUpdate (WebAssembly) against its TypeScript twin, and the fallback against the kernel", () => {
  for (const { where, subject, reference } of KERNEL_MODES) {
    it(`is bit-identical over repeated updates, ${where}`, () => {
      for (const n of [1, 2, 3, 8, 101]) {
        const run = (side: KernelSide) => {
          const rng = new Rng(n);
          const ema = side.arena ? allocFloat64(n) : new Float64Array(n);
          for (let step = 0; step < 5; step++) {
            const w = copyOf(randomArray(rng, n, false), side.arena);
            (side.twin ? emaUpdateRef : emaUpdate)(ema, w, n, 0.999);
          }
          return Array.from(ema);
        };
        const a = run(subject);
        expect(a).toEqual(run(reference));
        expect(a.some((v) => v !== 0)).toBe(true);
      }
    });
  }
});
