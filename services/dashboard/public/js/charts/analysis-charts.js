// @ts-check
/**
 * The charts of the server's analysis (GET /v1/searches/:id/analysis): parallel coordinates
 * (positions already in [0, 1] per axis, at most ~1,500 lines sampled by the server) drawn on a
 * canvas, and parameter importance as uPlot bars with the method named under them.
 */
import { h, fill } from "../dom.js";
import { axisTicks, roundColour } from "../chart-data.js";
import { fmtNum, shortPath } from "../format.js";
import { PlotSlot, axis, uPlot, withAlpha } from "./plot.js";

/**
 * @typedef {{axes: Array<{name: string, scale: string, min: number|null, max: number|null, choices?: string[]}>,
 *   lines: Array<Array<number|null>>, round: number[], top: boolean[], offAxis: boolean[], sampled: number, total: number}} Parallel
 * @typedef {{method: string, trials: number, params: Array<{path: string, importance: number}>}} Importance
 */

const PAD = { left: 46, right: 46, top: 30, bottom: 44 };
const HEIGHT = 280;
const TOP_COLOUR = "#16a34a";
const OFF_COLOUR = "#f59e0b";

/** `parallel`: one line per trial across every parameter's axis and the objective's (last). */
export class ParallelChart {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "parallel-canvas" }));
    this.note = h("p", { class: "muted small" });
    el.append(this.canvas, this.note);
    this.box = el;
    /** @type {Parallel | null} */
    this.data = null;
    this.metric = "objective";
    this.width = 0;
    this.observer = new ResizeObserver(() => {
      if (Math.abs(this.box.clientWidth - this.width) > 1) this.draw();
    });
    this.observer.observe(el);
  }

  /** @param {Parallel} data @param {string} metric */
  update(data, metric) {
    this.data = data;
    this.metric = metric;
    this.box.dataset.drawn = String(data.lines.length);
    const off = data.offAxis.filter(Boolean).length;
    this.canvas.hidden = data.lines.length === 0;
    if (data.lines.length === 0) {
      fill(this.note, "No trial has parameters yet.");
      return;
    }
    fill(
      this.note,
      data.sampled < data.total ? `${data.sampled} of ${data.total} trials drawn (the server keeps the top 10% and an even sample of the rest). ` : `${data.total} trials. `,
      off > 0 ? `${off} without an objective (diverged or failed) run to the band under the ${metric} axis instead of stretching it. ` : "",
      "Green: the top 10%.",
    );
    this.draw();
  }

  draw() {
    const d = this.data;
    if (!d) return;
    this.width = this.box.clientWidth;
    const w = Math.max(200, this.width);
    const ratio = globalThis.devicePixelRatio || 1;
    this.canvas.width = Math.round(w * ratio);
    this.canvas.height = Math.round(HEIGHT * ratio);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${HEIGHT}px`;
    const ctx = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext("2d"));
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, HEIGHT);
    const n = d.axes.length;
    const xAt = (/** @type {number} */ k) => (n <= 1 ? w / 2 : PAD.left + (k * (w - PAD.left - PAD.right)) / (n - 1));
    const y0 = HEIGHT - PAD.bottom;
    const yAt = (/** @type {number} */ pos) => y0 - pos * (y0 - PAD.top);
    const offY = HEIGHT - 14;

    /** @param {number} i */
    const line = (i) => {
      ctx.beginPath();
      let pen = false;
      d.lines[i].forEach((pos, k) => {
        const y = pos === null ? (k === n - 1 && d.offAxis[i] ? offY : null) : yAt(pos);
        if (y === null) {
          pen = false;
          return;
        }
        if (pen) ctx.lineTo(xAt(k), y);
        else ctx.moveTo(xAt(k), y);
        pen = true;
      });
      ctx.stroke();
    };
    ctx.lineWidth = 1;
    // The rest first, the top 10% over them.
    for (let i = 0; i < d.lines.length; i++) {
      if (d.top[i]) continue;
      ctx.strokeStyle = d.offAxis[i] ? withAlpha(OFF_COLOUR, 0.35) : withAlpha(roundColour(d.round[i]), 0.25);
      line(i);
    }
    ctx.strokeStyle = withAlpha(TOP_COLOUR, 0.8);
    ctx.lineWidth = 1.5;
    for (let i = 0; i < d.lines.length; i++) if (d.top[i]) line(i);

    ctx.font = "11px system-ui, sans-serif";
    d.axes.forEach((ax, k) => {
      const x = xAt(k);
      ctx.strokeStyle = "#1d2330";
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, PAD.top);
      ctx.lineTo(x, y0);
      ctx.stroke();
      ctx.fillStyle = "#1d2330";
      ctx.textAlign = k === 0 ? "left" : k === n - 1 ? "right" : "center";
      const name = ax.name === "objective" ? this.metric : shortPath(ax.name);
      ctx.fillText(`${name}${ax.scale === "log" ? " (log)" : ""}`, k === 0 ? x - 8 : k === n - 1 ? x + 8 : x, PAD.top - 12);
      ctx.textAlign = k === n - 1 ? "right" : "left";
      ctx.fillStyle = "#6b7280";
      for (const t of axisTicks(ax, (v) => fmtNum(v))) ctx.fillText(t.label, k === n - 1 ? x - 4 : x + 4, yAt(t.pos) + 4);
    });
    if (d.offAxis.some(Boolean)) {
      ctx.fillStyle = OFF_COLOUR;
      ctx.textAlign = "right";
      ctx.fillText("no value (diverged / failed)", xAt(n - 1) - 4, offY - 4);
    }
  }

  destroy() {
    this.observer.disconnect();
  }
}

/** `importance`: each parameter's share of the objective's variance. */
export class ImportanceChart {
  /** @param {HTMLElement} el */
  constructor(el) {
    const plot = h("div", { class: "plot" });
    this.note = h("p", { class: "muted small" });
    el.append(plot, this.note);
    this.el = el;
    this.slot = new PlotSlot(plot, { height: 180 });
  }

  /** @param {Importance} imp @param {string} metric */
  update(imp, metric) {
    const labels = imp.params.map((p) => shortPath(p.path));
    this.el.dataset.drawn = String(imp.params.filter((p) => p.importance > 0).length);
    const xs = labels.map((_, k) => k);
    fill(this.note, imp.trials === 0 ? "" : `From ${imp.trials} completed trials. `, `Method: ${imp.method}.`);
    if (imp.trials === 0 || labels.length === 0) {
      this.slot.empty(labels.length === 0 ? "The space has no parameter." : "No completed trial yet.");
      return;
    }
    this.slot.draw(
      `imp|${labels.join(",")}`,
      {
        title: `importance for ${metric}`,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false, range: () => [-0.5, Math.max(0, labels.length - 1) + 0.5] }, y: { range: [0, 1] } },
        axes: [axis({ splits: () => xs, values: (_u, splits) => splits.map((v) => labels[v] ?? "") }), axis({ values: (_u, s) => s.map((v) => `${Math.round(v * 100)}%`) })],
        series: [{}, { label: "importance", fill: withAlpha("#2f5bd3", 0.75), stroke: "#2f5bd3", paths: /** @type {NonNullable<typeof uPlot.paths.bars>} */ (uPlot.paths.bars)({ size: [0.6, 90] }), points: { show: false } }],
      },
      [xs, imp.params.map((p) => p.importance)],
    );
  }
}
