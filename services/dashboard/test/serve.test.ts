/**
 * The API serves the dashboard as it is on disk: index.html at "/", then every ES module the
 * page imports (followed from js/main.js) with a JavaScript content type, and the stylesheet.
 * Also guards the "no HTML from strings" rule over the sources.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DASHBOARD_DIR } from "@hps/api";
import { buildCheckedApp } from "@hps/api/testing";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";

const UPLOT_DIST = join(dirname(createRequire(import.meta.url).resolve("uplot/package.json")), "dist");

const IMPORT = /^\s*import\s[^"']*?from\s+["'](\.{1,2}\/[^"']+)["']/gm;

/** Every .js file under dir, as URL paths relative to the dashboard root ("js/main.js"). */
function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return jsFiles(path);
    return e.name.endsWith(".js") ? [relative(DEFAULT_DASHBOARD_DIR, path).split(sep).join("/")] : [];
  });
}

describe("the API serves the dashboard", () => {
  let db: TestDatabase;
  let app: Awaited<ReturnType<typeof buildCheckedApp>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildCheckedApp({ db: db.db, dashboardDir: DEFAULT_DASHBOARD_DIR });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it("defaults to services/dashboard/public", () => {
    expect(DEFAULT_DASHBOARD_DIR.split(sep).slice(-3)).toEqual(["services", "dashboard", "public"]);
  });

  it("serves index.html at / with the stylesheet and the entry module", async () => {
    const index = await app.inject({ url: "/" });
    expect(index.statusCode).toBe(200);
    expect(index.headers["content-type"]).toMatch(/^text\/html/);
    expect(index.body).toContain('<script type="module" src="js/main.js"></script>');
    expect(index.body).toContain('href="style.css"');
    const css = await app.inject({ url: "/style.css" });
    expect([css.statusCode, css.headers["content-type"]]).toEqual([200, "text/css; charset=utf-8"]);
  });

  it("serves every module the page imports, as JavaScript, and every module on disk is imported", async () => {
    const seen = new Set<string>();
    const queue = ["js/main.js"];
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await app.inject({ url: `/${path}` });
      expect(res.statusCode, path).toBe(200);
      expect(res.headers["content-type"], path).toMatch(/^(application|text)\/javascript/);
      for (const m of res.body.matchAll(IMPORT)) queue.push(new URL(m[1], `http://x/${path}`).pathname.slice(1));
    }
    // Every module of ours, plus the vendored chart library they import.
    expect([...seen].sort()).toEqual([...jsFiles(join(DEFAULT_DASHBOARD_DIR, "js")), "vendor/uplot/uPlot.esm.js"].sort());
    const css = await app.inject({ url: "/vendor/uplot/uPlot.min.css" });
    expect([css.statusCode, css.headers["content-type"]]).toEqual([200, "text/css; charset=utf-8"]);
  });

  it("serves uPlot exactly as the npm package ships it (vendored, not edited: pnpm vendor:uplot refreshes it)", () => {
    for (const file of ["uPlot.esm.js", "uPlot.min.css"]) {
      const shipped = readFileSync(join(UPLOT_DIST, file), "utf8");
      expect(readFileSync(join(DEFAULT_DASHBOARD_DIR, "vendor", "uplot", file), "utf8") === shipped, file).toBe(true);
    }
  });

  it("leaves the API routes and JSON 404s alone", async () => {
    const list = await app.inject({ url: "/v1/searches" });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ items: [], nextCursor: null });
    const missing = await app.inject({ url: "/js/missing.js" });
    expect([missing.statusCode, missing.json()]).toEqual([404, { error: "not_found", requestId: expect.any(String) }]);
  });
});

describe("dashboard sources", () => {
  it("never parse strings as HTML (all text goes through text nodes)", () => {
    for (const file of jsFiles(join(DEFAULT_DASHBOARD_DIR, "js"))) {
      const src = readFileSync(join(DEFAULT_DASHBOARD_DIR, file), "utf8");
      expect(src, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|\beval\(/);
    }
  });
});
