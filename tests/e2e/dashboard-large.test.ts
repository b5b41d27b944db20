/**
 * The search page of a search too large to hold in the browser (more planned trials than the
 * page's FEED_MAX): its table reads the server's ranked pages — the rows shown, in rank order —
 * instead of loading every trial through the change feed, and "show more" reads a longer page.
 * Debian's Chromium against the API serving the dashboard on real Postgres.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { useLargeSearchPage } from "./large-search-page.ts";

declare const document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>; querySelector(selector: string): { textContent: string | null } | null };

const TRIALS = 3000;

describe("the dashboard on a search of more trials than it holds", () => {
  const large = useLargeSearchPage({ name: "large", trials: TRIALS });
  const trialReads: string[] = [];

  beforeAll(() => {
    large.browser.page.on("request", (r) => {
      if (r.url().includes(`/v1/searches/${large.searchId}/trials`)) trialReads.push(new URL(r.url()).search);
    });
  });

  const ranksShown = () => large.browser.page.evaluate(() => [...(document.querySelectorAll("table.trials tbody tr td:first-child") as any)].map((td: { textContent: string | null }) => td.textContent));

  it("shows the first ranked page, never reads the change feed, and reads a longer page on 'show more'", async () => {
    const { page } = large.browser;
    await page.goto(large.url);
    await page.waitForFunction(() => document.querySelector("#live")?.textContent === "final: not polling", null, { timeout: 120_000 });
    expect(await ranksShown()).toEqual(Array.from({ length: 50 }, (_, i) => String(i + 1)));
    expect(trialReads.length).toBeGreaterThan(0);
    expect(trialReads.every((q) => q.includes("order=rank") && !q.includes("changedSince"))).toBe(true);

    await page.getByRole("button", { name: /show 50 more/ }).click();
    await page.waitForFunction(() => document.querySelectorAll("table.trials tbody tr").length === 100, null, { timeout: 60_000 });
    expect(await ranksShown()).toEqual(Array.from({ length: 100 }, (_, i) => String(i + 1)));
    expect(await page.getByRole("button", { name: /show 50 more/ }).textContent()).toContain(`${TRIALS - 100} not shown`);
    await large.browser.shot("large-search-ranked-pages");
  }, 240_000);
});
