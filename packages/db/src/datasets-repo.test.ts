import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, NotFoundError } from "./errors.ts";
import { createTestDatabase, type TestDatabase } from "./test-kit.ts";
import type { NewDataset } from "./datasets-repo.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

function dataset(content: number[], over: Partial<NewDataset> = {}): NewDataset {
  const bytes = new Uint8Array(content);
  return {
    name: "d", labelColumn: "y", rows: 2, features: 1, labels: ["a", "b"], shape: null, bytes: 10, content: bytes,
    sha256: createHash("sha256").update(bytes).digest("hex"), ...over,
  };
}

describe("datasets repo", () => {
  it("stores content once per sha256 and reads it back", async () => {
    const a = await t.db.datasets.create(dataset([1, 2, 3]));
    expect(a.created).toBe(true);
    expect(a.dataset).toMatchObject({ name: "d", classes: 2, labels: ["a", "b"], shape: null });
    const again = await t.db.datasets.create(dataset([1, 2, 3], { name: "other" }));
    expect(again).toEqual({ dataset: a.dataset, created: false });
    expect(await t.rows.countDatasets()).toBe(1);
    expect([...(await t.db.datasets.content(a.dataset.sha256))!]).toEqual([1, 2, 3]);
    expect(await t.db.datasets.get(a.dataset.id)).toEqual(a.dataset);
  });

  it("lists newest first with a cursor", async () => {
    const b = (await t.db.datasets.create(dataset([4], { shape: [1, 1, 1] }))).dataset;
    const first = await t.db.datasets.list({ limit: 1 });
    expect(first.items.map((d) => d.id)).toEqual([b.id]);
    expect(first.items[0]!.shape).toEqual([1, 1, 1]);
    const second = await t.db.datasets.list({ limit: 5, after: first.next! });
    expect(second.items).toHaveLength(1);
    expect(second.next).toBeNull();
  });

  it("refuses to delete a dataset a queued or running search uses (409), deletes it otherwise", async () => {
    const d = (await t.db.datasets.create(dataset([9, 9]))).dataset;
    const searchId = await t.rows.insertSearch({ status: "running", spec: { dataset: { name: "uploaded", id: d.id } } });
    await expect(t.db.datasets.delete(d.id)).rejects.toThrow(ConflictError);
    expect(await t.db.datasets.get(d.id)).not.toBeNull();
    await t.rows.updateSearch(searchId, { status: "completed" });
    await t.db.datasets.delete(d.id);
    expect(await t.db.datasets.get(d.id)).toBeNull();
    await expect(t.db.datasets.delete(d.id)).rejects.toThrow(NotFoundError);
  });
});
