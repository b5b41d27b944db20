import { scaleLinear, scaleLog } from "d3-scale";
import { line } from "d3-shape";

/**
 * A tiny SVG chart kit for the experiment figures: d3-scale gives the scales and their "nice"
 * ticks, d3-shape the path strings; this file only lays out axes, labels and legends as SVG text.
 * A panel is drawn into a box of `width × height` user units; `figure` tiles panels.
 */

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"];

export interface Series {
  label: string;
  /** [x, y] points; non-finite y breaks the line. */
  points: ReadonlyArray<readonly [number, number]>;
  color?: string;
  dashed?: boolean;
  /** Draw dots instead of (or as well as) a line. */
  dots?: boolean;
  noLine?: boolean;
}

export interface Axis {
  label: string;
  log?: boolean;
  /** Fixed domain; otherwise from the data. */
  domain?: [number, number];
}

export interface LinePanel {
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
  /** Horizontal reference lines (e.g. ln C). */
  hlines?: { y: number; label: string }[];
  /** Raw SVG drawn under the series (e.g. contours), given the scales. */
  underlay?: (sx: (v: number) => number, sy: (v: number) => number) => string;
  legend?: boolean;
}

const MARGIN = { top: 24, right: 10, bottom: 36, left: 52 };

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function fmt(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-2) return v.toExponential(0).replace("e+", "e");
  return String(Number(v.toPrecision(3)));
}

function makeScale(axis: Axis, values: number[], range: [number, number]) {
  const vals = values.filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  let [lo, hi] = axis.domain ?? [Math.min(...vals), Math.max(...vals)];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = axis.log ? [1, 10] : [0, 1];
  if (lo === hi) [lo, hi] = axis.log ? [lo / 2, hi * 2] : [lo - 1, hi + 1];
  const s = axis.log ? scaleLog().domain([lo, hi]).range(range) : scaleLinear().domain([lo, hi]).range(range);
  if (!axis.domain) s.nice();
  return s;
}

