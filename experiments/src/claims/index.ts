import type { Claim } from "../claim.ts";
import { initialLoss } from "./c01-initial-loss.ts";

/** Every claim of CS231n lecture 7, in the order. */
export const CLAIMS: readonly Claim[] = [initialLoss];
