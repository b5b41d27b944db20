#!/usr/bin/env node
// The `hps` command: runs the TypeScript entry through tsx (a dependency), so it works from the repo and when installed.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const r = spawnSync(process.execPath, ["--import", require.resolve("tsx"), main, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(r.status ?? 1);
