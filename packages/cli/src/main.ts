/**
 * The `hps` CLI: talks only HTTP, through @hps/client (HPS_URL, default http://localhost:3000;
 * HPS_API_KEY). Arguments by commander, the --follow progress bar by cli-progress, YAML specs by
 * `yaml` (a YAML spec parses to exactly the JSON spec). API errors are printed one issue per
 * line, "path: message", and exit 1.
 */
import { readFile, writeFile } from "node:fs/promises";
import { Command, InvalidArgumentError } from "commander";
import { parse as parseCsv } from "csv-parse/sync";
import { parse as parseYaml } from "yaml";
import { HpsApiError, HpsClient } from "@hps/client";
import { followSearch } from "./follow.ts";

const client = new HpsClient({ baseUrl: process.env.HPS_URL || "http://localhost:3000", ...(process.env.HPS_API_KEY ? { apiKey: process.env.HPS_API_KEY } : {}) });
const out = (v: unknown) => process.stdout.write(`${typeof v === "string" ? v : JSON.stringify(v, null, 2)}\n`);

/** A spec file: YAML for .yaml/.yml, JSON otherwise. */
export async function readSpec(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8");
  return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
};
const shapeArg = (v: string): [number, number, number] => {
  const parts = v.split(",").map(Number);
  if (parts.length !== 3 || !parts.every((n) => Number.isInteger(n) && n > 0)) throw new InvalidArgumentError("expected C,H,W");
  return parts as [number, number, number];
};

const program = new Command("hps").description("hyperparameter searches over HTTP (HPS_URL, HPS_API_KEY)");

program
  .command("submit <spec>")
  .description("submit a search spec (JSON or YAML)")
  .option("-f, --follow", "show progress until the search ends; exit 0 only if it completes")
  .action(async (file: string, opts: { follow?: boolean }) => {
    const search = await client.submitSearch((await readSpec(file)) as never);
    out(`search ${search.id} ${search.status}`);
    if (opts.follow) process.exitCode = (await followSearch(client, search.id)) === "completed" ? 0 : 1;
  });

program.command("status <id>").description("a search's status, counts and best trial").action(async (id: string) => {
  const s = await client.getSearch(id);
  out({ id: s.id, name: s.name, status: s.status, counts: s.counts, best: s.best && { id: s.best.id, metrics: s.best.metrics, params: s.best.params }, error: s.error });
});

program
  .command("trials <id>")
  .description("a search's trials, best first")
  .option("--top <n>", "only the best n", positiveInt)
  .action(async (id: string, opts: { top?: number }) => {
    const page = await client.listTrials(id, { order: "rank", limit: opts.top ?? 500 });
    for (const t of page.items) {
      out(`${t.rank ?? "-"}\t${t.id}\t${t.status}\tvalAccuracy=${t.metrics?.valAccuracy ?? "-"}\t${JSON.stringify(t.params)}`);
    }
  });

program.command("cancel <id>").description("cancel a search").action(async (id: string) => {
  const s = await client.cancelSearch(id);
  out(`search ${s.id} ${s.status}`);
});

const rounds = program.command("rounds").description("a search's rounds");
rounds
  .command("add <id> [round]")
  .description("append your own round (a JSON or YAML file: {space?, trials?, epochs?, pruner?}) after the current one")
  .option("--trials <n>", "trials of the round", positiveInt)
  .option("--epochs <n>", "epochs each trial trains", positiveInt)
  .action(async (id: string, file: string | undefined, opts: { trials?: number; epochs?: number }) => {
    const body = { ...(file ? ((await readSpec(file)) as object) : {}), ...(opts.trials ? { trials: opts.trials } : {}), ...(opts.epochs ? { epochs: opts.epochs } : {}) };
    const r = await client.appendRound(id, body as never);
    out(`round ${r.index} of search ${r.searchId}: ${r.trials} trials × ${r.epochs} epochs; search ${r.searchStatus}`);
  });

const datasets = program.command("datasets").description("uploaded datasets");
datasets
  .command("upload <file>")
  .description("upload a CSV (header row, numeric features, one label column)")
  .requiredOption("--label <column>", "the label column")
  .option("--name <name>", "dataset name (default: the file name)")
  .option("--shape <C,H,W>", "image data: channels, height, width", shapeArg)
  .action(async (file: string, opts: { label: string; name?: string; shape?: [number, number, number] }) => {
    const d = await client.uploadDataset(await readFile(file), { name: opts.name ?? file.replace(/^.*\//, "").replace(/\.csv$/i, ""), label: opts.label, ...(opts.shape ? { shape: opts.shape } : {}) });
    out(d);
  });
datasets.command("list").action(async () => {
  out((await client.listDatasets({ limit: 100 })).items);
});

program
  .command("model <trialId>")
  .description("download a trial's model file")
  .requiredOption("-o, --output <file>", "where to write it")
  .action(async (trialId: string, opts: { output: string }) => {
    const bytes = await client.getModel(trialId);
    await writeFile(opts.output, bytes);
    out(`wrote ${bytes.length} bytes to ${opts.output}`);
  });

program
  .command("predict <trialId> <file>")
  .description("predict the rows of a CSV (header row; feature columns in the training order)")
  .option("--drop <column>", "a column to leave out (e.g. the label)")
  .action(async (trialId: string, file: string, opts: { drop?: string }) => {
    const [header, ...rows] = parseCsv(await readFile(file), { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
    const keep = header!.map((h, i) => (h === opts.drop ? -1 : i)).filter((i) => i >= 0);
    out(await client.predict(trialId, rows.map((r) => keep.map((i) => Number(r[i])))));
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof HpsApiError) {
    process.stderr.write(`hps: ${err.message}\n`);
    for (const line of err.describe()) process.stderr.write(`  ${line}\n`);
  } else process.stderr.write(`hps: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
