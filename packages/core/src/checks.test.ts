import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/**
 * In a fresh Node process (tsx for the .ts sources; fresh, because this test process has long loaded
 * the kernels) with the WebAssembly JS API instrumented: imports @hps/core/checks and calls its
 * checks, records how many wasm memories, modules and instances were created, then — the control
 * that shows the probe sees WebAssembly when it is there — imports the full @hps/core and records again.
 */
const script = `
  const created = { Memory: 0, Module: 0, Instance: 0, compile: 0, instantiate: 0 };
  for (const k of ["Memory", "Module", "Instance"]) {
    const Orig = WebAssembly[k];
    WebAssembly[k] = new Proxy(Orig, { construct(t, a, nt) { created[k]++; return Reflect.construct(t, a, nt); } });
  }
  for (const k of ["compile", "instantiate"]) {
    const orig = WebAssembly[k];
    WebAssembly[k] = (...a) => { created[k]++; return orig(...a); };
  }
  // tsx compiles its own module lexer to wasm on the first .ts import: warm it up, then count.
  await import("./src/unknown-name-error.ts");
  for (const k of Object.keys(created)) created[k] = 0;
  const dataset = { name: "mnist", trainSize: 100, valSize: 10, preprocess: "none" };
  const model = { type: "mlp", hidden: [8], activation: "relu", batchNorm: false, maxoutPieces: 2 };
  const run = (m) => {
    const { inputShape, classes } = m.datasetShape(dataset);
    const issues = [...m.checkDataset(dataset, model), ...m.checkArchitecture({ ...model, hidden: [100000] }, inputShape, classes)];
    return { created: { ...created }, issues: issues.length, params: m.countParams(model, inputShape, classes) };
  };
  const checks = run(await import("@hps/core/checks"));
  const full = run(await import("@hps/core"));
  console.log(JSON.stringify({ checks, full }));
`;

describe("@hps/core/checks", () => {
  it("loads no WebAssembly: no memory, module or instance is created by importing and calling it", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: packageDir, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const { checks, full } = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    // The kernels (kernels/arena.ts) use the synchronous constructors; the async compile/instantiate
    // are counted for the message only: tsx compiles its own module lexer with them, at a moment
    // that depends on its transform cache (one run under a full suite saw it after the warm-up).
    const { Memory, Module, Instance } = checks.created;
    expect({ Memory, Module, Instance }, `probe output: ${r.stdout}\n${r.stderr}`).toEqual({ Memory: 0, Module: 0, Instance: 0 });
    // The checks ran: a 784·100000-weight layer is over MAX_PARAMS; a 784-8-10 mlp has 6,370 params.
    expect(checks.issues).toBe(1);
    expect(checks.params).toBe(785 * 8 + 9 * 10);
    // The control: the full entry allocates the arena and instantiates the kernels, and re-exports the same checks.
    expect(full.created.Memory).toBeGreaterThan(0);
    expect(full.created.Instance).toBeGreaterThan(0);
    expect(full.issues).toBe(1);
  });
});
