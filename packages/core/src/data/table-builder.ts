/**
 * Builds a Table from CSV records fed one at a time (the API's csv-parse stream calls `header`
 * once, then `row` per record): pure, no I/O, and every refusal is an issue whose path names the
 * row and column, so a client can find the cell. Row numbers are 1-based data rows (the header
 * is row 0), as a spreadsheet user counts them below the header. Features are parsed with
 * Number() and must be finite; labels are integers or strings, mapped to class indices in sorted
 * order (numeric when every label is an integer, which are then kept in canonical form: "07" → "7").
 */
import type { ClassLabel, ImageShape } from "@hps/contracts";
import type { Table } from "./table.ts";

export interface TableIssue {
  path: string;
  message: string;
}

/** Stop collecting after this many issues: one bad column in a big file would list every row. */
const MAX_ISSUES = 20;
const INTEGER = /^[+-]?\d+$/;

export class TableBuilder {
  readonly issues: TableIssue[] = [];
  private columns: string[] | null = null;
  private labelAt = -1;
  private features = 0;
  private rows = 0;
  private X: Float32Array = new Float32Array(1024);
  private readonly rawLabels: string[] = [];

  constructor(
    readonly labelColumn: string,
    readonly shape: ImageShape | null = null,
  ) {}

  get full(): boolean {
    return this.issues.length >= MAX_ISSUES;
  }

  header(cells: string[]): void {
    this.columns = cells.map((c) => c.trim());
    this.labelAt = this.columns.indexOf(this.labelColumn);
    if (this.labelAt < 0) this.issue("label", `no column "${this.labelColumn}" in the header (columns: ${this.columns.join(", ")})`);
    this.features = this.columns.length - 1;
    if (this.labelAt >= 0 && this.features < 1) this.issue("row 0", "the header has no feature column besides the label");
    if (this.shape && this.labelAt >= 0) {
      const need = this.shape[0] * this.shape[1] * this.shape[2];
      if (need !== this.features) this.issue("shape", `shape ${this.shape.join(",")} needs ${need} features but the CSV has ${this.features}`);
    }
  }

  row(cells: string[]): void {
    if (!this.columns || this.labelAt < 0 || this.full) return;
    const r = ++this.rows;
    if (cells.length !== this.columns.length) {
      this.issue(`row ${r}`, `has ${cells.length} cells but the header has ${this.columns.length} columns`);
      return;
    }
    if (this.X.length < this.rows * this.features) {
      const grown = new Float32Array(Math.max(this.X.length * 2, this.rows * this.features));
      grown.set(this.X);
      this.X = grown;
    }
    let o = (r - 1) * this.features;
    for (let c = 0; c < cells.length; c++) {
      if (c === this.labelAt) continue;
      const text = cells[c]!.trim();
      const v = text === "" ? NaN : Number(text);
      if (!Number.isFinite(v)) {
        this.issue(`row ${r}.${this.columns[c]}`, `feature "${text}" is not a finite number`);
        if (this.full) return;
      }
      this.X[o++] = v;
    }
    const label = cells[this.labelAt]!.trim();
    if (label === "") this.issue(`row ${r}.${this.labelColumn}`, "empty label");
    this.rawLabels.push(label);
  }

  /** The table, or null with `issues` filled. */
  finish(): Table | null {
    if (!this.columns) this.issue("", "empty file: no header row");
    else if (this.labelAt >= 0 && this.rows === 0) this.issue("row 1", "no data rows after the header");
    if (this.issues.length) return null;
    const numeric = this.rawLabels.every((l) => INTEGER.test(l));
    const labels: ClassLabel[] = numeric
      ? [...new Set(this.rawLabels.map(Number))].sort((a, b) => a - b).map(String)
      : [...new Set(this.rawLabels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (labels.length < 2) {
      this.issue(this.labelColumn, `needs at least 2 classes, found ${labels.length} (${labels.join(", ")})`);
      return null;
    }
    const index = new Map<ClassLabel, number>(labels.map((l, i) => [l, i]));
    const Y = Int32Array.from(this.rawLabels, (l) => index.get(numeric ? String(Number(l)) : l)!);
    return {
      X: this.X.slice(0, this.rows * this.features),
      Y,
      rows: this.rows,
      features: this.features,
      labels,
      shape: this.shape,
    };
  }

  private issue(path: string, message: string): void {
    if (this.issues.length < MAX_ISSUES) this.issues.push({ path, message });
  }
}
