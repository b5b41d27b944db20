import { describe, expect, it } from "vitest";
import { runHps } from "./hps.ts";
import { WORKLOADS } from "./workloads.ts";

// Smoke test of the benchmark's hps runner against the core's public API: every workload builds,
// trains a few steps, and allocates nothing after warm-up. (Speed itself is only measured by
// `pnpm bench:core`, never asserted.)
describe("bench:core hps runner", () => {
  for (const w of WORKLOADS) {
    it(`${w.name}: trains with zero alloc() calls per timed step`, () => {
      const r = runHps(w, 0);
      expect(r.samplesPerSec).toBeGreaterThan(0);
      expect(r.allocsWhileTimed).toBe(0);
    });
  }
});
