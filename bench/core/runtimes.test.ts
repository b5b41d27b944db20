import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { otherRuntimes } from "./runtimes.ts";

/** An executable that answers `-p process.versions.node` with `version`, as a Node binary would. */
function fakeNode(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), "hps-fake-node-"));
  const bin = join(dir, "node");
  writeFileSync(bin, `#!/bin/sh\necho ${version}\n`);
  chmodSync(bin, 0o755);
  return bin;
}

describe("bench:core's other runtimes", () => {
  const saved = { nodes: process.env.HPS_BENCH_NODES, path: process.env.PATH };
  afterEach(() => {
    // process.env turns undefined into the string "undefined": delete instead.
    if (saved.nodes === undefined) delete process.env.HPS_BENCH_NODES;
    else process.env.HPS_BENCH_NODES = saved.nodes;
    process.env.PATH = saved.path;
  });

  it("keep one binary per supported major other than this one's, first found first", () => {
    const mine = process.versions.node.split(".")[0];
    const other = mine === "20" ? "24" : "20";
    const a = fakeNode(`${other}.1.0`);
    const b = fakeNode(`${other}.2.0`); // same major as a: not run twice
    const same = fakeNode(process.versions.node); // this runtime: measured already
    const unsupported = fakeNode("18.20.0"); // not in package.json's engines
    process.env.HPS_BENCH_NODES = [same, unsupported, a, b].join(":");
    process.env.PATH = "/nonexistent";
    const found = otherRuntimes().filter((r) => !r.bin.includes(".ci/node24"));
    expect(found).toEqual([{ bin: a, version: `${other}.1.0` }]);
  });

  it("skip paths that are not executables", () => {
    process.env.HPS_BENCH_NODES = "/nonexistent/node";
    process.env.PATH = "/nonexistent";
    expect(otherRuntimes().filter((r) => !r.bin.includes(".ci/node24"))).toEqual([]);
  });
});
