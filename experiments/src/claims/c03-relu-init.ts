import { withArena } from "../arena.ts";
import { check, type Claim, type Scale } from "../claim.ts";
import { deepNetForward } from "../deep-net.ts";
import { mean, r4, range, std32 } from "../stats.ts";
import { figure, linePanel } from "../svg/chart.ts";

/**
 * Claim 3: a 10-layer ReLU net. Xavier (Var W = 1/fan_in) halves the activations' variance per layer,
 * because ReLU zeroes half its inputs; He (2/fan_in) compensates and keeps it. Measured as the ratio
 * Var(layer l+1)/Var(layer l) of the ReLU outputs, geometric mean over layers 1→10, mean over seeds.
 */
export const reluInit: Claim = {
  id: 3,
  slug: "relu-init",
  title: "ReLU: Xavier halves the variance per layer, He keeps it",
  run(scale: Scale) {
    const seeds = scale === "quick" ? [0] : [0, 1, 2];
    const depth = 10;
    const width = scale === "quick" ? 100 : 500;
    const batch = scale === "quick" ? 200 : 1000;
    const rows = (["xavier", "he"] as const).map((init) => {
      const stds = seeds.map((seed) => withArena(() => deepNetForward({ depth, width, batch, activation: "relu", init, seed }).act.map(std32)));
      const std = range(depth).map((l) => mean(stds.map((s) => s[l])));
      const ratio = Math.pow((std[depth - 1] / std[0]) ** 2, 1 / (depth - 1));
      return { init, std, varianceRatioPerLayer: ratio };
    });
    const [xavier, he] = rows;
    const checks = [
      check("Xavier + ReLU: variance ratio per layer ≈ 1/2 (0.4–0.6)", xavier.varianceRatioPerLayer > 0.4 && xavier.varianceRatioPerLayer < 0.6, `ratio ${xavier.varianceRatioPerLayer.toFixed(3)}`),
      check("He + ReLU: variance ratio per layer ≈ 1 (0.8–1.25)", he.varianceRatioPerLayer > 0.8 && he.varianceRatioPerLayer < 1.25, `ratio ${he.varianceRatioPerLayer.toFixed(3)}`),
    ];
    const svg = figure([
      (w, h) => linePanel({
        title: "std of the ReLU outputs per layer",
        x: { label: "layer" }, y: { label: "std (log scale)", log: true },
        series: rows.map((r) => ({ label: `${r.init} (×${r.varianceRatioPerLayer.toFixed(2)} var/layer)`, points: r.std.map((s, l) => [l + 1, s] as const), dots: true })),
      }, w, h),
    ], {
      title: "Claim 3 — ReLU net: Xavier halves the variance per layer, He keeps it",
      caption: `10 layers of ${width} ReLU units on ${batch} N(0,1) inputs; mean over ${seeds.length} seed(s) (${seeds.join(", ")}). Core layers directly (Affine, Relu, initWeights). Variance ratio per layer (geometric mean, layers 1→10): Xavier ${xavier.varianceRatioPerLayer.toFixed(3)}, He ${he.varianceRatioPerLayer.toFixed(3)}.`,
      columns: 1, panelWidth: 560, panelHeight: 320,
    });
    return {
      headline: `variance ratio per layer: Xavier ${xavier.varianceRatioPerLayer.toFixed(2)}, He ${he.varianceRatioPerLayer.toFixed(2)}`,
      checks,
      numbers: { seeds, depth, width, batch, rows: rows.map((r) => ({ init: r.init, std: r.std.map(r4), varianceRatioPerLayer: r4(r.varianceRatioPerLayer) })) },
      svg,
      method: "core",
      seeds,
    };
  },
};
