import { describe, expect, it } from "vitest";
import { parseRoute } from "../public/js/route.js";

const ID = "caa1f454-4647-4235-94f1-3a4d944943d1";

describe("parseRoute", () => {
  it("maps the empty hash and #/ to the search list, with an optional page cursor", () => {
    expect(parseRoute("")).toEqual({ view: "list", cursor: null });
    expect(parseRoute("#/")).toEqual({ view: "list", cursor: null });
    expect(parseRoute("#/?cursor=abc%3D")).toEqual({ view: "list", cursor: "abc=" });
  });

  it("maps searches and trials by id", () => {
    expect(parseRoute(`#/searches/${ID}`)).toEqual({ view: "search", id: ID });
    expect(parseRoute(`#/trials/${ID.toUpperCase()}`)).toEqual({ view: "trial", id: ID });
  });

  it("maps #/new, with an optional search to clone (an id, else none)", () => {
    expect(parseRoute("#/new")).toEqual({ view: "new", from: null });
    expect(parseRoute(`#/new?from=${ID.toUpperCase()}`)).toEqual({ view: "new", from: ID });
    expect(parseRoute("#/new?from=../../etc")).toEqual({ view: "new", from: null });
  });

  it("reports anything else as unknown", () => {
    expect(parseRoute("#/searches/not-an-id")).toEqual({ view: "unknown", hash: "#/searches/not-an-id" });
    expect(parseRoute(`#/searches/${ID}/extra`).view).toBe("unknown");
  });
});
