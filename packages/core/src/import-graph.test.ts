import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The core's module structure, read from the sources: relative imports (type-only ones too: a
 * cycle of types is still two files that cannot be understood one without the other) of every
 * non-test file under src/, keyed by path relative to src/.
 */
const src = dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && e.name !== "test-kit.ts" ? [p] : [];
  });
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, "utf8");
    const deps = [...text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/g)].map((m) => relative(src, resolve(dirname(file), m[1]!)));
    graph.set(relative(src, file), deps);
  }
  return graph;
}

/** Every cycle found by a depth-first search, as the list of files around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, "open");
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === "open") found.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

/** Files reachable from `entry`. */
function reachable(graph: Map<string, string[]>, entry: string): Set<string> {
  const seen = new Set<string>();
  const go = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const d of graph.get(f) ?? []) go(d);
  };
  go(entry);
  return seen;
}

describe("core's import graph", () => {
  const graph = importGraph();

  it("reads the real sources (the parser finds the imports it must)", () => {
    expect(graph.get("train/train.ts")).toContain("train/mini-batch-loop.ts");
    expect(graph.get("train/mini-batch-loop.ts")).toContain("train/loop-context.ts");
  });

  it("has no import cycle", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("losses do not import layers", () => {
    const bad = [...graph].filter(([f]) => f.startsWith("losses/")).flatMap(([f, deps]) => deps.filter((d) => d.startsWith("layers/")).map((d) => `${f} → ${d}`));
    expect(bad).toEqual([]);
  });

  it("the checks entry reaches no kernels, layers, losses or data loading", () => {
    const bad = [...reachable(graph, "checks.ts")].filter((f) => /^(kernels|layers\/(?!window\.ts)|losses|train|optimizers)\//.test(f) || f === "data/load.ts");
    expect(bad).toEqual([]);
  });
});
