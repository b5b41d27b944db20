import type { Init } from "@hps/contracts";
import type { Rng } from "../rng.ts";

/**
 * Weight initialisation of CS231n lecture 6/7, filling w in place from rng:
 *   small  — N(0, std²) with std = 0.01 by default: fine for shallow nets, activations vanish in deep ones.
 *   xavier — N(0, 1/fanIn) (Glorot & Bengio as simplified in the lecture): keeps the activation
 *            variance constant through tanh-like units.
 *   he     — N(0, 2/fanIn) (He et al. 2015): the factor 2 compensates for ReLU zeroing half its inputs.
 * fanIn is the number of inputs of one output unit: `in` for an affine layer, C·K·K for a conv.
 * Biases are not touched here: they start at 0.
 */
export function initWeights(w: Float32Array, fanIn: number, init: Init, rng: Rng, std = 0.01): void {
  let scale: number;
  switch (init) {
    case "small":
      scale = std;
      break;
    case "xavier":
      scale = Math.sqrt(1 / fanIn);
      break;
    case "he":
      scale = Math.sqrt(2 / fanIn);
      break;
    default:
      throw new RangeError(`unknown init "${String(init)}" (expected small, xavier or he)`);
  }
  for (let i = 0; i < w.length; i++) w[i] = scale * rng.normal();
}