/** One chart of line/dot series; returns SVG content for a box at the origin. */
export function linePanel(p: LinePanel, width: number, height: number): string {
  const xs = p.series.flatMap((s) => s.points.map((q) => q[0]));
  const ys = [...p.series.flatMap((s) => s.points.map((q) => q[1])), ...(p.hlines ?? []).map((h) => h.y)];
  const iw = width - MARGIN.left - MARGIN.right;
  const ih = height - MARGIN.top - MARGIN.bottom;
  const sx = makeScale(p.x, xs, [0, iw]);
  const sy = makeScale(p.y, ys, [ih, 0]);
  const [y0, y1] = sy.domain() as [number, number];
  const clampY = (v: number) => Math.max(Math.min(v, Math.max(y0, y1)), Math.min(y0, y1));
  const out: string[] = [];
  out.push(`<text x="${width / 2}" y="15" text-anchor="middle" font-size="12" font-weight="bold">${esc(p.title)}</text>`);
  out.push(`<g transform="translate(${MARGIN.left},${MARGIN.top})">`);
  out.push(`<defs><clipPath id="c${clipId}"><rect width="${iw}" height="${ih}"/></clipPath></defs>`);
  const clip = `clip-path="url(#c${clipId++})"`;
  out.push(`<rect width="${iw}" height="${ih}" fill="none" stroke="#999"/>`);
  for (const t of sx.ticks(p.x.log ? 4 : 6)) {
    const X = sx(t);
    if (p.x.log && !isDecade(t)) continue;
    out.push(`<line x1="${X}" x2="${X}" y1="${ih}" y2="${ih + 4}" stroke="#666"/><text x="${X}" y="${ih + 15}" text-anchor="middle" font-size="10">${fmt(t)}</text>`);
  }
  for (const t of sy.ticks(p.y.log ? 4 : 5)) {
    const Y = sy(t);
    if (p.y.log && !isDecade(t)) continue;
    out.push(`<line x1="-4" x2="0" y1="${Y}" y2="${Y}" stroke="#666"/><text x="-6" y="${Y + 3}" text-anchor="end" font-size="10">${fmt(t)}</text>`);
  }
  out.push(`<text x="${iw / 2}" y="${ih + 30}" text-anchor="middle" font-size="11">${esc(p.x.label)}</text>`);
  out.push(`<text transform="translate(-40,${ih / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(p.y.label)}</text>`);
  // The legend goes under the data, so no point can hide behind it.
  if (p.legend !== false && p.series.length > 1) out.push(legend(p.series, iw));
  out.push(`<g ${clip}>`);
  if (p.underlay) out.push(p.underlay((v) => sx(v), (v) => sy(v)));
  for (const h of p.hlines ?? []) {
    const Y = sy(h.y);
    out.push(`<line x1="0" x2="${iw}" y1="${Y}" y2="${Y}" stroke="#444" stroke-dasharray="2 3"/><text x="${iw - 3}" y="${Y - 3}" text-anchor="end" font-size="9" fill="#444">${esc(h.label)}</text>`);
  }
  p.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const ok = (q: readonly [number, number]) => Number.isFinite(q[1]) && Number.isFinite(q[0]) && (!p.y.log || q[1] > 0) && (!p.x.log || q[0] > 0);
    if (!s.noLine) {
      const d = line<readonly [number, number]>().defined(ok).x((q) => sx(q[0])).y((q) => sy(clampY(q[1])))(s.points);
      if (d) out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/>`);
    }
    if (s.dots) for (const q of s.points.filter(ok)) out.push(`<circle cx="${sx(q[0]).toFixed(1)}" cy="${sy(clampY(q[1])).toFixed(1)}" r="2.2" fill="${color}"/>`);
  });
  out.push(`</g>`);
  out.push(`</g>`);
  return out.join("\n");
}

let clipId = 0;

function isDecade(t: number): boolean {
  const l = Math.log10(t);
  return Math.abs(l - Math.round(l)) < 1e-9;
}

function legend(series: Series[], iw: number): string {
  // ~5 user units per character of 9-px text, plus the swatch.
  const w = Math.min(iw, 24 + 5 * Math.max(...series.map((s) => s.label.length)));
  const x0 = iw - w - 2;
  const rows = series.map((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const y = 10 + i * 12;
    return `<line x1="${x0 + 4}" x2="${x0 + 18}" y1="${y - 3}" y2="${y - 3}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 2"' : ""}/><text x="${x0 + 22}" y="${y}" font-size="9">${esc(s.label)}</text>`;
  });
  return `<g><rect x="${x0}" y="2" width="${w}" height="${series.length * 12 + 4}" fill="white" fill-opacity="0.6" stroke="#ccc"/>${rows.join("")}</g>`;
}

export interface BarPanel {
  title: string;
  yLabel: string;
  bars: { label: string; value: number; color?: string }[];
  hlines?: { y: number; label: string }[];
}

/** Vertical bars with labels under them. */
export function barPanel(p: BarPanel, width: number, height: number): string {
  const iw = width - MARGIN.left - MARGIN.right;
  const ih = height - MARGIN.top - MARGIN.bottom;
  const ys = [0, ...p.bars.map((b) => b.value), ...(p.hlines ?? []).map((h) => h.y)];
  const sy = scaleLinear().domain([Math.min(...ys), Math.max(...ys)]).range([ih, 0]).nice();
  const bw = iw / p.bars.length;
  const out: string[] = [`<text x="${width / 2}" y="15" text-anchor="middle" font-size="12" font-weight="bold">${esc(p.title)}</text>`];
  out.push(`<g transform="translate(${MARGIN.left},${MARGIN.top})"><rect width="${iw}" height="${ih}" fill="none" stroke="#999"/>`);
  for (const t of sy.ticks(5)) out.push(`<text x="-6" y="${sy(t) + 3}" text-anchor="end" font-size="10">${fmt(t)}</text><line x1="-4" x2="0" y1="${sy(t)}" y2="${sy(t)}" stroke="#666"/>`);
  p.bars.forEach((b, i) => {
    const top = sy(Math.max(0, b.value));
    const h = Math.abs(sy(b.value) - sy(0));
    out.push(`<rect x="${i * bw + bw * 0.15}" y="${top}" width="${bw * 0.7}" height="${h}" fill="${b.color ?? PALETTE[i % PALETTE.length]}"/>`);
    out.push(`<text x="${i * bw + bw / 2}" y="${top - 3}" text-anchor="middle" font-size="9">${fmt(b.value)}</text>`);
    out.push(`<text x="${i * bw + bw / 2}" y="${ih + 13}" text-anchor="middle" font-size="9">${esc(b.label)}</text>`);
  });
  for (const h of p.hlines ?? []) out.push(`<line x1="0" x2="${iw}" y1="${sy(h.y)}" y2="${sy(h.y)}" stroke="#444" stroke-dasharray="2 3"/><text x="${iw - 3}" y="${sy(h.y) - 3}" text-anchor="end" font-size="9">${esc(h.label)}</text>`);
  out.push(`<text transform="translate(-40,${ih / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(p.yLabel)}</text></g>`);
  return out.join("\n");
}

