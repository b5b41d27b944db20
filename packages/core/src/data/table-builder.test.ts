import { describe, expect, it } from "vitest";
import { decodeTable, encodeTable } from "./table.ts";
import { TableBuilder } from "./table-builder.ts";

function build(lines: string[][], label = "y", shape: [number, number, number] | null = null) {
  const b = new TableBuilder(label, shape);
  if (lines.length) b.header(lines[0]!);
  for (const l of lines.slice(1)) b.row(l);
  return { table: b.finish(), issues: b.issues };
}

describe("TableBuilder", () => {
  it("maps string labels to indices in sorted order and keeps integer labels numeric", () => {
    const { table } = build([["a", "y", "b"], ["1", "virginica", "2"], ["3", "setosa", "4.5"], ["5", "virginica", "6"]]);
    expect(table!.labels).toEqual(["setosa", "virginica"]);
    expect(Array.from(table!.Y)).toEqual([1, 0, 1]);
    expect(Array.from(table!.X)).toEqual([1, 2, 3, 4.5, 5, 6]);
    const ints = build([["a", "y"], ["1", "10"], ["2", "9"], ["3", "10"]]).table!;
    expect(ints.labels).toEqual(["9", "10"]); // numerically, not "10" < "9"
    expect(Array.from(ints.Y)).toEqual([1, 0, 1]);
  });

  it.each([
    ["a ragged row", [["a", "y"], ["1", "0"], ["2"]], "y", null, "row 2"],
    ["a non-numeric feature", [["a", "y"], ["1", "0"], ["x", "1"]], "y", null, "row 2.a"],
    ["a non-finite feature", [["a", "y"], ["Infinity", "0"], ["1", "1"]], "y", null, "row 1.a"],
    ["a missing label column", [["a", "b"], ["1", "0"]], "y", null, "label"],
    ["fewer than 2 classes", [["a", "y"], ["1", "0"], ["2", "0"]], "y", null, "y"],
    ["an empty file", [], "y", null, ""],
    ["a header without rows", [["a", "y"]], "y", null, "row 1"],
    ["a shape that does not match", [["a", "b", "y"], ["1", "2", "0"], ["1", "2", "1"]], "y", [1, 2, 2], "shape"],
  ] as const)("refuses %s, naming where", (_what, lines, label, shape, path) => {
    const { table, issues } = build(lines.map((l) => [...l]), label, shape ? [...shape] as [number, number, number] : null);
    expect(table).toBeNull();
    expect(issues[0]!.path).toBe(path);
  });

  it("round-trips through the stored encoding", () => {
    const t = build([["a", "b", "y"], ["0.1", "2", "x"], ["3", "-4", "z"]]).table!;
    const back = decodeTable(encodeTable(t), (n) => new SharedArrayBuffer(n));
    expect(back).toEqual(t);
    expect(back.X.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
