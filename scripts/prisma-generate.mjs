// Generates the Prisma client into packages/db/src/generated.
// Prisma 7 tries to download its schema engine even for `generate`; pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips that (offline machines).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = "/bin/true";
if (!existsSync("prisma/schema.prisma")) process.exit(0);
const r = spawnSync("pnpm", ["exec", "prisma", "generate"], { stdio: "inherit", env });
process.exit(r.status ?? 1);
