import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { KERNEL_MODES, type KernelSide, copyOf, maxRelDiff, randomArray } from "../test-kit.ts";
import { channelsToSamplesAct, samplesToChannelsAct } from "./conv-epilogue.ts";
import { channelsToSamplesActRef, samplesToChannelsActRef } from "./conv-epilogue-ref.ts";
import type { Activation } from "./fused-ref.ts";

const ACTS: Activation[] = [0, 1, 2];
const SHAPES = [[1, 1, 1], [3, 2, 5], [8, 4, 784], [16, 3, 49], [2, 5, 6]] as const;

describe("conv epilogue kernels (WebAssembly) against their TypeScript twins, and the fallback against the kernels", () => {
  for (const { where, subject, reference } of KERNEL_MODES) {
    it(`channelsToSamplesAct / samplesToChannelsAct, ${where}`, () => {
      const rng = new Rng(3);
      for (const a of ACTS) {
        for (const [F, N, PQ] of SHAPES) {
          const n = F * N * PQ;
          const chan0 = randomArray(rng, n, false), bias0 = randomArray(rng, F, false), dout0 = randomArray(rng, n, false);
          const run = (side: KernelSide) => {
            const [chan, bias, dout, samp, back, db] = [chan0, bias0, dout0, chan0, chan0, bias0].map((x) => copyOf(x, side.arena)) as Float32Array[];
            (side.twin ? channelsToSamplesActRef : channelsToSamplesAct)(chan!, samp!, F, N, PQ, bias!, a, 0.1);
            (side.twin ? samplesToChannelsActRef : samplesToChannelsAct)(dout!, samp!, back!, F, N, PQ, db!, a, 0.1);
            return { samp: samp!, back: back!, db: db! };
          };
          const s = run(subject), r = run(reference);
          expect(maxRelDiff(s.samp, r.samp)).toBe(0);
          expect(maxRelDiff(s.back, r.back)).toBe(0);
          // Sums of N·PQ terms in another order (the twin adds in float64): a few ulps of the running sum.
          expect(maxRelDiff(s.db, r.db)).toBeLessThan(1e-5);
        }
      }
    });
  }
});
