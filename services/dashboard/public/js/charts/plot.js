// @ts-check
/**
 * One uPlot chart in a container: redrawn with setData while its series stay the same (a poll
 * that adds trials), rebuilt when they change, and resized with its container (1280 px to a phone).
 * uPlot is vendored (services/dashboard/public/vendor/uplot): canvas charts that draw 100,000
 * points in tens of milliseconds, 50 kB minified, no dependencies, and it styles elements only
 * through CSSOM, which the API's CSP allows.
 */
import uPlot from "../../vendor/uplot/uPlot.esm.js";
import { h } from "../dom.js";
import { densePoints } from "./dense-points.js";

export { uPlot };

/** Plot height in CSS pixels (the same on every screen: charts stack on a phone). */
const HEIGHT = 220;

export class PlotSlot {
  /**
   * @param {HTMLElement} el the container (its width is the chart's)
   * @param {{height?: number}} [opts]
   */
  constructor(el, { height = HEIGHT } = {}) {
    this.el = el;
    this.height = height;
    /** @type {uPlot | null} */
    this.plot = null;
    this.key = "";
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(el);
  }

  /**
   * @param {string} key what the series are (same key: only the data changed)
   * @param {Omit<uPlot.Options, "width" | "height">} opts
   * @param {uPlot.AlignedData} data
   */
  draw(key, opts, data) {
    if (this.plot && key === this.key) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.el.replaceChildren();
    this.plot = new uPlot({ ...opts, width: this.width(), height: this.height }, data, this.el);
    this.key = key;
  }

  /** No chart: a line of text in its place (no data yet). @param {string} text */
  empty(text) {
    this.plot?.destroy();
    this.plot = null;
    this.key = "";
    this.el.replaceChildren(h("p", { class: "chart-empty-note muted" }, text));
  }

  width() {
    return Math.max(160, Math.floor(this.el.clientWidth));
  }

  resize() {
    const w = this.width();
    if (this.plot && Math.abs(this.plot.width - w) > 1) this.plot.setSize({ width: w, height: this.height });
  }

  destroy() {
    this.observer.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }
}

/** A colour with an alpha (hex #rrggbb + aa). @param {string} hex @param {number} alpha 0..1 */
export const withAlpha = (hex, alpha) => `${hex}${Math.round(alpha * 255).toString(16).padStart(2, "0")}`;

/** Past this many points a chart's dots are 2 px squares without overdraw (dense-points.js). */
const CROWDED = 20_000;

/** Point size for n points: smaller as they crowd. @param {number} n */
export const pointSize = (n) => (n > CROWDED ? 2 : n > 2000 ? 3 : 5);

/** The paths of n scatter points: uPlot's round dots, or dense-points' squares once they crowd. @param {number} n */
export const pointPaths = (n) => (n > CROWDED ? densePoints : /** @type {NonNullable<typeof uPlot.paths.points>} */ (uPlot.paths.points)());

/** Axis defaults shared by the charts (grid and tick colours from the stylesheet's palette). */
export const axis = (/** @type {Partial<uPlot.Axis>} */ extra = {}) => ({ stroke: "#6b7280", grid: { stroke: "#e3e6eb", width: 1 }, ticks: { stroke: "#e3e6eb", width: 1 }, ...extra });
