// @ts-check
/**
 * `curves`: validation loss and accuracy per epoch of the top trials, a few stopped ones and the
 * picked trial, overlaid. A stopped trial (diverged, pruned, timed out) ends in a × at the epoch
 * where it stopped, labelled with its stopReason. Loss is on a log axis, so a diverging loss
 * shows its climb without flattening the others.
 */
import { alignedCurves } from "../chart-data.js";
import { h } from "../dom.js";
import { fmtNum } from "../format.js";
import { PlotSlot, axis } from "./plot.js";

/**
 * @typedef {{id: string, round: number, index: number, status: string, stopReason: string | null,
 *   curve: Array<{epoch: number, valLoss: number|null, valAccuracy: number|null}>}} CurveTrial
 * @typedef {{trial: CurveTrial, role: "top" | "stopped" | "picked"}} Entry
 */

const TOP = ["#1e3a8a", "#2f5bd3", "#3b82f6", "#60a5fa", "#93c5fd"];
const STOPPED = "#f59e0b";
const PICKED = "#db2777";

/** @param {Entry} e @param {number} k */
const colourOf = (e, k) => (e.role === "picked" ? PICKED : e.role === "stopped" ? STOPPED : TOP[Math.min(k, TOP.length - 1)]);

/** @param {Entry} e */
function labelOf(e) {
  const t = e.trial;
  const name = `${t.round}.${t.index}`;
  if (e.role === "picked") return `${name} (picked)`;
  if (t.status === "stopped") return `${name} × ${t.stopReason ?? "stopped"} after ${t.curve.length} epoch${t.curve.length === 1 ? "" : "s"}`;
  return name;
}

export class CurvesChart {
  /** @param {HTMLElement} el */
  constructor(el) {
    const loss = h("div", { class: "plot" });
    const acc = h("div", { class: "plot" });
    this.note = h("p", { class: "muted small" });
    el.append(h("div", { class: "charts" }, loss, acc), this.note);
    this.el = el;
    this.loss = new PlotSlot(loss);
    this.acc = new PlotSlot(acc);
  }

  /** @param {Entry[]} entries */
  update(entries) {
    if (entries.every((e) => e.trial.curve.length === 0)) {
      this.el.dataset.drawn = "0";
      this.note.textContent = "";
      this.loss.empty("No trial has finished an epoch yet.");
      this.acc.empty("");
      return;
    }
    this.note.textContent = "Blue: the top trials by rank; amber: stopped trials, × where they stopped; pink: the trial picked in the history chart.";
    const key = entries.map((e) => `${e.trial.id}:${e.role}`).join(",");
    this.el.dataset.drawn = String(entries.filter((e) => e.trial.curve.length > 0).length);
    this.draw(this.loss, key, entries, "valLoss", { title: "val loss per epoch (log)", scale: { distr: 3 }, fmt: (v) => fmtNum(v) });
    this.draw(this.acc, key, entries, "valAccuracy", { title: "val accuracy per epoch", scale: { range: [0, 1] }, fmt: (v) => `${Math.round(v * 100)}%` });
  }

  /**
   * @param {PlotSlot} slot
   * @param {string} key
   * @param {Entry[]} entries
   * @param {"valLoss" | "valAccuracy"} metric
   * @param {{title: string, scale: Record<string, unknown>, fmt: (v: number) => string}} o
   */
  draw(slot, key, entries, metric, o) {
    const { epochs, series } = alignedCurves(entries.map((e) => e.trial), metric);
    let k = 0;
    const styled = entries.map((e) => {
      const colour = colourOf(e, e.role === "top" ? k++ : 0);
      return { label: labelOf(e), stroke: colour, width: e.role === "picked" ? 3 : 1.5, spanGaps: false, points: { show: epochs.length <= 12, size: 5, fill: colour } };
    });
    slot.draw(
      `${key}|${epochs.length}`,
      {
        title: o.title,
        scales: { x: { time: false }, y: /** @type {any} */ (o.scale) },
        axes: [axis({ label: "epoch", incrs: [1, 2, 5, 10, 20, 50, 100] }), axis({ values: (_u, s) => s.map((v) => (v === null ? "" : o.fmt(v))) })],
        series: [{ label: "epoch" }, ...styled],
        hooks: { draw: [(u) => stopMarks(u, entries, series)] },
      },
      [epochs, ...series],
    );
  }
}

/**
 * A × at each stopped trial's last drawn point, with its reason.
 * @param {import("./plot.js").uPlot} u
 * @param {Entry[]} entries
 * @param {Array<Array<number | null>>} series
 */
function stopMarks(u, entries, series) {
  const ctx = u.ctx;
  const r = 5 * devicePixelRatio;
  ctx.save();
  ctx.lineWidth = 2 * devicePixelRatio;
  ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
  entries.forEach((e, s) => {
    if (e.trial.status !== "stopped") return;
    const ys = series[s];
    let last = ys.length - 1;
    while (last >= 0 && ys[last] === null) last--;
    const epoch = last >= 0 ? last + 1 : Math.max(1, e.trial.curve.length);
    const x = u.valToPos(epoch, "x", true);
    // No finite value at all (non-finite from the start): mark it at the top edge.
    const y = last >= 0 ? u.valToPos(/** @type {number} */ (ys[last]), "y", true) : u.bbox.top + r;
    ctx.strokeStyle = STOPPED;
    ctx.beginPath();
    ctx.moveTo(x - r, y - r);
    ctx.lineTo(x + r, y + r);
    ctx.moveTo(x + r, y - r);
    ctx.lineTo(x - r, y + r);
    ctx.stroke();
    ctx.fillStyle = "#92400e";
    ctx.textAlign = x > u.bbox.left + u.bbox.width / 2 ? "right" : "left";
    ctx.fillText(e.trial.stopReason ?? "stopped", x + (ctx.textAlign === "right" ? -r * 1.6 : r * 1.6), y - r);
  });
  ctx.restore();
}
