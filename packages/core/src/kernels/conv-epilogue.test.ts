import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { KERNEL_MODES, type KernelSide, copyOf, maxRelDiff, randomArray } from "../test-kit.ts";
import { channelsToSamplesAct, samplesToChannelsAct } from "./conv-epilogue.ts";
import { channelsToSamplesActRef, samplesToChannelsActRef } from "./conv-epilogue-ref.ts";
import { actBackward, channelsToSamples, samplesToChannels, actForward } from "./fused.ts";
import type { Activation } from "./fused-ref.ts";
import { alloc } from "./arena.ts";

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

  it("is bit-identical to the layout kernels followed by the activation kernels (what the conv layer ran before)", () => {
    const rng = new Rng(4);
    const [F, N, PQ] = [8, 4, 196];
    const n = F * N * PQ;
    const chan = copyOf(randomArray(rng, n, false), true), bias = copyOf(randomArray(rng, F, false), true), dout = copyOf(randomArray(rng, n, false), true);
    for (const a of [1, 2] as const) {
      const y1 = alloc(n), y2 = alloc(n), c1 = alloc(n), c2 = alloc(n), db1 = alloc(F), db2 = alloc(F), d = alloc(n);
      channelsToSamplesAct(chan, y1, F, N, PQ, bias, a, 0.05);
      channelsToSamples(chan, y2, F, N, PQ, bias);
      actForward(y2, 0, y2, 0, n, a, 0.05);
      expect(Array.from(y1)).toEqual(Array.from(y2));
      samplesToChannelsAct(dout, y1, c1, F, N, PQ, db1, a, 0.05);
      actBackward(dout, 0, y2, 0, d, 0, n, a, 0.05);
      samplesToChannels(d, c2, F, N, PQ, db2);
      expect(Array.from(c1)).toEqual(Array.from(c2));
      expect(Array.from(db1)).toEqual(Array.from(db2));
    }
  });
});
