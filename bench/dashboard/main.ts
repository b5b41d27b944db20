/**
 * `pnpm bench:dashboard [--trials 100000]`
 *
 * The search page in Debian's Chromium at `--trials` finished trials (the seed of bench:poll:
 * two rounds, 10% stopped; no learning curves): time from opening the page to its charts drawn and to the page
 * settled (the trial table loaded — the first ranked page above 2,000 planned trials — and polling stopped), and the main thread's
 * long tasks meanwhile (what "responsive" costs: no input is handled during a long task).
 * Anchor, in the same page and run: 100,000 points drawn by uPlot on a canvas with the dashboard's
 * dense-points squares (its crowded charts) and with uPlot's own round points, against the same
 * points as SVG circles (how the dashboard drew its charts before), each until painted.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { buildApp, DEFAULT_DASHBOARD_DIR } from "@hps/api";
import { seedLargeSearch } from "@hps/api/testing";
import { createTestDatabase } from "@hps/db/test-kit";
import { launchBrowser } from "../../tests/e2e/browser.ts";

const { values: args } = parseArgs({ options: { trials: { type: "string", default: "100000" } } });
const TRIALS = Number(args.trials);

// The page's globals inside page.evaluate (the root tsconfig has no DOM lib).
declare const document: any;
declare const window: any;
declare const requestAnimationFrame: (fn: (t: number) => void) => void;
declare const PerformanceObserver: any;

process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/postgres";
const t = await createTestDatabase({ poolSize: 10 });
const app = await buildApp({ db: t.db, dashboardDir: DEFAULT_DASHBOARD_DIR });
const browser = await launchBrowser();
try {
  const id = await seedLargeSearch(app, t.rows, { name: "bench-dashboard", trials: TRIALS });
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  console.error(`seeded ${TRIALS} trials; ${address}/#/searches/${id}`);

  const { page } = browser;
  await page.addInitScript(() => {
    // tsx (esbuild, keepNames) wraps named functions in __name(); the functions sent to page.evaluate need it too.
    window.__name = (f: unknown) => f;
    window.longTasks = [];
    new PerformanceObserver((list: any) => {
      for (const e of list.getEntries()) window.longTasks.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  const drawn = (name: string) => page.waitForFunction((n) => Number(document.querySelector(`[data-chart="${n}"]`)?.dataset.drawn ?? 0) > 0, name, { timeout: 600_000, polling: 50 });
  const t0 = performance.now();
  await page.goto(`${address}/#/searches/${id}`);
  console.error("page opened; waiting for the charts");
  await Promise.all(["history", "param-scatter", "gap", "parallel", "importance"].map(drawn));
  console.error("charts drawn");
  const chartsMs = performance.now() - t0;
  await page.waitForFunction(() => document.querySelector("#live")?.textContent === "final: not polling", null, { timeout: 600_000, polling: 100 });
  const settledMs = performance.now() - t0;
  const tasks: number[] = await page.evaluate(() => window.longTasks);
  const fmt = (ms: number) => `${Math.round(ms).toLocaleString("en")} ms`;
  console.log(`\nbench:dashboard — one search with ${TRIALS.toLocaleString("en")} finished trials, Chromium ${browser.context.browser()?.version() ?? ""}\n`);
  console.log("| the search page | time |");
  console.log("|---|---|");
  console.log(`| opened → points charts + analysis drawn | ${fmt(chartsMs)} |`);
  console.log(`| opened → settled (trial table loaded, polling stopped) | ${fmt(settledMs)} |`);
  console.log(`| long tasks (> 50 ms) meanwhile: count / longest / sum | ${tasks.length} / ${fmt(Math.max(0, ...tasks))} / ${fmt(tasks.reduce((a, b) => a + b, 0))} |`);

  // The anchor: the same 100k points on a canvas (uPlot) and as SVG circles, each until painted.
  const anchor = await page.evaluate(async (n: number) => {
    const { default: uPlot } = await import("/vendor/uplot/uPlot.esm.js" as string);
    const { densePoints } = await import("/js/charts/dense-points.js" as string);
    const xs = Array.from({ length: n }, (_, i) => 10 ** (-4 + (4 * ((i * 7919) % n)) / n));
    const ys = Array.from({ length: n }, (_, i) => 0.3 + ((i * 104729) % 1000) / 2000);
    const painted = () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    const box = document.createElement("div");
    document.body.append(box);
    const out: Record<string, number> = {};
    for (let rep = 0; rep < 3; rep++) {
      let s = 0;
      for (const [name, paths] of [["dense", densePoints], ["uplot", uPlot.paths.points()]]) {
        s = performance.now();
        const u = new uPlot(
          { mode: 2, width: 600, height: 300, scales: { x: { time: false, distr: 3 } }, legend: { live: false },
            series: [{}, { stroke: "#2f5bd3", fill: "#2f5bd388", paths, points: { show: false, size: 2, width: 0 } }] },
          [null, [xs, ys]], box);
        await painted();
        out[`${name}${rep}`] = performance.now() - s;
        u.destroy();
      }
      s = performance.now();
      const NS = "http://www.w3.org/2000/svg";
      const svg = document.createElementNS(NS, "svg");
      svg.setAttribute("viewBox", "0 0 600 300");
      svg.setAttribute("width", "600");
      for (let i = 0; i < n; i++) {
        const c = document.createElementNS(NS, "circle");
        c.setAttribute("cx", String((150 * (Math.log10(xs[i]) + 4))));
        c.setAttribute("cy", String(300 - 300 * ys[i]));
        c.setAttribute("r", "1");
        svg.append(c);
      }
      box.append(svg);
      await painted();
      out[`svg${rep}`] = performance.now() - s;
      svg.remove();
    }
    return out;
  }, TRIALS);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const denseMs = median([anchor.dense0!, anchor.dense1!, anchor.dense2!]);
  const uplotMs = median([anchor.uplot0!, anchor.uplot1!, anchor.uplot2!]);
  const svgMs = median([anchor.svg0!, anchor.svg1!, anchor.svg2!]);

  console.log(`\n| ${TRIALS.toLocaleString("en")} points until painted (median of 3, interleaved) | time | ratio |`);
  console.log("|---|---|---|");
  console.log(`| uPlot on a canvas, dense-points squares (ours, past 20,000 points) | ${fmt(denseMs)} | 1.0 |`);
  console.log(`| uPlot on a canvas, its own round points (ours up to 20,000) | ${fmt(uplotMs)} | ${(uplotMs / denseMs).toFixed(1)}× slower |`);
  console.log(`| SVG circles (anchor: the dashboard's former SVG charts) | ${fmt(svgMs)} | ${(svgMs / denseMs).toFixed(1)}× slower |`);
} finally {
  await browser.close();
  await app.close();
  await t.drop();
}
