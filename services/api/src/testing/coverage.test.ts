/**
 * The harness covers every response only if tests reach the API through it: no test builds
 * the app or calls fetch directly (buildCheckedApp / createTestApi / checkedFetch instead).
 * A source scan, so a new test file cannot silently opt out.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const KIT = join("services", "api", "src", "testing");

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : testSources(path);
    const rel = relative(ROOT, path);
    const isTestCode = /\.test\.ts$/.test(e.name) || rel.startsWith(join("tests", ""));
    return isTestCode && e.name.endsWith(".ts") && !rel.startsWith(KIT) ? [rel] : [];
  });
}

describe("the response validator sees every API response of the tests", () => {
  it("no test file builds the app or calls fetch around the checked helpers", () => {
    const files = [...testSources(join(ROOT, "services")), ...testSources(join(ROOT, "packages")), ...testSources(join(ROOT, "tests"))];
    expect(files).toEqual(expect.arrayContaining([join("tests", "e2e", "support.ts"), join("services", "api", "src", "routes", "searches.test.ts")]));
    const offenders = files.flatMap((file) => {
      const src = readFileSync(join(ROOT, file), "utf8");
      return [...src.matchAll(/(?<![\w.])(buildApp|fetch)\(/g)].map((m) => `${file}: ${m[1]}(`);
    });
    expect(offenders).toEqual([]);
  });
});
