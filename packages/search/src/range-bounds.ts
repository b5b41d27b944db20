/** Bound arithmetic shared by the narrowers. */

/**
 * The furthest point from `edge` toward `target` (transformed space) that `ok`
 * allows: `target` itself when valid, else a bisection (50 steps) between the
 * last valid and the first invalid point; `edge` when nothing beyond is valid.
 * Assumes validity is monotone along the way (true of min/max config limits).
 */
export function furthest(edge: number, target: number, ok: (x: number) => boolean): number {
  if (ok(target)) return target;
  let good = edge;
  let bad = target;
  for (let i = 0; i < 50; i++) {
    const mid = (good + bad) / 2;
    if (ok(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

/**
 * Rounds `x` outward ("down" toward −∞, "up" toward +∞) to 3 significant
 * digits. Float error (0.12 − 0.1 = 0.019999999999999997) snaps to the nearest
 * clean value (0.02) when that still does not cross `limit` (a kept value or
 * the previous bound the result must contain).
 */
export function roundOut(x: number, dir: "down" | "up", limit: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const nearest = Number(x.toPrecision(3));
  const outward = dir === "down" ? nearest <= x : nearest >= x;
  const containsLimit = dir === "down" ? nearest <= limit : nearest >= limit;
  if (outward || (Math.abs(nearest - x) <= 1e-9 * Math.abs(x) && containsLimit)) return nearest;
  const s = 10 ** (Math.floor(Math.log10(Math.abs(x))) - 2);
  const r = (dir === "down" ? Math.floor(x / s) : Math.ceil(x / s)) * s;
  const clean = Number(r.toPrecision(3));
  return (dir === "down" ? clean <= x : clean >= x) ? clean : r;
}
