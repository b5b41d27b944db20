// @ts-check
/**
 * The charts drawn from the columnar points (one point per trial): the objective against each
 * parameter (log x for log-uniform ones, coloured by round), the objective in finish order with
 * the best so far, and train against validation accuracy.
 */
import { h } from "../dom.js";
import { accuracyGap, history, paramScatter, roundColour } from "../chart-data.js";
import { fmtNum, shortPath } from "../format.js";
import { PlotSlot, axis, pointPaths, pointSize, uPlot, withAlpha } from "./plot.js";

/** @typedef {import("../chart-data.js").ChartPoints} ChartPoints */
/** @typedef {import("../chart-data.js").Facet} Facet */

/** Scatter series, one per round (uPlot's mode 2: each series its own x and y arrays). @param {Facet[]} facets */
function roundSeries(facets) {
  const n = facets.reduce((k, f) => k + f.xs.length, 0);
  const size = pointSize(n);
  return facets.map((f) => ({
    label: `round ${f.round}`,
    stroke: roundColour(f.round),
    fill: withAlpha(roundColour(f.round), 0.55),
    paths: pointPaths(n),
    points: { show: false, size, width: 0 },
  }));
}

/** @param {Facet[]} facets */
const facetData = (facets) => /** @type {uPlot.AlignedData} */ (/** @type {unknown} */ ([null, ...facets.map((f) => [f.xs, f.ys])]));

/** Mode-2 charts have no single x per cursor position: the legend shows names, not values. */
const scatterBase = { mode: /** @type {2} */ (2), legend: { live: false }, cursor: { drag: { x: false, y: false }, points: { show: false } } };

/** `param-scatter`: one chart per parameter. */
export class ParamScatter {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.el = el;
    /** @type {Map<string, PlotSlot>} */
    this.slots = new Map();
  }

  /** @param {ChartPoints} p */
  update(p) {
    const metric = p.objective.metric;
    const paths = p.params.map((c) => c.path);
    if (paths.join("\n") !== [...this.slots.keys()].join("\n")) {
      for (const slot of this.slots.values()) slot.destroy();
      this.slots.clear();
      this.el.replaceChildren(...(paths.length === 0 ? [h("p", { class: "muted" }, "The space has no parameter.")] : []));
      for (const path of paths) {
        const box = h("div", { class: "plot", "data-param": path });
        this.el.append(box);
        this.slots.set(path, new PlotSlot(box));
      }
    }
    let drawn = 0;
    for (const col of p.params) {
      const sc = paramScatter(p, col);
      drawn += sc.facets.reduce((n, f) => n + f.xs.length, 0);
      const choices = sc.choices;
      const slot = /** @type {PlotSlot} */ (this.slots.get(col.path));
      if (sc.facets.length === 0) {
        slot.empty(`${shortPath(col.path)}: no completed trial yet`);
        continue;
      }
      slot.draw(
        `${col.scale}|${sc.facets.map((f) => f.round).join(",")}`,
        {
          ...scatterBase,
          title: `${metric} vs ${shortPath(col.path)}${sc.log ? " (log)" : ""}`,
          scales: {
            x: choices ? { time: false, range: () => [-0.5, choices.length - 0.5] } : { time: false, distr: sc.log ? 3 : 1 },
            y: { auto: true },
          },
          axes: [
            axis({
              label: col.path,
              ...(choices ? { splits: () => choices.map((_, k) => k), values: (_u, splits) => splits.map((v) => choices[v] ?? "") } : {}),
            }),
            axis({ label: metric, values: (_u, splits) => splits.map((v) => fmtNum(v)) }),
          ],
          series: [{}, ...roundSeries(sc.facets)],
        },
        facetData(sc.facets),
      );
    }
    this.el.dataset.drawn = String(drawn);
  }
}

/** `history`: each final trial's objective in finish order, and the best-so-far line. Click a point to plot its curves. */
export class History {
  /**
   * @param {HTMLElement} el
   * @param {(trialIndex: number) => void} onPick called with the picked trial's index into the points' columns
   */
  constructor(el, onPick) {
    this.el = el;
    this.slot = new PlotSlot(el);
    this.onPick = onPick;
    /** @type {number[]} */
    this.at = [];
  }

  /** @param {ChartPoints} p */
  update(p) {
    const hist = history(p);
    this.at = hist.at;
    this.el.dataset.drawn = String(hist.value.filter((v) => v !== null).length);
    const metric = p.objective.metric;
    if (hist.x.length === 0) {
      this.slot.empty("No trial has finished yet.");
      return;
    }
    const first = this.slot.plot === null;
    this.slot.draw(
      "history",
      {
        title: `${metric} by finish order (click a point: its curves)`,
        scales: { x: { time: false } },
        axes: [axis({ label: "trials finished" }), axis({ label: metric, values: (_u, splits) => splits.map((v) => fmtNum(v)) })],
        series: [
          { label: "trial" },
          { label: metric, stroke: "#2f5bd3", fill: withAlpha("#2f5bd3", 0.5), paths: pointPaths(hist.x.length), points: { show: false, size: pointSize(hist.x.length), width: 0 } },
          { label: "best so far", stroke: "#16a34a", width: 2, paths: /** @type {NonNullable<typeof uPlot.paths.stepped>} */ (uPlot.paths.stepped)({ align: 1 }), spanGaps: true, points: { show: false } },
        ],
      },
      [hist.x, hist.value, hist.best],
    );
    if (first && this.slot.plot) {
      const u = this.slot.plot;
      u.over.addEventListener("click", () => {
        const idx = u.cursor.idx;
        if (idx !== null && idx !== undefined && this.at[idx] !== undefined) this.onPick(this.at[idx]);
      });
    }
  }
}

/** `gap`: train accuracy (x) against validation accuracy (y) per trial; the diagonal is "no gap". */
export class AccuracyGap {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.el = el;
    this.slot = new PlotSlot(el);
  }

  /** @param {ChartPoints} p */
  update(p) {
    const facets = accuracyGap(p);
    this.el.dataset.drawn = String(facets.reduce((n, f) => n + f.xs.length, 0));
    if (facets.length === 0) {
      this.slot.empty("No trial has train and val accuracies yet.");
      return;
    }
    const pct = (/** @type {number[]} */ splits) => splits.map((v) => `${Math.round(v * 100)}%`);
    this.slot.draw(
      `gap|${facets.map((f) => f.round).join(",")}`,
      {
        ...scatterBase,
        title: "train vs val accuracy (below the diagonal: overfitting)",
        scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
        axes: [axis({ label: "train accuracy", values: (_u, s) => pct(s) }), axis({ label: "val accuracy", values: (_u, s) => pct(s) })],
        series: [{}, ...roundSeries(facets)],
        hooks: { drawAxes: [diagonal] },
      },
      facetData(facets),
    );
  }
}

/** The y = x line under the points. @param {uPlot} u */
function diagonal(u) {
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = "#9aa3b2";
  ctx.setLineDash([4, 4]);
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(u.valToPos(0, "x", true), u.valToPos(0, "y", true));
  ctx.lineTo(u.valToPos(1, "x", true), u.valToPos(1, "y", true));
  ctx.stroke();
  ctx.restore();
}
