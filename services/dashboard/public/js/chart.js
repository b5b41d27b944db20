// @ts-check
/**
 * Learning curves as inline SVG. The maths (extents, nice ticks, scales, path strings) are
 * pure functions; `lineChart` assembles the SVG element from them.
 */
import { s } from "./dom.js";
import { fmtNum } from "./format.js";

/**
 * @typedef {{x: number, y: number | null}} Point
 * @typedef {{name: string, cls: string, points: Point[]}} Series
 */

/**
 * [min, max] of the finite values, or null when there is none.
 * @param {Iterable<number | null | undefined>} values
 * @returns {[number, number] | null}
 */
export function extent(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Round tick values covering [lo, hi] with a step of 1, 2 or 5 × 10^k (about `count` ticks).
 * The returned domain is widened to the outer ticks. A zero-width range is padded first.
 * @param {number} lo
 * @param {number} hi
 * @param {{count?: number, integer?: boolean}} [opts] integer: steps of at least 1 (epochs)
 * @returns {{lo: number, hi: number, ticks: number[]}}
 */
export function niceTicks(lo, hi, { count = 5, integer = false } = {}) {
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = integer ? 1 : Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * mag).find((st) => st >= raw) ?? 10 * mag;
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const ticks = [];
  // Index-based so float steps do not accumulate error; toPrecision trims 0.30000000000000004.
  for (let i = 0; first + i * step <= last + step * 1e-9; i++) ticks.push(Number((first + i * step).toPrecision(12)));
  return { lo: first, hi: last, ticks };
}

/**
 * Maps [d0, d1] linearly onto [r0, r1].
 * @param {[number, number]} domain
 * @param {[number, number]} range
 * @returns {(v: number) => number}
 */
export function linearScale([d0, d1], [r0, r1]) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/**
 * An SVG path through the points ("M x y L x y ..."), in the order given. A missing or
 * non-finite y breaks the line: the next point starts a new sub-path with "M".
 * @param {Point[]} points
 * @param {(v: number) => number} x
 * @param {(v: number) => number} y
 */
export function linePath(points, x, y) {
  const parts = [];
  let pen = "M";
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y)) {
      pen = "M";
      continue;
    }
    parts.push(`${pen}${round2(x(p.x))} ${round2(y(p.y))}`);
    pen = "L";
  }
  return parts.join(" ");
}

/** @param {number} v */
const round2 = (v) => Math.round(v * 100) / 100;

const MARGIN = { left: 52, right: 14, top: 30, bottom: 34 };

/**
 * A line chart of a few series over epochs, with a legend, grid lines, and a tooltip per point.
 * @param {{title: string, series: Series[], yDomain?: [number, number], yFormat?: (v: number) => string,
 *   width?: number, height?: number, xLabel?: string, empty?: string}} opts empty: the text shown without data
 * @returns {SVGElement}
 */
export function lineChart({ title, series, yDomain, yFormat = (v) => fmtNum(v), width = 460, height = 240, xLabel = "epoch", empty = "no data yet" }) {
  const all = series.flatMap((se) => se.points);
  const drawn = all.filter((p) => p.y !== null && Number.isFinite(p.y));
  const xs = extent(drawn.map((p) => p.x));
  const ys = yDomain ?? extent(drawn.map((p) => p.y));
  if (!xs || !ys) {
    // A short box rather than an empty plot area.
    const box = s("svg", { class: "chart", viewBox: `0 0 ${width} 40`, role: "img", "aria-label": `${title}: ${empty}` });
    box.append(s("text", { x: width / 2, y: 24, class: "chart-empty", "text-anchor": "middle" }, `${title}: ${empty}`));
    return box;
  }
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title });
  svg.append(s("title", {}, title));
  const xt = niceTicks(xs[0], xs[1], { count: 6, integer: true });
  const yt = yDomain ? { lo: ys[0], hi: ys[1], ticks: niceTicks(ys[0], ys[1], { count: 4 }).ticks } : niceTicks(ys[0], ys[1], { count: 4 });
  const x = linearScale([xt.lo, xt.hi], [MARGIN.left, width - MARGIN.right]);
  const y = linearScale([yt.lo, yt.hi], [height - MARGIN.bottom, MARGIN.top]);

  const grid = s("g", { class: "chart-grid" });
  for (const t of yt.ticks) {
    grid.append(s("line", { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(t), y2: y(t) }));
    grid.append(s("text", { x: MARGIN.left - 6, y: y(t) + 4, "text-anchor": "end" }, yFormat(t)));
  }
  for (const t of xt.ticks) grid.append(s("text", { x: x(t), y: height - MARGIN.bottom + 16, "text-anchor": "middle" }, String(t)));
  grid.append(s("text", { x: (MARGIN.left + width - MARGIN.right) / 2, y: height - 4, "text-anchor": "middle", class: "chart-label" }, xLabel));
  svg.append(grid);

  const legend = s("g", { class: "chart-legend" });
  let lx = MARGIN.left;
  for (const se of series) {
    legend.append(s("line", { x1: lx, x2: lx + 16, y1: 12, y2: 12, class: `series ${se.cls}` }));
    legend.append(s("text", { x: lx + 20, y: 16 }, se.name));
    lx += 28 + se.name.length * 7;
  }
  legend.append(s("text", { x: width - MARGIN.right, y: 16, "text-anchor": "end", class: "chart-title" }, title));
  svg.append(legend);

  for (const se of series) {
    svg.append(s("path", { d: linePath(se.points, x, y), class: `series ${se.cls}`, fill: "none" }));
    const dots = s("g", { class: `dots ${se.cls}` });
    for (const p of se.points) {
      if (p.y === null || !Number.isFinite(p.y)) continue;
      dots.append(s("circle", { cx: x(p.x), cy: y(p.y), r: se.points.length > 40 ? 1.5 : 2.5 }, s("title", {}, `${xLabel} ${p.x} · ${se.name} ${yFormat(p.y)}`)));
    }
    svg.append(dots);
  }
  return svg;
}

/**
 * The two learning-curve charts of a trial (loss; accuracy on [0, 1]).
 * @param {Array<{epoch: number, trainLoss: number|null, valLoss: number|null, trainAccuracy: number|null, valAccuracy: number|null}>} curve
 * @param {{final?: boolean}} [opts] final: the trial will add no more epochs
 * @returns {SVGElement[]}
 */
export function curveCharts(curve, { final = false } = {}) {
  const empty = final ? "no epoch completed" : "no epoch yet";
  /** @param {"trainLoss"|"valLoss"|"trainAccuracy"|"valAccuracy"} key */
  const pts = (key) => curve.map((c) => ({ x: c.epoch, y: c[key] }));
  return [
    lineChart({ title: "loss", empty, series: [{ name: "train", cls: "train", points: pts("trainLoss") }, { name: "val", cls: "val", points: pts("valLoss") }] }),
    lineChart({
      title: "accuracy",
      empty,
      yDomain: [0, 1],
      yFormat: (v) => `${Math.round(v * 100)}%`,
      series: [{ name: "train", cls: "train", points: pts("trainAccuracy") }, { name: "val", cls: "val", points: pts("valAccuracy") }],
    }),
  ];
}
