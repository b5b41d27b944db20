import type { Init } from "@hps/contracts";
import { Affine, BatchNorm, type Layer, Relu, Rng, Tanh } from "@hps/core";
import { arenaCopy } from "./arena.ts";

/**
 * The lecture's deep-net probe (CS231n lecture 6/7 "activation statistics"): `depth` fully connected
 * layers of `width` units on N(0, 1) inputs, each affine → [batch norm] → activation, built from core
 * layers directly (not Sequential, which would fuse ReLU into the affine and hide the pre-activations).
 * Returns per layer copies of the pre-activation (after BN when on) and of the activation.
 */
export interface DeepNetOptions {
  depth: number;
  width: number;
  batch: number;
  activation: "tanh" | "relu";
  init: Init;
  /** std of the "small" init. */
  initStd?: number;
  batchNorm?: boolean;
  seed: number;
}

export interface LayerStats {
  pre: Float32Array[];
  act: Float32Array[];
}

export function deepNetForward(o: DeepNetOptions): LayerStats {
  const rng = new Rng(o.seed);
  const dataRng = rng.fork(1);
  const initRng = rng.fork(2);
  const x0 = new Float32Array(o.batch * o.width);
  for (let i = 0; i < x0.length; i++) x0[i] = dataRng.normal();
  let h = arenaCopy(x0);
  const pre: Float32Array[] = [];
  const act: Float32Array[] = [];
  for (let l = 0; l < o.depth; l++) {
    const shape = [o.width];
    const affine = new Affine(shape, { out: o.width, init: o.init, initStd: o.initStd, rng: initRng, name: String(l) });
    let z = affine.forward(h, o.batch, true);
    if (o.batchNorm) z = new BatchNorm(shape).forward(z, o.batch, true);
    const a: Layer = o.activation === "tanh" ? new Tanh(shape) : new Relu(shape);
    h = a.forward(z, o.batch, true);
    pre.push(z.slice());
    act.push(h.slice());
  }
  return { pre, act };
}