export interface HistogramPanel {
  title: string;
  /** Bin counts over [lo, hi), equal widths. */
  counts: number[];
  lo: number;
  hi: number;
}

/** A compact histogram (no y axis: the shape is what matters), x ticks at lo, 0, hi. */
export function histogramPanel(p: HistogramPanel, width: number, height: number): string {
  const m = { top: 18, bottom: 16, left: 6, right: 6 };
  const iw = width - m.left - m.right;
  const ih = height - m.top - m.bottom;
  const max = Math.max(1, ...p.counts);
  const bw = iw / p.counts.length;
  const bars = p.counts.map((c, i) => `<rect x="${(i * bw).toFixed(2)}" y="${(ih - (c / max) * ih).toFixed(2)}" width="${bw.toFixed(2)}" height="${((c / max) * ih).toFixed(2)}" fill="#1f77b4"/>`).join("");
  const sx = scaleLinear().domain([p.lo, p.hi]).range([0, iw]);
  const ticks = [p.lo, (p.lo + p.hi) / 2, p.hi].map((t) => `<text x="${sx(t)}" y="${ih + 11}" text-anchor="middle" font-size="8">${fmt(t)}</text>`).join("");
  return `<text x="${width / 2}" y="12" text-anchor="middle" font-size="10">${esc(p.title)}</text><g transform="translate(${m.left},${m.top})"><rect width="${iw}" height="${ih}" fill="none" stroke="#ccc"/>${bars}${ticks}</g>`;
}

export interface FigureOptions {
  title: string;
  /** Sentences under the panels: how it was measured, seeds, the verdict. */
  caption: string;
  columns: number;
  panelWidth: number;
  panelHeight: number;
}

/** Tiles panels (each a function of its box size) into one standalone SVG document. */
export function figure(panels: ((w: number, h: number) => string)[], o: FigureOptions): string {
  const rows = Math.ceil(panels.length / o.columns);
  // Wide enough for the title (~8.5 units per character of 15-px bold text).
  const width = Math.max(o.columns * o.panelWidth, Math.ceil(o.title.length * 8.5));
  const captionLines = wrap(o.caption, Math.floor(width / 6.2));
  const top = 28;
  const height = top + rows * o.panelHeight + 10 + captionLines.length * 14;
  const body = panels.map((draw, i) => {
    const x = (i % o.columns) * o.panelWidth;
    const y = top + Math.floor(i / o.columns) * o.panelHeight;
    return `<g transform="translate(${x},${y})">${draw(o.panelWidth, o.panelHeight)}</g>`;
  });
  const cap = captionLines.map((l, i) => `<text x="8" y="${top + rows * o.panelHeight + 18 + i * 14}" font-size="11" fill="#333">${esc(l)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="19" text-anchor="middle" font-size="15" font-weight="bold">${esc(o.title)}</text>`,
    ...body,
    ...cap,
    `</svg>`,
    "",
  ].join("\n");
}

function wrap(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  for (const para of text.split("\n")) {
    let cur = "";
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (cur && cur.length + 1 + word.length > maxChars) {
        lines.push(cur);
        cur = word;
      } else cur = cur ? `${cur} ${word}` : word;
    }
    lines.push(cur);
  }
  return lines;
}
