/**
 * The README's configuration table, generated from the processes' env schemas (so a default,
 * unit or variable cannot drift between the code and the docs; a test compares the two).
 * A variable every process defines the same way is one row listing them all; one whose default
 * or meaning differs between processes gets a row per variant.
 */
import type { z } from "zod";

type Shape = Record<string, z.ZodType>;

interface Row {
  variable: string;
  default: string;
  description: string;
  processes: string[];
}

/** How a variable's default reads: its defaultText, "required", "unset", or the value itself. */
export function describeDefault(schema: z.ZodType): string {
  const meta = schema.meta() as { defaultText?: string } | undefined;
  if (meta?.defaultText) return meta.defaultText;
  const r = schema.safeParse(undefined);
  if (!r.success) return "required";
  if (r.data === undefined) return "unset";
  return "`" + (typeof r.data === "string" ? r.data : JSON.stringify(r.data)) + "`";
}

export function envRows(processes: Record<string, Shape>): Row[] {
  const rows: Row[] = [];
  for (const [processName, shape] of Object.entries(processes)) {
    for (const [variable, schema] of Object.entries(shape)) {
      const row = { variable, default: describeDefault(schema), description: schema.description ?? (schema.meta() as { description?: string } | undefined)?.description ?? "" };
      const same = rows.find((r) => r.variable === row.variable && r.default === row.default && r.description === row.description);
      if (same) same.processes.push(processName);
      else rows.push({ ...row, processes: [processName] });
    }
  }
  // Group a variable's variants together, keeping first-seen order otherwise.
  const order = [...new Set(rows.map((r) => r.variable))];
  return rows.sort((a, b) => order.indexOf(a.variable) - order.indexOf(b.variable));
}

/** The markdown table (no trailing newline). */
export function envTable(processes: Record<string, Shape>): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const lines = ["| variable | default | used by | meaning |", "|---|---|---|---|"];
  for (const r of envRows(processes)) lines.push(`| \`${r.variable}\` | ${esc(r.default)} | ${r.processes.join(", ")} | ${esc(r.description)} |`);
  return lines.join("\n");
}
