import { describe, expect, it } from "vitest";
import { alloc, arenaAddress, arenaMark, arenaRelease, arenaStats, resetArena } from "./arena.ts";

describe("arena", () => {
  it("hands out zeroed, 64-byte aligned arena views that survive memory growth", () => {
    const a = alloc(10);
    expect(a.length).toBe(10);
    expect(a.byteOffset % 64).toBe(0);
    expect(arenaAddress(a, 3)).toBe(a.byteOffset + 12);
    a.fill(7);
    const before = arenaStats().bytesReserved;
    const big = alloc(before / 4); // forces a grow
    expect(arenaStats().bytesReserved).toBeGreaterThan(before);
    expect(big.every((v) => v === 0)).toBe(true);
    expect(a[9]).toBe(7); // the old view is still attached and intact
    expect(arenaAddress(a, 0)).toBeGreaterThan(0);
    expect(arenaAddress(new Float32Array(4), 0)).toBe(-1);
  });

  it("release returns the space, and the next alloc is zeroed again", () => {
    const mark = arenaMark();
    const a = alloc(100);
    a.fill(3);
    arenaRelease(mark);
    const b = alloc(100);
    expect(b.byteOffset).toBe(a.byteOffset);
    expect(b.every((v) => v === 0)).toBe(true);
    const used = arenaStats().bytesInUse;
    resetArena();
    expect(arenaStats().bytesInUse).toBe(0);
    expect(used).toBeGreaterThan(0);
    expect(() => arenaRelease(-5)).toThrow(RangeError);
  });
});
