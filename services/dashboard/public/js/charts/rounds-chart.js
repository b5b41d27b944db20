// @ts-check
/**
 * `rounds`: each parameter's range in each round as a bar on the first round's axis (log for
 * log-uniform dimensions), so the narrowing reads top to bottom; the reasons sit beside it in
 * the rounds table. SVG: a handful of bars needs no canvas.
 */
import { roundColour, roundPaths, roundRanges } from "../chart-data.js";
import { s } from "../dom.js";
import { fmtNum, shortPath } from "../format.js";

const ROW = 16;
const LABEL = 92;
const WIDTH = 600;

/**
 * @param {Array<{index: number, space: Record<string, any>, narrowing?: Record<string, string>}>} rounds
 * @returns {SVGElement}
 */
export function roundsChart(rounds) {
  const paths = roundPaths(rounds);
  const blocks = paths.map((p) => ({ path: p, r: roundRanges(rounds, p) })).filter((b) => b.r.rounds.length > 0);
  const height = 12 + blocks.reduce((y, b) => y + 22 + b.r.rounds.length * ROW, 0);
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${WIDTH} ${Math.max(height, 40)}`, role: "img", "aria-label": "each parameter's range per round" });
  if (blocks.length === 0) {
    svg.append(s("text", { x: WIDTH / 2, y: 24, "text-anchor": "middle", class: "chart-empty" }, "no round planned yet"));
    return svg;
  }
  let y = 14;
  for (const { path, r } of blocks) {
    // The axis spans the widest range any round had (the first one, unless a round widened it).
    const lo = Math.min(...r.low);
    const hi = Math.max(...r.high);
    const f = r.log && lo > 0 ? Math.log : (/** @type {number} */ v) => v;
    const span = f(hi) - f(lo) || 1;
    const x = (/** @type {number} */ v) => LABEL + ((f(v) - f(lo)) / span) * (WIDTH - LABEL - 60);
    svg.append(s("text", { x: 0, y: y + 8, class: "chart-title" }, `${shortPath(path)}${r.log ? " (log)" : ""}${r.choice ? " (values kept)" : ""}`));
    y += 14;
    r.rounds.forEach((round, k) => {
      const x0 = x(r.low[k]);
      const x1 = Math.max(x(r.high[k]), x0 + 2);
      svg.append(
        s("text", { x: LABEL - 6, y: y + 11, "text-anchor": "end" }, `round ${round}`),
        s("rect", { x: x0, y: y + 2, width: x1 - x0, height: ROW - 5, rx: 2, fill: roundColour(round) }, s("title", {}, r.choice ? `${r.high[k]} values` : `[${fmtNum(r.low[k])}, ${fmtNum(r.high[k])}]`)),
        s("text", { x: x1 + 4, y: y + 11 }, r.choice ? `${r.high[k]}` : `${fmtNum(r.low[k])} – ${fmtNum(r.high[k])}`),
      );
      y += ROW;
    });
    y += 8;
  }
  return svg;
}
