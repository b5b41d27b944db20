import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { randn } from "../test-kit.ts";
import { Conv } from "./conv.ts";
import { convChunk, CONV_SCRATCH_FLOATS } from "./window.ts";

/** Largest |a − b| relative to the largest |b|. */
function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

function run(chunk: number | undefined, inputGrad: boolean) {
  const [C, H, W, batch] = [3, 6, 5, 10];
  const conv = new Conv([C, H, W], { filters: 4, size: 3, pad: 1, rng: new Rng(3), ...(chunk ? { chunk } : {}) });
  for (let i = 0; i < conv.b.value.length; i++) conv.b.value[i] = 0.1 * (i + 1);
  const x = randn(new Rng(5), batch * C * H * W);
  const y = Float32Array.from(conv.forward(x, batch, true));
  const dout = randn(new Rng(7), y.length);
  const dx = Float32Array.from(conv.backward(dout, inputGrad));
  return { y, dx, dW: Float32Array.from(conv.W.grad), db: Float32Array.from(conv.b.grad) };
}

describe("Conv in chunks of samples", () => {
  it("gives the whole-batch result with any chunk size (forward, dx, dW, db)", () => {
    const whole = run(undefined, true);
    for (const chunk of [1, 3, 4, 9]) {
      const parts = run(chunk, true);
      expect(relDiff(parts.y, whole.y), `y, chunk ${chunk}`).toBeLessThan(1e-6);
      expect(relDiff(parts.dx, whole.dx), `dx, chunk ${chunk}`).toBeLessThan(1e-6);
      expect(relDiff(parts.dW, whole.dW), `dW, chunk ${chunk}`).toBeLessThan(1e-5);
      expect(relDiff(parts.db, whole.db), `db, chunk ${chunk}`).toBeLessThan(1e-5);
    }
  });

  it("accumulates dW and db over chunks when the input gradient is skipped (first layer)", () => {
    const whole = run(undefined, false);
    const parts = run(3, false);
    expect(parts.dx.length).toBe(0);
    expect(relDiff(parts.dW, whole.dW)).toBeLessThan(1e-5);
    expect(relDiff(parts.db, whole.db)).toBeLessThan(1e-5);
  });

  it("sizes chunks to the scratch budget, at least one sample", () => {
    expect(convChunk(CONV_SCRATCH_FLOATS / 8)).toBe(8);
    expect(convChunk(CONV_SCRATCH_FLOATS * 3)).toBe(1);
  });
});
