import type { Claim } from "../claim.ts";
import { initialLoss } from "./c01-initial-loss.ts";
import { tanhInit } from "./c02-tanh-init.ts";
import { reluInit } from "./c03-relu-init.ts";
import { batchNorm } from "./c04-batch-norm.ts";
import { optimizers } from "./c05-optimizers.ts";
import { lbfgs } from "./c06-lbfgs.ts";
import { lrDecay } from "./c07-lr-decay.ts";
import { randomVsGrid } from "./c08-random-vs-grid.ts";
import { threeXRule } from "./c09-three-x-rule.ts";
import { coarseToFine } from "./c10-coarse-to-fine.ts";
import { regularisation } from "./c11-regularisation.ts";
import { ensemble } from "./c12-ensemble.ts";
import { polyak } from "./c13-polyak.ts";
import { fineTune } from "./c14-fine-tune.ts";
import { babysitting } from "./c15-babysitting.ts";

/** Every claim of CS231n lecture 7, in the order. */
export const CLAIMS: readonly Claim[] = [initialLoss, tanhInit, reluInit, batchNorm, optimizers, lbfgs, lrDecay, randomVsGrid, threeXRule, coarseToFine, regularisation, ensemble, polyak, fineTune, babysitting];
