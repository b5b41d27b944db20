import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dataset, DatasetPage } from "@hps/contracts";
import { createTestApi, validSpec, type TestApi } from "../test-kit.ts";

const CSV = "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,virginica\n4.9,1.4,setosa\n";

describe("datasets routes", () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi({ datasetLimitMb: 1 });
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = (csv: string | Buffer, query = "name=iris&label=species") =>
    t.app.inject({ method: "POST", url: `/v1/datasets?${query}`, headers: { "content-type": "text/csv" }, payload: csv });

  it("stores a CSV once per content and reads it back", async () => {
    const res = await upload(CSV);
    expect(res.statusCode).toBe(201);
    const d = Dataset.parse(res.json());
    expect(d).toMatchObject({ name: "iris", labelColumn: "species", rows: 4, features: 2, classes: 3, labels: ["setosa", "versicolor", "virginica"], shape: null, bytes: CSV.length });
    const again = await upload(CSV, "name=copy&label=species");
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(d.id);
    expect((await t.app.inject({ url: `/v1/datasets/${d.id}` })).json()).toEqual(d);
    const list = DatasetPage.parse((await t.app.inject({ url: "/v1/datasets?limit=10" })).json());
    expect(list.items.map((x) => x.id)).toContain(d.id);
  });

  it("declares image data with shape=C,H,W", async () => {
    const res = await upload("a,b,c,d,y\n0,1,2,3,0\n1,1,1,1,1\n", "name=img&label=y&shape=1,2,2");
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ shape: [1, 2, 2], labels: ["0", "1"] });
  });

  it.each([
    ["a ragged row", "a,b,y\n1,2,0\n1,0\n", "label=y", "row 2"],
    ["a non-numeric feature", "a,b,y\n1,2,0\n1,x,1\n", "label=y", "row 2.b"],
    ["a non-finite feature", "a,b,y\n1,NaN,0\n1,2,1\n", "label=y", "row 1.b"],
    ["a missing label column", "a,b,c\n1,2,0\n", "label=y", "label"],
    ["fewer than 2 classes", "a,y\n1,0\n2,0\n", "label=y", "y"],
    ["an empty file", "", "label=y", ""],
    ["a shape that does not match the features", "a,b,y\n1,2,0\n3,4,1\n", "label=y&shape=1,2,2", "shape"],
  ])("refuses %s with a 400 naming where, and stores nothing", async (_what, csv, q, path) => {
    const before = await t.db.rows.countDatasets();
    const res = await upload(csv, `name=bad&${q}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe(path);
    expect(await t.db.rows.countDatasets()).toBe(before);
  });

  it.each([
    ["declared by content-length", false],
    ["counted while streaming (chunked, no length)", true],
  ])("413 past HPS_DATASET_LIMIT_MB, %s; nothing stored", async (_how, chunked) => {
    const before = await t.db.rows.countDatasets();
    const big = "a,y\n" + "1.000000,0\n1.000000,1\n".repeat(60_000); // ~1.3 MB > 1 MiB
    const payload = chunked ? Readable.from([big.slice(0, 500_000), big.slice(500_000, 1_000_000), big.slice(1_000_000)]) : big;
    const res = await t.app.inject({ method: "POST", url: "/v1/datasets?name=big&label=y", headers: { "content-type": "text/csv" }, payload });
    expect(res.statusCode).toBe(413);
    expect(await t.db.rows.countDatasets()).toBe(before);
  });

  it("a spec on an uploaded dataset: 422 naming the sizes past its rows, or an unknown id; 201 otherwise", async () => {
    const d = Dataset.parse((await upload(CSV.replace("4.9", "4.8"), "name=iris2&label=species")).json());
    const post = (dataset: object) => t.app.inject({ method: "POST", url: "/v1/searches", payload: validSpec({ dataset, space: {} }) });
    const tooMany = await post({ name: "uploaded", id: d.id, trainSize: 3, valSize: 2 });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().issues[0]).toMatchObject({ path: "dataset.trainSize", message: expect.stringMatching(/trainSize 3 \+ valSize 2 = 5 exceeds the 4 rows/) });
    const unknown = await post({ name: "uploaded", id: "00000000-0000-4000-8000-000000000009", trainSize: 2, valSize: 1 });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().issues[0].path).toBe("dataset.id");
    const noId = await post({ name: "uploaded", trainSize: 2, valSize: 1 });
    expect(noId.statusCode).toBe(400);
    expect(noId.json().issues[0].path).toBe("dataset.id");
    const ok = await post({ name: "uploaded", id: d.id, trainSize: 3, valSize: 1 });
    expect(ok.statusCode).toBe(201);

    // DELETE: 409 while that queued search uses it; 204 once it is cancelled; then 404.
    const del = () => t.app.inject({ method: "DELETE", url: `/v1/datasets/${d.id}` });
    expect((await del()).statusCode).toBe(409);
    await t.app.inject({ method: "POST", url: `/v1/searches/${ok.json().id}/cancel` });
    expect((await del()).statusCode).toBe(204);
    expect((await del()).statusCode).toBe(404);
  });
});
