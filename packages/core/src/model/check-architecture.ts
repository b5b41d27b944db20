import type { ModelConfig } from "@hps/contracts";
import { windowOutput } from "../layers/window.ts";

/** One reason a model config cannot be built; path is a dotted path into the trial config. */
export interface ArchitectureIssue {
  path: string;
  message: string;
}

/**
 * Largest number of learnable scalars a trial may have. Values, grads and up to two optimiser
 * moments are 16 bytes per scalar: 25M → 400 MB, a quarter of what one of several concurrent
 * trials may use on a 24 GB, 2-core worker, and far beyond what trains in minutes on a CPU.
 */
export const MAX_PARAMS = 25_000_000;

/**
 * Why buildModel(model, inputShape, classes) would fail or be unreasonable, without building it:
 * pure arithmetic on the shapes, no buffers. An empty list means the model can be built.
 * The API answers 422 with these issues; buildModel throws a RangeError on the same conditions.
 */
export function checkArchitecture(model: ModelConfig, inputShape: readonly number[], classes: number): ArchitectureIssue[] {
  return analyse(model, inputShape, classes).issues;
}

/** The number of learnable scalars buildModel would create (NaN when the shapes do not work out). */
export function countParams(model: ModelConfig, inputShape: readonly number[], classes: number): number {
  return analyse(model, inputShape, classes).params;
}

function analyse(model: ModelConfig, inputShape: readonly number[], classes: number): { issues: ArchitectureIssue[]; params: number } {
  const issues: ArchitectureIssue[] = [];
  const k = model.activation === "maxout" ? model.maxoutPieces : 1;
  let params = 0;
  let weightLayers = 0;
  let features = inputShape.reduce((a, b) => a * b, 1);

  if (model.type === "cnn") {
    if (inputShape.length !== 3) {
      issues.push({ path: "model.type", message: `a cnn needs image input [C, H, W], but the dataset gives [${inputShape}]` });
      return { issues, params: NaN };
    }
    let [C, H, W] = inputShape as [number, number, number];
    for (const [b, block] of model.conv.entries()) {
      const path = `model.conv.${b}`;
      const { filters, size, stride, pad } = block;
      const sizes = [H, W].map((n) => windowOutput(n, size, stride, pad));
      const bad = sizes.findIndex((o) => !Number.isInteger(o) || o < 1);
      if (bad >= 0) {
        const n = [H, W][bad]!;
        const o = sizes[bad]!;
        const why = o < 1 ? "is less than 1" : "is not an integer";
        issues.push({ path, message: `conv block ${b}: (${n} + 2·${pad} − ${size})/${stride} + 1 = ${fmt(o)} ${why}` });
        return { issues, params: NaN };
      }
      params += filters * k * (C * size * size + 1) + (model.batchNorm ? 2 * filters * k : 0);
      weightLayers++;
      [C, H, W] = [filters, sizes[0]!, sizes[1]!];
      if (block.pool) {
        const { size: ps, stride: pst } = block.pool;
        const pooled = [H, W].map((n) => windowOutput(n, ps, pst, 0));
        const badPool = pooled.findIndex((o) => !Number.isInteger(o) || o < 1);
        if (badPool >= 0) {
          const n = [H, W][badPool]!;
          const o = pooled[badPool]!;
          const why = o < 1 ? "is less than 1" : "is not an integer";
          issues.push({ path: `${path}.pool`, message: `pool of conv block ${b}: (${n} − ${ps})/${pst} + 1 = ${fmt(o)} ${why}` });
          return { issues, params: NaN };
        }
        [H, W] = [pooled[0]!, pooled[1]!];
      }
    }
    features = C * H * W;
  }
  for (const h of model.hidden) {
    params += (features + 1) * h * k + (model.batchNorm ? 2 * h * k : 0);
    weightLayers++;
    features = h;
  }
  params += (features + 1) * classes;
  weightLayers++;
  if (params > MAX_PARAMS) {
    issues.push({ path: "model", message: `the model has ${params} parameters, more than the limit of ${MAX_PARAMS}` });
  }
  const freeze = model.initFrom?.freezeLayers ?? 0;
  if (freeze >= weightLayers) {
    const message = `freezes ${freeze} layers but the model has ${weightLayers} weight layers (at least the output layer must train)`;
    issues.push({ path: "model.initFrom.freezeLayers", message });
  }
  const reinit = model.initFrom?.reinitLayers ?? 0;
  if (reinit >= weightLayers) {
    issues.push({ path: "model.initFrom.reinitLayers", message: `re-initialises ${reinit} layers but the model has ${weightLayers} weight layers (nothing would be loaded from the stored trial)` });
  } else if (freeze + reinit > weightLayers) {
    // A layer both frozen and re-initialised would keep its random values for the whole run.
    issues.push({ path: "model.initFrom.reinitLayers", message: `re-initialises the last ${reinit} of ${weightLayers} weight layers, but the first ${freeze} are frozen (a frozen fresh layer never trains)` });
  }
  return { issues, params };
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
}
