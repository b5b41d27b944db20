// `npm start` / `npm test` on a fresh clone with only Node 20: install the workspace with
// pnpm first (pnpm itself via npx when it is not on PATH). pnpm install is a no-op
// in well under a second when node_modules is already up to date.
import { spawnSync } from "node:child_process";

const PNPM = "pnpm@12.21.0";
const hasPnpm = spawnSync("pnpm", ["--version"], { stdio: "ignore" }).status === 0;
const [cmd, args] = hasPnpm ? ["pnpm", []] : ["npx", ["-y", PNPM]];
const r = spawnSync(cmd, [...args, "install", "--frozen-lockfile"], { stdio: "inherit" });
process.exit(r.status ?? 1);
