import type { Claim, ClaimResult } from "./claim.ts";

export interface GalleryRow {
  claim: Claim;
  /** File stem in the output folder, e.g. "01-initial-loss". */
  file: string;
  result?: ClaimResult;
  holds?: boolean;
  skipped?: string;
}

/** The README gallery: claim → figure → the number that shows it (Markdown table). */
export function galleryTable(rows: readonly GalleryRow[], dir: string): string {
  const lines = ["| # | claim | figure | the number that shows it | holds |", "| --- | --- | --- | --- | --- |"];
  for (const r of rows) {
    const cell = (s: string) => s.replace(/\|/g, "\\|");
    if (r.skipped) {
      lines.push(`| ${r.claim.id} | ${cell(r.claim.title)} | — | skipped: ${cell(r.skipped)} | skipped |`);
      continue;
    }
    const fig = `[<img src="${dir}/${r.file}.svg" width="260">](${dir}/${r.file}.svg)`;
    lines.push(`| ${r.claim.id} | ${cell(r.claim.title)} | ${fig} | ${cell(r.result!.headline)} ([numbers](${dir}/${r.file}.json)) | ${r.holds ? "yes" : "**no**"} |`);
  }
  return lines.join("\n");
}
