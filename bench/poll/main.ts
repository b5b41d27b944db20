/**
 * `pnpm bench:poll [--trials 100000] [--pollers 50] [--requests 1000] [--json]`
 *
 * What 50 open dashboards cost: a search holding `--trials` finished trial rows (two rounds,
 * ranked), the API (its Fastify app, listening on a local port in this process), and
 * `--pollers` concurrent HTTP clients issuing `--requests` requests per read, each read with
 * and without If-None-Match (the ETag of a first response). Reported per read: p50/p99
 * latency and requests/s. Target (issue 9): p99 < 50 ms for every read, the 304 path an
 * order of magnitude below. The clients run in the same process as the server (one more
 * load on the same 2 cores: the figures are upper bounds).
 *
 * Uses DATABASE_URL's server (default postgresql://postgres@127.0.0.1:5432/postgres); the
 * database it creates is dropped at the end.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { buildApp } from "@hps/api";
import { seedLargeSearch } from "@hps/api/testing";
import { createTestDatabase } from "@hps/db/test-kit";

const { values: args } = parseArgs({
  options: {
    trials: { type: "string", default: "100000" },
    pollers: { type: "string", default: "50" },
    requests: { type: "string", default: "1000" },
    json: { type: "boolean", default: false },
  },
});
const TRIALS = Number(args.trials);
const POLLERS = Number(args.pollers);
const REQUESTS = Number(args.requests);

process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/postgres";
const t = await createTestDatabase({ poolSize: 10 });
const app = await buildApp({ db: t.db });
try {
  const t0 = performance.now();
  const id = await seedLargeSearch(app, t.rows, { name: "bench-poll", trials: TRIALS });
  const seedMs = performance.now() - t0;
  const spec = (await app.inject({ method: "GET", url: `/v1/searches/${id}` })).json().spec;
  // Other searches so the list read has a page to fill.
  for (let i = 0; i < 25; i++) await app.inject({ method: "POST", url: "/v1/searches", payload: { ...spec, name: `other-${i}`, strategy: { type: "random", trials: 4, parallelism: 2 } } });

  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  // Keep-alive sockets must outlive the gaps between reads on a loaded machine: a socket the
  // server closes as a poller reuses it fails the fetch (UND_ERR_SOCKET) instead of measuring it.
  app.server.keepAliveTimeout = 10 * 60_000;
  const head = await fetch(`${address}/v1/searches/${id}/trials?changedSince=now`);
  const feed = ((await head.json()) as { nextCursor: string }).nextCursor;
  const reads: Array<[string, string]> = [
    ["GET /v1/searches/:id", `/v1/searches/${id}`],
    ["GET …/trials?order=rank&limit=50", `/v1/searches/${id}/trials?order=rank&limit=50`],
    ["GET …/trials?order=created&limit=100", `/v1/searches/${id}/trials?order=created&limit=100`],
    ["GET …/trials?changedSince=<head>", `/v1/searches/${id}/trials?changedSince=${encodeURIComponent(feed)}`],
    ["GET /v1/searches?limit=20", `/v1/searches?limit=20`],
    ["GET …/points (columnar)", `/v1/searches/${id}/points`],
    ["GET …/analysis", `/v1/searches/${id}/analysis`],
    ["GET /metrics", `/metrics`],
  ];

  const results: Array<{ read: string; conditional: boolean; status: string; p50: number; p99: number; rps: number; bytes: number }> = [];
  for (const [name, path] of reads) {
    const first = await fetch(address + path);
    const body = await first.arrayBuffer();
    const etag = first.headers.get("etag");
    for (const conditional of [false, true]) {
      if (conditional && !etag) continue;
      const headers: Record<string, string> = conditional ? { "if-none-match": etag! } : {};
      const lat: number[] = [];
      let next = 0;
      const statuses = new Set<number>();
      const start = performance.now();
      await Promise.all(
        Array.from({ length: POLLERS }, async () => {
          while (next++ < REQUESTS) {
            const s = performance.now();
            const res = await fetch(address + path, { headers });
            await res.arrayBuffer();
            lat.push(performance.now() - s);
            statuses.add(res.status);
          }
        }),
      );
      const secs = (performance.now() - start) / 1000;
      lat.sort((a, b) => a - b);
      const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
      results.push({ read: name, conditional, status: [...statuses].sort().join("/"), p50: q(0.5), p99: q(0.99), rps: lat.length / secs, bytes: body.byteLength });
      const r = results[results.length - 1]!;
      console.error(`${name}${conditional ? " (If-None-Match)" : ""}: ${r.status} p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.rps.toFixed(0)} req/s`);
    }
  }
  if (args.json) {
    console.log(JSON.stringify({ trials: TRIALS, pollers: POLLERS, requests: REQUESTS, seedMs, results }, null, 2));
  } else {
    console.log(`${TRIALS} trial rows (seeded in ${(seedMs / 1000).toFixed(1)} s), ${POLLERS} concurrent pollers, ${REQUESTS} requests per row\n`);
    console.log("| read | If-None-Match | status | p50 ms | p99 ms | req/s | body bytes |\n|---|---|---|---|---|---|---|");
    for (const r of results)
      console.log(`| \`${r.read}\` | ${r.conditional ? "yes" : "no"} | ${r.status} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.rps.toFixed(0)} | ${r.bytes} |`);
  }
} finally {
  await app.close();
  await t.drop();
}
