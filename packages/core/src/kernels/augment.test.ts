import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { KERNEL_MODES, type KernelSide, copyOf, randomArray } from "../test-kit.ts";
import { augmentSample } from "./augment.ts";
import { augmentSampleRef } from "./augment-ref.ts";

describe("augmentSample (WebAssembly) against its TypeScript twin, and the fallback against the kernel", () => {
  for (const { where, subject, reference } of KERNEL_MODES) {
    it(`shifts, mirrors and brightens bit-identically (shifts past the edges included), ${where}`, () => {
      const rng = new Rng(12);
      for (const [C, H, W] of [[1, 4, 4], [3, 5, 7], [1, 28, 28]] as const) {
        const n = C * H * W;
        const x0 = randomArray(rng, 2 * n, false);
        for (const dx of [-W, -2, 0, 1, W - 1]) {
          for (const dy of [-1, 0, 3, H]) {
            for (const mirror of [false, true]) {
              const a = { dx, dy, mirror, shift: mirror ? 0.1 * (2 * rng.uniform() - 1) : 0 };
              const run = (side: KernelSide) => {
                const [x, out] = [x0, x0].map((v) => copyOf(v, side.arena)) as Float32Array[];
                (side.twin ? augmentSampleRef : augmentSample)(x!, n, out!, 0, C, H, W, a); // the second sample into the first slot
                return Array.from(out!);
              };
              expect(run(subject), `[${C},${H},${W}] ${JSON.stringify(a)}`).toEqual(run(reference));
            }
          }
        }
      }
    });
  }
});
