// Copies uPlot's browser build from the installed npm package (root devDependency `uplot`) into
// the dashboard, which the API serves as static files (no build step, no CDN: the machine is offline).
// serve.test.ts fails while the copy differs from the package, so an upgrade is this script plus a commit.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = dirname(createRequire(import.meta.url).resolve("uplot/package.json"));
const out = fileURLToPath(new URL("../services/dashboard/public/vendor/uplot/", import.meta.url));
mkdirSync(out, { recursive: true });
for (const [from, to] of [["dist/uPlot.esm.js", "uPlot.esm.js"], ["dist/uPlot.min.css", "uPlot.min.css"], ["LICENSE", "LICENSE"]]) copyFileSync(join(pkg, from), join(out, to));
console.log(`uPlot copied from ${pkg} to ${out}`);
