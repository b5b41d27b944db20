/**
 * The browser tests' large search: a seeded search of `trials` finished trials (seedLargeSearch)
 * served with the dashboard by the API on a fresh database, and Chromium to open it. Registers
 * its own beforeAll/afterAll; the returned object is filled once beforeAll has run.
 */
import { afterAll, beforeAll } from "vitest";
import { DEFAULT_DASHBOARD_DIR } from "@hps/api";
import { buildCheckedApp, seedLargeSearch } from "@hps/api/testing";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";
import { launchBrowser, type Browser } from "./browser.ts";

export interface LargeSearchPage {
  /** The search page's URL (the dashboard's #/searches/:id). */
  url: string;
  searchId: string;
  browser: Browser;
}

export function useLargeSearchPage(opts: { name: string; trials: number }): LargeSearchPage {
  const page = {} as LargeSearchPage;
  let t: TestDatabase | undefined;
  let app: Awaited<ReturnType<typeof buildCheckedApp>> | undefined;
  beforeAll(async () => {
    t = await createTestDatabase();
    app = await buildCheckedApp({ db: t.db, dashboardDir: DEFAULT_DASHBOARD_DIR });
    page.searchId = await seedLargeSearch(app, t.rows, opts);
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    page.url = `${address}/#/searches/${page.searchId}`;
    page.browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await page.browser?.close();
    await app?.close();
    await t?.drop();
  });
  return page;
}
