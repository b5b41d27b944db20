// @ts-check
/**
 * The search page's charts, each in an element with `data-chart` (the names acceptance checks
 * and users' scripts look for). Data: the columnar points and the server's analysis, both read
 * with If-None-Match only when the search's version moved (a poll of a quiet search is one 304),
 * and the learning curves of a few trials (final trials' curves are read once).
 */
import { h } from "../dom.js";
import { stoppedByReason } from "../chart-data.js";
import { isFinalTrial } from "../format.js";
import { rankedTrials } from "../trials.js";
import { ImportanceChart, ParallelChart } from "../charts/analysis-charts.js";
import { CurvesChart } from "../charts/curves-chart.js";
import { AccuracyGap, History, ParamScatter } from "../charts/points-charts.js";

/** Top trials whose curves are overlaid, and the most recently stopped ones beside them. */
const TOP_CURVES = 5;
const STOPPED_CURVES = 3;

/**
 * @param {string} name the data-chart name
 * @param {string} title
 * @param {string} [hint]
 */
const section = (name, title, hint) => {
  const body = h("div", { class: "chart-body", "data-chart": name });
  return { card: h("section", { class: "card chart-card" }, h("h2", {}, title), hint ? h("p", { class: "muted small" }, hint) : null, body), body };
};

export class SearchCharts {
  /**
   * @param {import("../main.js").Ctx} ctx
   * @param {string} searchId
   */
  constructor(ctx, searchId) {
    this.ctx = ctx;
    this.base = `/v1/searches/${encodeURIComponent(searchId)}`;
    const curves = section("curves", "Learning curves");
    const hist = section("history", "History");
    const scatter = section("param-scatter", "Objective vs each parameter", "Coloured by round; log axes for log-uniform parameters.");
    const gap = section("gap", "Train vs val accuracy");
    const parallel = section("parallel", "Parallel coordinates");
    const importance = section("importance", "Parameter importance");
    this.stopNote = h("p", { class: "muted small" });
    curves.card.insertBefore(this.stopNote, curves.body);
    this.el = h("div", { class: "chart-grid" }, curves.card, hist.card, scatter.card, gap.card, parallel.card, importance.card);
    this.curves = new CurvesChart(curves.body);
    this.history = new History(hist.body, (i) => this.pick(i));
    this.scatter = new ParamScatter(scatter.body);
    this.gap = new AccuracyGap(gap.body);
    this.parallel = new ParallelChart(parallel.body);
    this.importance = new ImportanceChart(importance.body);
    /** @type {import("../chart-data.js").ChartPoints | null} */
    this.points = null;
    /** @type {string | null} the trial picked in the history chart ("round.index") */
    this.picked = null;
    /** @type {Map<string, any>} final trials' curves by id (they do not change) */
    this.finalCurves = new Map();
    this.curveKey = "";
    /** @type {Map<string, import("../trials.js").Trial> | null} */
    this.trials = null;
    this.metric = "objective";
  }

  /**
   * Reads the points and the analysis when the search moved, and redraws what changed. Called
   * before the trials are loaded: the charts need no trial objects (at 100,000 trials the change
   * feed takes many pages; the columns come in one response).
   * @param {{spec: {objective: {metric: string, goal: string}}}} detail
   * @param {boolean} searchChanged the search's version moved since the last call
   */
  async updatePoints(detail, searchChanged) {
    this.metric = detail.spec.objective.metric;
    if (searchChanged || !this.points) {
      const [points, analysis] = await Promise.all([this.ctx.api.get(`${this.base}/points`), this.ctx.api.get(`${this.base}/analysis`)]);
      if (points.changed || !this.points) {
        this.points = points.body;
        const p = /** @type {import("../chart-data.js").ChartPoints} */ (this.points);
        this.history.update(p);
        this.scatter.update(p);
        this.gap.update(p);
        const stopped = stoppedByReason(p);
        this.stopNote.textContent = stopped.length === 0 ? "" : `Stopped early: ${stopped.map(([why, n]) => `${n} ${why}`).join(", ")}.`;
      }
      if (analysis.changed || searchChanged) {
        this.parallel.update(analysis.body.parallel, this.metric);
        this.importance.update(analysis.body.importance, this.metric);
      }
    }
  }

  destroy() {
    for (const slot of [this.curves.loss, this.curves.acc, this.history.slot, this.gap.slot, this.importance.slot, ...this.scatter.slots.values()]) slot.destroy();
    this.parallel.destroy();
  }

  /** @param {number} i the trial's index in the points' columns */
  pick(i) {
    const p = this.points;
    if (!p) return;
    this.picked = `${p.round[i]}.${p.index[i]}`;
    void this.updateCurves(null).catch((err) => this.ctx.setError(err));
  }

  /**
   * The learning curves of the top, the latest stopped and the picked trials.
   * @param {{spec: {objective: {metric: string, goal: string}}} | null} detail null: as last time
   * @param {Map<string, import("../trials.js").Trial>} [trials] the search's trials by id (from the change feed)
   */
  async updateCurves(detail, trials) {
    if (trials) this.trials = trials;
    if (!this.trials) return;
    const all = [...this.trials.values()];
    const objective = detail?.spec.objective ?? { metric: this.metric, goal: this.points?.objective.goal ?? "maximize" };
    const top = rankedTrials(this.trials, objective).filter((t) => t.status === "completed").slice(0, TOP_CURVES);
    const stopped = all
      .filter((t) => t.status === "stopped")
      .sort((a, b) => String(b.finishedAt).localeCompare(String(a.finishedAt)))
      .slice(0, STOPPED_CURVES);
    const picked = this.picked ? all.find((t) => `${t.round}.${t.index}` === this.picked) : undefined;
    /** @type {Array<{t: import("../trials.js").Trial, role: "top" | "stopped" | "picked"}>} */
    const chosen = [...top.map((t) => ({ t, role: /** @type {const} */ ("top") })), ...stopped.map((t) => ({ t, role: /** @type {const} */ ("stopped") }))];
    if (picked) chosen.push({ t: picked, role: "picked" });
    const live = chosen.some((c) => !isFinalTrial(c.t.status));
    const key = chosen.map((c) => `${c.t.id}:${c.role}:${c.t.status}`).join(",");
    if (key === this.curveKey && !live) return;
    const withCurves = await Promise.all(
      chosen.map(async ({ t, role }) => {
        let full = this.finalCurves.get(t.id);
        if (!full) {
          full = (await this.ctx.api.get(`/v1/trials/${encodeURIComponent(t.id)}`)).body;
          if (isFinalTrial(full.status)) this.finalCurves.set(t.id, full);
        }
        return { trial: full, role };
      }),
    );
    this.curves.update(withCurves);
    this.curveKey = key;
  }
}
