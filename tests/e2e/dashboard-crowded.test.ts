/**
 * A search crowded enough (past 20,000 points) that the dashboard draws its scatter charts with
 * dense-points squares instead of uPlot's round points: every chart is painted, in its rounds'
 * colours, and the page throws nothing. Debian's Chromium against the API on real Postgres.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { useLargeSearchPage } from "./large-search-page.ts";

declare const document: any;

const TRIALS = 25_000;

describe("the dashboard on a crowded search", () => {
  const crowded = useLargeSearchPage({ name: "crowded", trials: TRIALS });
  const errors: string[] = [];

  beforeAll(() => {
    crowded.browser.page.on("pageerror", (e) => errors.push(e.message));
  });

  it("paints every scatter chart's points, in their rounds' colours", async () => {
    const { page } = crowded.browser;
    await page.goto(crowded.url);
    await page.waitForFunction(() => document.querySelector("#live")?.textContent === "final: not polling", null, { timeout: 120_000 });
    for (const chart of ["param-scatter", "gap", "history"]) {
      await page.waitForFunction((c: string) => Number(document.querySelector(`[data-chart="${c}"]`)?.dataset.drawn ?? 0) > 0, chart, { timeout: 60_000 });
    }
    // Pixels of each canvas that are strongly blue or orange (rounds 0 and 1): the dots, not the
    // grey grid, axes or white background. The seed gives every trial one objective value, so
    // model.hidden (3 choices) shows only 3 dots (too few to tell from the ~30 coloured pixels an
    // empty chart has); the others a line of dots across the chart.
    const painted: Record<string, number> = await page.evaluate(() => {
      const coloured = (c: any) => {
        const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < px.length; i += 4) if (Math.abs(px[i] - px[i + 2]) > 60) n++;
        return n;
      };
      const out: Record<string, number> = {};
      for (const el of document.querySelectorAll("[data-param]")) out[el.dataset.param] = coloured(el.querySelector("canvas"));
      for (const chart of ["gap", "history"]) out[chart] = coloured(document.querySelector(`[data-chart="${chart}"] canvas`));
      return out;
    });
    expect(errors).toEqual([]);
    expect(Object.keys(painted).sort()).toEqual(["gap", "history", "model.hidden", "training.learningRate"]);
    for (const chart of ["training.learningRate", "gap", "history"]) expect(painted[chart], `${chart}: coloured pixels`).toBeGreaterThan(200);
    await crowded.browser.shot("crowded-search-charts");
  }, 240_000);
});
