import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { KERNEL_MODES, type KernelSide, copyOf, maxRelDiff, randomArray } from "../test-kit.ts";
import { allocFloat64 } from "./arena.ts";
import { batchNormBackward, batchNormForward } from "./batch-norm.ts";
import { type BatchNormState, batchNormBackwardRef, batchNormForwardRef } from "./batch-norm-ref.ts";

/** [N, C, P]: P = 1 (the column walk, odd and even C) and P > 1 (runs of odd, even, short and long lengths), N·P = 1. */
const SHAPES = [[1, 3, 1], [5, 4, 1], [7, 3, 1], [64, 33, 1], [4, 3, 6], [3, 2, 7], [2, 5, 3], [8, 4, 49], [3, 2, 2], [2, 3, 1]] as const;

function state(side: KernelSide, C: number, rng: Rng): BatchNormState {
  const f32 = (lo: number, span: number) => {
    const a = copyOf(randomArray(rng, C, false), side.arena);
    for (let i = 0; i < C; i++) a[i] = lo + span * a[i]!;
    return a;
  };
  const f64 = () => (side.arena ? allocFloat64(C) : new Float64Array(C));
  return {
    gamma: f32(1, 0.5), beta: f32(0, 1), gammaGrad: f32(0, 0), betaGrad: f32(0, 0), runningMean: f32(0, 0.3), runningVar: f32(1, 0.5),
    mean: f64(), invStd: f64(), sum1: f64(), sum2: f64(), k: f64(), eps: 1e-5, momentum: 0.1,
  };
}

describe("batch-norm kernels (WebAssembly) against their TypeScript twins, and the fallback against the kernels", () => {
  for (const { where, subject, reference } of KERNEL_MODES) {
    for (const [training, act] of [[true, 0], [false, 0], [true, 1], [true, 2], [false, 2]] as const) {
      it(`forward and backward, ${training ? "training" : "evaluation"}, ${["no", "relu", "leaky relu"][act]} activation fused, ${where}`, () => {
        for (const [N, C, P] of SHAPES) {
          const n = N * C * P;
          const x0 = randomArray(new Rng(n), n, false), dout0 = randomArray(new Rng(n + 1), n, false);
          for (let i = 0; i < n; i++) x0[i] = 3 + 2 * x0[i]!; // off-centre, so the mean matters
          const run = (side: KernelSide) => {
            const rng = new Rng(C); // the same γ, β and running statistics on both sides
            const s = state(side, C, rng);
            const [x, dout, y, xhat, dx] = [x0, dout0, x0, x0, x0].map((a) => copyOf(a, side.arena));
            (side.twin ? batchNormForwardRef : batchNormForward)(x!, y!, xhat!, N, C, P, s, training, act, 0.1);
            (side.twin ? batchNormBackwardRef : batchNormBackward)(dout!, y!, xhat!, dx!, N, C, P, s, training, act, 0.1);
            return { y: y!, xhat: xhat!, dx: dx!, s };
          };
          const a = run(subject), b = run(reference);
          const at = `[${N}, ${C}, ${P}]`;
          // The sums add in another order when P > 1 (see batch-norm-ref.ts): a few float64 ulps,
          // which reach float32 outputs at most as a last-bit difference.
          const tol = P === 1 ? 0 : 1e-6;
          expect(maxRelDiff(a.y, b.y), `y ${at}`).toBeLessThanOrEqual(tol);
          expect(maxRelDiff(a.xhat, b.xhat), `xhat ${at}`).toBeLessThanOrEqual(tol);
          expect(maxRelDiff(a.dx, b.dx), `dx ${at}`).toBeLessThanOrEqual(P === 1 ? 0 : 1e-5);
          for (const k of ["runningMean", "runningVar", "gammaGrad", "betaGrad"] as const) {
            expect(maxRelDiff(a.s[k], b.s[k]), `${k} ${at}`).toBeLessThanOrEqual(P === 1 ? 0 : 1e-6);
          }
          expect(maxRelDiff(Float32Array.from(a.s.invStd), Float32Array.from(b.s.invStd)), `invStd ${at}`).toBeLessThanOrEqual(tol);
        }
      });
    }
  }

  it("keeps the running variance when a channel has one value (N·P = 1)", () => {
    const s = state({ arena: true, twin: false }, 2, new Rng(1));
    const before = Array.from(s.runningVar);
    const x = copyOf(new Float32Array([4, 5]), true), y = copyOf(new Float32Array(2), true), xhat = copyOf(new Float32Array(2), true);
    batchNormForward(x, y, xhat, 1, 2, 1, s, true);
    expect(Array.from(s.runningVar)).toEqual(before);
    expect(Array.from(xhat)).toEqual([0, 0]);
  });
});
