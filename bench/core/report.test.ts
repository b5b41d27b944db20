import { describe, expect, it } from "vitest";
import { jsonLines, parseJsonLines, type RuntimeReport } from "./report.ts";

// A child runtime's run reaches the parent only as its --json lines: they must carry everything
// the tables print, including which kernel paths that runtime ran.
describe("bench:core report lines", () => {
  const rep: RuntimeReport = {
    node: "24.22.3",
    paths: ["fma", "simd128"],
    rows: [{ workload: "mlp1", kernelPath: "fma", samplesPerSec: { hps: 3, hpsSimd128: 2, hpsFma: 3, torchOpenblas: 4, torchRefBlas: null, tfjsWasm: 1 } }],
    gemm: [{ gemm: "512x512x512NN", gflops: { simd128: 50, fma: 60, torchOpenblas: 240 } }],
  };

  it("round-trip through --json lines, ignoring anything else on stdout", () => {
    expect(parseJsonLines(["$ tsx bench/core/main.ts", ...jsonLines(rep), ""].join("\n"))).toEqual(rep);
  });

  it("name only the paths the runtime ran (a Node without relaxed SIMD has no fma column)", () => {
    const simdOnly: RuntimeReport = {
      ...rep,
      node: "20.20.2",
      paths: ["simd128"],
      rows: rep.rows.map((r) => ({ ...r, kernelPath: "simd128", samplesPerSec: { ...r.samplesPerSec, hps: 2, hpsFma: null } })),
      gemm: rep.gemm.map((g) => ({ ...g, gflops: { ...g.gflops, fma: null } })),
    };
    expect(parseJsonLines(jsonLines(simdOnly).join("\n")).paths).toEqual(["simd128"]);
  });

  it("refuse output without any report line", () => {
    expect(() => parseJsonLines("Error: something broke\n")).toThrow(/no bench:core JSON lines/);
  });
});
