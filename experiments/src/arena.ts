import { alloc, arenaMark, arenaRelease } from "@hps/core";

/**
 * Runs fn with every core buffer it allocates (layers, optimiser state) released afterwards, as
 * train() does for a trial: the experiments build many throw-away models in one thread.
 */
export function withArena<T>(fn: () => T): T {
  const mark = arenaMark();
  try {
    return fn();
  } finally {
    arenaRelease(mark);
  }
}

/** An arena copy of xs, so the WebAssembly kernels read it in place. */
export function arenaCopy(xs: Float32Array): Float32Array {
  const a = alloc(xs.length);
  a.set(xs);
  return a;
}
