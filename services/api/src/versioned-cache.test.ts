import { describe, expect, it } from "vitest";
import { VersionedCache } from "./versioned-cache.ts";

describe("VersionedCache", () => {
  it("computes once per version, shares it with concurrent callers, recomputes for a newer version only", async () => {
    const cache = new VersionedCache<string>(4);
    let runs = 0;
    const compute = (v: string) => async () => (runs++, v);
    const [a, b] = await Promise.all([cache.get("s", 5n, compute("five")), cache.get("s", 5n, compute("other"))]);
    expect([a, b, runs]).toEqual(["five", "five", 1]);
    expect(await cache.get("s", 4n, compute("four"))).toBe("five"); // at least as new as asked
    expect(await cache.get("s", 6n, compute("six"))).toBe("six");
    expect(runs).toBe(2);
  });

  it("drops a failed computation so the next caller retries", async () => {
    const cache = new VersionedCache<number>(4);
    await expect(cache.get("s", 1n, () => Promise.reject(new Error("db down")))).rejects.toThrow("db down");
    expect(await cache.get("s", 1n, async () => 7)).toBe(7);
  });

  it("keeps at most maxKeys keys, least recently used out", async () => {
    const cache = new VersionedCache<string>(2);
    let runs = 0;
    const c = (v: string) => async () => (runs++, v);
    await cache.get("a", 1n, c("a"));
    await cache.get("b", 1n, c("b"));
    await cache.get("a", 1n, c("a")); // a is now the most recent
    await cache.get("c", 1n, c("c")); // evicts b
    expect(runs).toBe(3);
    await cache.get("a", 1n, c("a"));
    expect(runs).toBe(3);
    await cache.get("b", 1n, c("b"));
    expect(runs).toBe(4);
    expect(() => new VersionedCache(0)).toThrow(/maxKeys/);
  });
});
