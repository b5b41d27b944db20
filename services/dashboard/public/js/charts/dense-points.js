// @ts-check
/**
 * Scatter points for crowded charts: one square per occupied dot-sized cell of the plot instead
 * of an arc per point. uPlot's own point paths add an arc per point to one path and fill it once;
 * at 100,000 trials those arcs were most of the search page's longest main-thread task
 * (bench:dashboard). One fill paints the union of its dots at the series' alpha, so a second point
 * in a cell adds nothing to what is seen, and at the 2 px dots crowded charts use a square looks
 * like a circle. Dots snap to the cell grid (at most one dot size off), so every cell that holds a
 * point is painted whole.
 */

/**
 * The occupied cells of a grid of `dia`-sized cells over the box, in first-seen order, as their
 * top-left corners in canvas pixels: flat [x0, y0, x1, y1, …]. Points without a y, non-finite ones
 * and those outside the box are left out (the clip would hide them).
 * @param {ArrayLike<number>} px
 * @param {ArrayLike<number | null>} py
 * @param {{left: number, top: number, width: number, height: number}} box
 * @param {number} dia cell (dot) size in canvas pixels (≥ 1)
 * @returns {number[]}
 */
export function denseCells(px, py, box, dia) {
  const cols = Math.ceil(box.width / dia) + 1;
  const rows = Math.ceil(box.height / dia) + 1;
  const taken = new Uint8Array(cols * rows);
  /** @type {number[]} */
  const out = [];
  for (let i = 0; i < px.length; i++) {
    const x = px[i];
    const y = py[i];
    if (y === null || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    const cx = Math.floor((x - box.left) / dia);
    const cy = Math.floor((y - box.top) / dia);
    if (cx < 0 || cy < 0 || cx >= cols || cy >= rows) continue;
    const cell = cy * cols + cx;
    if (taken[cell]) continue;
    taken[cell] = 1;
    out.push(box.left + cx * dia, box.top + cy * dia);
  }
  return out;
}

/**
 * A uPlot `paths` builder drawing `denseCells` as squares of the series' `points.size`. Works in
 * mode 1 (x from data[0]) and mode 2 (each series its own [xs, ys] facets).
 * @type {import("../../vendor/uplot/uPlot.esm.js").default.Series.PathBuilder}
 */
export const densePoints = (u, seriesIdx, idx0, idx1) => {
  const s = u.series[seriesIdx];
  const data = /** @type {any} */ (u.data);
  const facetted = /** @type {any} */ (u).mode === 2; // uPlot sets `mode` on the instance; its types omit it
  const facets = /** @type {any} */ (s).facets;
  const xs = facetted ? data[seriesIdx][0] : data[0];
  const ys = facetted ? data[seriesIdx][1] : data[seriesIdx];
  const xKey = facetted ? facets[0].scale : "x";
  const yKey = facetted ? facets[1].scale : /** @type {string} */ (s.scale);
  const n = idx1 - idx0 + 1;
  const px = new Float64Array(n);
  const py = new Array(n);
  for (let i = 0; i < n; i++) {
    const y = ys[idx0 + i];
    px[i] = u.valToPos(xs[idx0 + i], xKey, true);
    py[i] = y === null || y === undefined ? null : u.valToPos(y, yKey, true);
  }
  const dia = Math.max(1, Math.round((s.points?.size ?? 2) * devicePixelRatio));
  const cells = denseCells(px, py, u.bbox, dia);
  const fill = new Path2D();
  for (let i = 0; i < cells.length; i += 2) fill.rect(/** @type {number} */ (cells[i]), /** @type {number} */ (cells[i + 1]), dia, dia);
  const clip = new Path2D();
  clip.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  return { stroke: null, fill, clip, flags: 0 };
};
