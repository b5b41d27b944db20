/**
 * Prometheus text exposition (format 0.0.4) without a client library: gauges read from
 * Postgres at scrape time (trials and searches by status), the dispatcher's queue depth,
 * and one histogram of HTTP request durations kept in memory per (method, route, status).
 */
import type { Db } from "@hps/db";

/** Upper bounds in seconds (Prometheus' defaults). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  labels: string;
  /** Cumulative count per bucket (same order as BUCKETS). */
  buckets: number[];
  sum: number;
  count: number;
}

export class HttpDurations {
  private readonly series = new Map<string, Series>();

  observe(labels: { method: string; route: string; status: number }, seconds: number): void {
    const key = `method="${esc(labels.method)}",route="${esc(labels.route)}",status_code="${labels.status}"`;
    let s = this.series.get(key);
    if (!s) {
      s = { labels: key, buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) s.buckets[i]!++;
    s.sum += seconds;
    s.count++;
  }

  render(): string[] {
    const name = "hps_http_request_duration_seconds";
    const out = [`# HELP ${name} HTTP request duration by method, route and status code.`, `# TYPE ${name} histogram`];
    for (const s of this.series.values()) {
      BUCKETS.forEach((le, i) => out.push(`${name}_bucket{${s.labels},le="${le}"} ${s.buckets[i]}`));
      out.push(`${name}_bucket{${s.labels},le="+Inf"} ${s.count}`, `${name}_sum{${s.labels}} ${s.sum}`, `${name}_count{${s.labels}} ${s.count}`);
    }
    return out;
  }
}

/** What the API needs of the trial dispatcher (@hps/queue's TrialDispatcher satisfies it). */
export interface QueueDepth {
  /** Jobs not yet finished. */
  depth(): Promise<number>;
  /** Resolves when the transport is reachable; readiness uses depth() when absent. */
  ping?(): Promise<void>;
}

/** The whole scrape. A failing or silent queue is reported as hps_queue_up 0 instead of failing the scrape. */
export async function renderMetrics(db: Pick<Db, "searches">, http: HttpDurations, queue?: QueueDepth, timeoutMs = 2000): Promise<string> {
  const [totals, depth] = await Promise.all([
    db.searches.statusTotals(),
    queue ? withTimeout(queue.depth(), timeoutMs).catch(() => null) : Promise.resolve(null),
  ]);
  const lines = [
    "# HELP hps_trials Trials by status (all searches).",
    "# TYPE hps_trials gauge",
    ...Object.entries(totals.trials).map(([status, n]) => `hps_trials{status="${status}"} ${n}`),
    "# HELP hps_searches Searches by status.",
    "# TYPE hps_searches gauge",
    ...Object.entries(totals.searches).map(([status, n]) => `hps_searches{status="${status}"} ${n}`),
  ];
  if (queue) {
    lines.push("# HELP hps_queue_up Whether the trial queue answered the depth query.", "# TYPE hps_queue_up gauge", `hps_queue_up ${depth === null ? 0 : 1}`);
    if (depth !== null) lines.push("# HELP hps_queue_depth Trials waiting in the dispatcher's queue.", "# TYPE hps_queue_depth gauge", `hps_queue_depth ${depth}`);
  }
  lines.push(...http.render());
  return lines.join("\n") + "\n";
}

/** Rejects when `p` has not settled within `ms` (BullMQ commands wait for Redis forever otherwise). */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function esc(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
