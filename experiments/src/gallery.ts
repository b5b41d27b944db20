import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Claim } from "./claim.ts";

/** One row of the gallery: what a claim's JSON says (this run's result, or the file a previous run wrote). */
export interface GalleryRow {
  claim: Claim;
  /** File stem in the output folder, e.g. "01-initial-loss". */
  file: string;
  headline?: string;
  holds?: boolean;
  skipped?: string;
  /** No JSON for this claim in the output folder yet (a partial run into a fresh folder). */
  missing?: boolean;
}

/** The file stem of a claim's figure and JSON, e.g. "07-lr-decay". */
export function fileStem(claim: Pick<Claim, "id" | "slug">): string {
  return `${String(claim.id).padStart(2, "0")}-${claim.slug}`;
}

/**
 * The gallery row of a claim this run did not execute (`--only`), from the JSON an earlier run left
 * in outDir, so a partial run rewrites the gallery without dropping or inventing the other claims.
 */
export function rowFromFile(claim: Claim, outDir: string): GalleryRow {
  const file = fileStem(claim);
  const json = path.join(outDir, `${file}.json`);
  if (!existsSync(json)) return { claim, file, missing: true };
  const d = JSON.parse(readFileSync(json, "utf8")) as { skipped?: string; headline?: string; holds?: boolean };
  if (typeof d.skipped === "string") return { claim, file, skipped: d.skipped };
  return { claim, file, headline: d.headline ?? "", holds: d.holds === true };
}

/** The README gallery: claim → figure → the number that shows it (Markdown table). */
export function galleryTable(rows: readonly GalleryRow[], dir: string): string {
  const lines = ["| # | claim | figure | the number that shows it | holds |", "| --- | --- | --- | --- | --- |"];
  for (const r of rows) {
    const cell = (s: string) => s.replace(/\|/g, "\\|");
    if (r.missing) {
      lines.push(`| ${r.claim.id} | ${cell(r.claim.title)} | — | not run yet | — |`);
      continue;
    }
    if (r.skipped) {
      lines.push(`| ${r.claim.id} | ${cell(r.claim.title)} | — | skipped: ${cell(r.skipped)} | skipped |`);
      continue;
    }
    const fig = `[<img src="${dir}/${r.file}.svg" width="260">](${dir}/${r.file}.svg)`;
    lines.push(`| ${r.claim.id} | ${cell(r.claim.title)} | ${fig} | ${cell(r.headline ?? "")} ([numbers](${dir}/${r.file}.json)) | ${r.holds ? "yes" : "**no**"} |`);
  }
  return lines.join("\n");
}
