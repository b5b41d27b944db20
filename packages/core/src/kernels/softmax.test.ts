import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { alloc, allocInt32 } from "./arena.ts";
import { softmaxXent } from "./softmax.ts";
import { softmaxXentRef } from "./softmax-ref.ts";
import { copyOf } from "../test-kit.ts";

function batchOf(rng: Rng, batch: number, classes: number, scale: number, arena: boolean) {
  const scores = arena ? alloc(batch * classes) : new Float32Array(batch * classes);
  for (let i = 0; i < scores.length; i++) scores[i] = rng.normal() * scale;
  const labels = arena ? allocInt32(batch) : new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = rng.int(classes);
  return { scores, labels, grad: arena ? alloc(batch * classes) : new Float32Array(batch * classes) };
}

describe("softmaxXent (WebAssembly) against its twin", () => {
  it("gives the twin's loss total and gradient bit for bit", () => {
    const rng = new Rng(21);
    // Scales from ties (sums ≈ classes) to saturated rows (exps underflow); 2000×10 flushes the
    // product of row sums into the log several times.
    for (const [batch, classes, scale] of [[300, 3, 3], [64, 10, 20], [7, 2, 1e-8], [50, 5, 300], [2000, 10, 1e-3], [1, 2, 1]]) {
      for (let rep = 0; rep < 20; rep++) {
        const { scores, labels, grad } = batchOf(rng, batch!, classes!, scale!, true);
        if (rep === 0 && batch! > 2) scores.set([Infinity, -Infinity, NaN], classes!); // rows 1–2 non-finite
        const want = new Float32Array(grad.length);
        const total = softmaxXent(scores, labels, batch!, classes!, grad);
        expect(Object.is(total, softmaxXentRef(scores, labels, batch!, classes!, want))).toBe(true);
        expect(Array.from(grad)).toEqual(Array.from(want));
      }
    }
  });

  it("is the per-row sum of logs within float64 rounding, and ≥ 0", () => {
    const rng = new Rng(22);
    const { scores, labels, grad } = batchOf(rng, 3000, 4, 2, true);
    const total = softmaxXent(scores, labels, 3000, 4, grad);
    let want = 0;
    for (let i = 0; i < 3000; i++) {
      const row = Array.from(scores.subarray(i * 4, i * 4 + 4));
      const max = Math.max(...row);
      want += Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) - (row[labels[i]!]! - max);
    }
    expect(total).toBeGreaterThan(0);
    expect(Math.abs(total - want) / want).toBeLessThan(1e-12);
  });

  it("returns −(row + 1) at the first label out of range", () => {
    const rng = new Rng(23);
    const { scores, labels, grad } = batchOf(rng, 10, 3, 1, true);
    labels[4] = 3;
    labels[7] = -1;
    expect(softmaxXent(scores, labels, 10, 3, grad)).toBe(-5);
  });

  it("on plain arrays (the fallback) gives the WebAssembly kernel's result on arena copies, bit for bit", () => {
    const rng = new Rng(24);
    for (const [batch, classes, scale] of [[300, 3, 3], [64, 10, 20], [7, 2, 1e-8], [2000, 10, 1e-3], [10, 3, 1]]) {
      const plain = batchOf(rng, batch!, classes!, scale!, false);
      if (batch === 300) plain.scores.set([Infinity, -Infinity, NaN], classes!);
      if (batch === 10) plain.labels[6] = classes!; // out of range: both return −7
      const [scores, labels, grad] = [copyOf(plain.scores, true), copyOf(plain.labels, true), copyOf(plain.grad, true)];
      const total = softmaxXent(plain.scores, plain.labels, batch!, classes!, plain.grad);
      expect(Object.is(total, softmaxXent(scores, labels, batch!, classes!, grad))).toBe(true);
      if (batch === 10) expect(total).toBe(-7);
      else expect(Array.from(plain.grad)).toEqual(Array.from(grad));
    }
  });
});
