import type { ModelConfig } from "@hps/contracts";
import type { Layer } from "../layer.ts";
import { Affine } from "../layers/affine.ts";
import { BatchNorm } from "../layers/batch-norm.ts";
import { Conv } from "../layers/conv.ts";
import { Dropout } from "../layers/dropout.ts";
import { Flatten } from "../layers/flatten.ts";
import { MaxPool } from "../layers/max-pool.ts";
import { activationFanIn, createActivation } from "../layers/registry.ts";
import type { Rng } from "../rng.ts";
import { Sequential } from "./sequential.ts";

/**
 * The network a model config describes, with freshly initialised weights:
 *   mlp: for each hidden width h: affine → [batch norm] → activation → [dropout]; then affine → scores.
 *   cnn: for each conv block: conv → [spatial batch norm] → activation → [max pool];
 *        then flatten → the mlp part above.
 * BN sits between the linear layer and the activation (CS231n lecture 6). Dropout (drop
 * probability model.dropout) follows the fully connected hidden activations only. With maxout
 * the linear layer before it has maxoutPieces × the units (or filters), so hidden widths keep
 * their meaning. Every affine/conv layer, the output one included, uses model.init.
 * rng is forked: one stream for init, one for dropout masks, so changing dropout does not
 * change the initial weights. Param names are "<layer index>.<tensor>".
 * Impossible architectures throw RangeError naming the layer (see checkArchitecture).
 */
export function buildModel(model: ModelConfig, inputShape: readonly number[], classes: number, rng: Rng): Sequential {
  const initRng = rng.fork(1);
  const dropRng = rng.fork(2);
  const layers: Layer[] = [];
  let shape: readonly number[] = inputShape;
  const name = () => String(layers.length);
  const push = (layer: Layer) => {
    layers.push(layer);
    shape = layer.outShape;
  };
  const act = { leakySlope: model.leakySlope, eluAlpha: model.eluAlpha, maxoutPieces: model.maxoutPieces };
  const k = activationFanIn(model.activation, act);
  const init = { init: model.init, initStd: model.initStd, rng: initRng };

  if (model.type === "cnn") {
    if (inputShape.length !== 3) throw new RangeError(`model: a cnn needs image input [C, H, W], got [${inputShape}]`);
    for (const block of model.conv) {
      push(new Conv(shape, { ...init, filters: block.filters * k, size: block.size, stride: block.stride, pad: block.pad, name: name() }));
      if (model.batchNorm) push(new BatchNorm(shape, { name: name() }));
      push(createActivation(model.activation, shape, act));
      if (block.pool) push(new MaxPool(shape, { size: block.pool.size, stride: block.pool.stride, name: name() }));
    }
    push(new Flatten(shape));
  }
  for (const h of model.hidden) {
    push(new Affine(shape, { ...init, out: h * k, name: name() }));
    if (model.batchNorm) push(new BatchNorm(shape, { name: name() }));
    push(createActivation(model.activation, shape, act));
    if (model.dropout > 0) push(new Dropout(shape, model.dropout, dropRng));
  }
  push(new Affine(shape, { ...init, out: classes, name: name() }));
  return new Sequential(layers);
}
