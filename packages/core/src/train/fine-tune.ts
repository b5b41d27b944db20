import type { ModelConfig } from "@hps/contracts";
import type { Layer } from "../layer.ts";
import { decodeTensorsInto, MAGIC, ModelFormatError, type Tensor } from "../model/serialize.ts";
import { modelParams } from "../model/model-file.ts";
import type { Sequential } from "../model/sequential.ts";

/**
 * Fine-tuning (transfer learning, CS231n lecture 7): starts from a stored model instead of the
 * random init, then freezes `model.initFrom.freezeLayers` leading weight layers (Sequential.freeze).
 *
 * Every param and buffer must match by name and shape — the stored trial must have the same
 * architecture and input — except the OUTPUT layer (the last affine), which may differ in its
 * class count (e.g. a model trained on 3 spiral arms fine-tuned on 5): then that layer keeps the
 * fresh initialisation `buildModel` gave it and everything before it is loaded.
 * Mismatches throw ModelFormatError naming the tensor.
 */
export function loadForFineTuning(model: Sequential, file: Uint8Array, cfg: ModelConfig): void {
  const bytes = modelParams(file); // a stored trial's artifact is a model file (model-file.ts); its parameters are what is loaded
  const out = outputLayer(model);
  const outNames = new Set(out.params().map((p) => p.name));
  const fileShapes = readShapes(bytes);
  const sameOutput = out.params().every((p) => fileShapes.get(p.name)?.join(",") === p.shape.join(","));
  if (sameOutput) {
    model.load(bytes);
  } else {
    const into: Tensor[] = [
      ...model.params().filter((p) => !outNames.has(p.name)).map((p): Tensor => ({ kind: "param", name: p.name, shape: p.shape, value: p.value })),
      ...model.buffers().map((b): Tensor => ({ kind: "buffer", name: b.name, shape: [b.value.length], value: b.value })),
    ];
    // The stored output layer is read into scratch tensors and dropped (the decoder insists on reading every tensor).
    for (const name of outNames) {
      const shape = fileShapes.get(name);
      if (!shape) throw new ModelFormatError(`model file lacks ${name}`);
      into.push({ kind: "param", name, shape, value: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    }
    decodeTensorsInto(bytes, into);
  }
  model.freeze(cfg.initFrom?.freezeLayers ?? 0);
}

function outputLayer(model: Sequential): Layer {
  for (let i = model.layers.length - 1; i >= 0; i--) if (model.layers[i].kind === "affine") return model.layers[i];
  throw new RangeError("fine-tuning: the model has no affine output layer");
}

/** Name → shape of every tensor in a model file (model/serialize.ts format), skipping the data. */
function readShapes(bytes: Uint8Array): Map<string, number[]> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = () => new ModelFormatError("not a readable model file");
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw fail();
  const shapes = new Map<string, number[]>();
  let o = 12;
  for (let i = 0, n = view.getUint32(8, true); i < n; i++) {
    if (o + 3 > bytes.length) throw fail();
    const len = view.getUint16(o + 1, true);
    o += 3;
    if (o + len + 1 > bytes.length) throw fail();
    const name = new TextDecoder().decode(bytes.subarray(o, o + len));
    o += len;
    const rank = view.getUint8(o++);
    if (o + 4 * rank > bytes.length) throw fail();
    const shape: number[] = [];
    for (let r = 0; r < rank; r++, o += 4) shape.push(view.getUint32(o, true));
    shapes.set(name, shape);
    o += 4 * shape.reduce((a, b) => a * b, 1);
  }
  return shapes;
}
