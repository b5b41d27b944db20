import { withArena } from "../arena.ts";
import { check, type Claim, type Scale } from "../claim.ts";
import { deepNetForward } from "../deep-net.ts";
import { histogram, mean, r4, range, std32 } from "../stats.ts";
import { figure, histogramPanel } from "../svg/chart.ts";

/** |tanh| above this counts as saturated (gradient 1 − tanh² < 0.02). */
const SATURATED = 0.99;

const INITS = [
  { key: "small", label: "N(0, 0.01²)", init: "small" as const, initStd: 0.01 },
  { key: "unit", label: "N(0, 1)", init: "small" as const, initStd: 1 },
  { key: "xavier", label: "Xavier N(0, 1/fan_in)", init: "xavier" as const },
];

/**
 * Claim 2: a 10-layer tanh net. Per layer: the activations' std, the fraction saturated at ±1, and
 * their histogram on [−1, 1] (the lecture's slides), mean over seeds (histograms: the first seed).
 */
export const tanhInit: Claim = {
  id: 2,
  slug: "tanh-init",
  title: "10-layer tanh: small init collapses, N(0,1) saturates, Xavier stays spread",
  run(scale: Scale) {
    const seeds = scale === "quick" ? [0] : [0, 1, 2];
    const depth = 10;
    const width = 500; // saturation depends on the fan-in: the quick run keeps the lecture's width
    const batch = scale === "quick" ? 100 : 1000;
    const rows = INITS.map((ini) => {
      const perSeed = seeds.map((seed) =>
        withArena(() => {
          const { act } = deepNetForward({ depth, width, batch, activation: "tanh", init: ini.init, initStd: ini.initStd, seed });
          return {
            std: act.map(std32),
            saturated: act.map((a) => a.reduce((n, v) => n + (Math.abs(v) > SATURATED ? 1 : 0), 0) / a.length),
            hist: seed === seeds[0] ? act.map((a) => histogram(a, 30, -1, 1)) : [],
          };
        }),
      );
      return {
        init: ini.key,
        label: ini.label,
        std: range(depth).map((l) => mean(perSeed.map((s) => s.std[l]))),
        saturated: range(depth).map((l) => mean(perSeed.map((s) => s.saturated[l]))),
        hist: perSeed[0].hist,
      };
    });
    const [small, unit, xavier] = rows;
    const checks = [
      check("N(0, 0.01²): std collapses toward 0 layer by layer", small.std.every((s, l) => l === 0 || s < small.std[l - 1]) && small.std[depth - 1] < 1e-3,
        `std per layer ${small.std.map((s) => s.toExponential(1)).join(", ")}`),
      check("N(0, 1): activations saturate at ±1", unit.saturated.every((f) => f > 0.8), `fraction |a| > ${SATURATED} per layer ${unit.saturated.map((f) => f.toFixed(2)).join(", ")}`),
      check("Xavier: activations stay spread (std > 0.1, < 5% saturated in every layer)", xavier.std.every((s) => s > 0.1) && xavier.saturated.every((f) => f < 0.05),
        `std ${xavier.std.map((s) => s.toFixed(2)).join(", ")}; saturated ${xavier.saturated.map((f) => f.toFixed(3)).join(", ")}`),
    ];
    const panels = rows.flatMap((r) => r.hist.map((counts, l) => (w: number, h: number) =>
      histogramPanel({ title: `L${l + 1} σ=${r.std[l].toPrecision(2)}`, counts, lo: -1, hi: 1 }, w, h)));
    const svg = figure(panels, {
      title: "Claim 2 — activations of a 10-layer tanh net (rows: N(0,0.01²), N(0,1), Xavier)",
      caption: `Histograms of the tanh outputs of layers 1–10 on [−1, 1] (${width} units per layer, ${batch} N(0,1) inputs; seed ${seeds[0]}); σ = std per layer, mean over ${seeds.length} seed(s) ${seeds.join(", ")}. Core layers directly (Affine, Tanh, initWeights). Small init: σ at layer 10 = ${small.std[depth - 1].toExponential(1)}; N(0,1): ${(100 * mean(unit.saturated)).toFixed(0)}% of activations beyond ±${SATURATED}; Xavier: σ at layer 10 = ${xavier.std[depth - 1].toFixed(2)}.`,
      columns: 10, panelWidth: 100, panelHeight: 80,
    });
    return {
      headline: `layer-10 std: small ${small.std[depth - 1].toExponential(1)}, Xavier ${xavier.std[depth - 1].toFixed(2)}; N(0,1) ${(100 * mean(unit.saturated)).toFixed(0)}% saturated`,
      checks,
      numbers: { seeds, depth, width, batch, saturatedAbove: SATURATED, rows: rows.map((r) => ({ init: r.init, label: r.label, std: r.std.map(r4), saturated: r.saturated.map(r4), histogramFirstSeed: r.hist })) },
      svg,
      method: "core",
      seeds,
    };
  },
};
