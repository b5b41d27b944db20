import type { LrSchedule } from "@hps/contracts";
import { UnknownNameError } from "../unknown-name-error.ts";

/**
 * Learning-rate decay per epoch (CS231n lecture 7), as documented in trial-config.ts:
 * `lr(e)` is the rate used for every mini-batch of epoch e (0-based), so epoch 0 always uses the base lr.
 */
export interface Schedule {
  lr(epoch: number): number;
}

/** lr (no decay). */
export class ConstantLr implements Schedule {
  constructor(readonly base: number) {}
  lr(): number {
    return this.base;
  }
}

/** Step decay: lr·γ^⌊e / stepEpochs⌋. */
export class StepDecay implements Schedule {
  constructor(readonly base: number, readonly stepEpochs: number, readonly gamma: number) {}
  lr(e: number): number {
    return this.base * this.gamma ** Math.floor(e / this.stepEpochs);
  }
}

/** Exponential decay: lr·γ^e. */
export class ExponentialDecay implements Schedule {
  constructor(readonly base: number, readonly gamma: number) {}
  lr(e: number): number {
    return this.base * this.gamma ** e;
  }
}

/** 1/t decay: lr / (1 + k·e). */
export class InverseDecay implements Schedule {
  constructor(readonly base: number, readonly k: number) {}
  lr(e: number): number {
    return this.base / (1 + this.k * e);
  }
}

/** Cosine annealing over `epochs`: minLr + (lr − minLr)·(1 + cos(π·e/epochs))/2 (reaches minLr only at e = epochs). */
export class CosineDecay implements Schedule {
  constructor(readonly base: number, readonly epochs: number, readonly minLr: number) {}
  lr(e: number): number {
    return this.minLr + ((this.base - this.minLr) * (1 + Math.cos((Math.PI * e) / this.epochs))) / 2;
  }
}

/** The schedule named by spec.type for base rate `lr` over `epochs` epochs. Throws on an unknown type. */
export function createSchedule(spec: LrSchedule, lr: number, epochs: number): Schedule {
  switch (spec.type) {
    case "none":
      return new ConstantLr(lr);
    case "step":
      return new StepDecay(lr, spec.stepEpochs, spec.gamma);
    case "exponential":
      return new ExponentialDecay(lr, spec.gamma);
    case "inverse":
      return new InverseDecay(lr, spec.k);
    case "cosine":
      return new CosineDecay(lr, epochs, spec.minLr);
    default:
      throw new UnknownNameError("lrSchedule type", (spec as { type: string }).type, ["none", "step", "exponential", "inverse", "cosine"]);
  }
}
