import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLAIMS } from "./claims/index.ts";
import { fileStem, galleryTable, rowFromFile } from "./gallery.ts";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), "hps-gallery-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const claim = (id: number) => CLAIMS.find((c) => c.id === id)!;
const writeJson = (dir: string, id: number, json: object) => writeFileSync(path.join(dir, `${fileStem(claim(id))}.json`), JSON.stringify(json));

describe("gallery from the JSONs in the output folder", () => {
  it("reads each claim's row from its file: held, not held, skipped, missing", () => {
    const dir = tempDir();
    writeJson(dir, 1, { id: 1, headline: "one headline", holds: true });
    writeJson(dir, 2, { id: 2, headline: "two headline", holds: false });
    writeJson(dir, 3, { id: 3, skipped: "not yet" });
    const table = galleryTable([1, 2, 3, 4].map((id) => rowFromFile(claim(id), dir)), ".");
    const line = (id: number) => table.split("\n").find((l) => l.startsWith(`| ${id} |`));
    expect(line(1)).toMatch(/one headline .* \| yes \|$/);
    expect(line(2)).toMatch(/two headline .* \| \*\*no\*\* \|$/);
    expect(line(3)).toMatch(/skipped: not yet \| skipped \|$/);
    expect(line(4)).toMatch(/not run yet/);
  });

  it("`--only` rewrites the gallery with every claim: the ones run now, the others from their JSONs", () => {
    const dir = tempDir();
    writeJson(dir, 1, { id: 1, headline: "from an earlier run", holds: true });
    const main = path.join(import.meta.dirname, "main.ts");
    // Claim 15 is the fastest (a few tenths of a second at quick scale).
    execFileSync(process.execPath, ["--import", "tsx", main, "--quick", "--only", "15", "--out", dir], { stdio: "pipe" });
    const readme = readFileSync(path.join(dir, "README.md"), "utf8");
    const rows = readme.split("\n").filter((l) => /^\| \d+ \|/.test(l));
    expect(rows).toHaveLength(CLAIMS.length);
    expect(rows.find((l) => l.startsWith("| 1 |"))).toContain("from an earlier run");
    const fresh = JSON.parse(readFileSync(path.join(dir, `${fileStem(claim(15))}.json`), "utf8")) as { headline: string };
    expect(rows.find((l) => l.startsWith("| 15 |"))).toContain(fresh.headline);
    expect(rows.find((l) => l.startsWith("| 2 |"))).toContain("not run yet");
  }, 60_000);
});
