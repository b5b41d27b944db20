import { describe, expect, it } from "vitest";
import { Affine } from "../layers/affine.ts";
import { Conv } from "../layers/conv.ts";
import type { Layer } from "../layer.ts";
import { Rng } from "../rng.ts";
import { alloc } from "./arena.ts";

// backward(dout, false) is the first-layer fast path: same parameter gradients, no input gradient.
function check(make: () => Layer & { backward(d: Float32Array, inputGrad?: boolean): Float32Array }, inSize: number, outSize: number): void {
  const rng = new Rng(5);
  const batch = 3;
  const x = alloc(batch * inSize), dout = alloc(batch * outSize);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  for (let i = 0; i < dout.length; i++) dout[i] = rng.normal();
  const a = make(), b = make();
  a.forward(x, batch, true);
  b.forward(x, batch, true);
  expect(a.backward(dout).length).toBe(batch * inSize);
  expect(b.backward(dout, false).length).toBe(0);
  a.params().forEach((p, i) => expect(Array.from(b.params()[i]!.grad)).toEqual(Array.from(p.grad)));
}

describe("backward without the input gradient", () => {
  it("Affine", () => check(() => new Affine([7], { out: 5, rng: new Rng(1) }), 7, 5));
  it("Conv", () => check(() => new Conv([2, 6, 6], { filters: 3, size: 3, stride: 1, pad: 1, rng: new Rng(1) }), 72, 108));
});
