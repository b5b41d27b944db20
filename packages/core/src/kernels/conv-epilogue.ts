/**
 * The conv epilogue kernels (WebAssembly, wat/conv-epilogue.ts) behind the signatures of their twins
 * in conv-epilogue-ref.ts. They run when every buffer is an arena view; otherwise the twin runs.
 */
import { arenaAddress, kernels } from "./arena.ts";
import { channelsToSamplesActRef, samplesToChannelsActRef } from "./conv-epilogue-ref.ts";
import type { Activation } from "./fused-ref.ts";

function need(kernel: string, what: string, a: Float32Array, n: number): void {
  if (a.length < n) throw new RangeError(`${kernel}: ${what} needs ${n} floats, has ${a.length}`);
}

/** See channelsToSamplesActRef (conv forward: GEMM output → NCHW, + bias, activation). */
export function channelsToSamplesAct(
  chan: Float32Array, samp: Float32Array, F: number, N: number, PQ: number, bias: Float32Array, act: Activation, slope: number,
): void {
  const n = F * N * PQ;
  need("channelsToSamplesAct", "chan", chan, n);
  need("channelsToSamplesAct", "samp", samp, n);
  need("channelsToSamplesAct", "bias", bias, F);
  const pc = arenaAddress(chan, 0), ps = arenaAddress(samp, 0), pb = arenaAddress(bias, 0);
  if (pc < 0 || ps < 0 || pb < 0 || n === 0) return channelsToSamplesActRef(chan, samp, F, N, PQ, bias, act, slope);
  kernels.channelsToSamplesAct(pc, ps, F, N, PQ, pb, act, slope);
}

/** See samplesToChannelsActRef (conv backward: NCHW dout ⊙ act'(y) → GEMM layout, + the bias gradient). */
export function samplesToChannelsAct(
  samp: Float32Array, y: Float32Array, chan: Float32Array, F: number, N: number, PQ: number, dbias: Float32Array,
  act: Activation, slope: number,
): void {
  const n = F * N * PQ;
  need("samplesToChannelsAct", "samp", samp, n);
  need("samplesToChannelsAct", "y", y, n);
  need("samplesToChannelsAct", "chan", chan, n);
  need("samplesToChannelsAct", "dbias", dbias, F);
  const ps = arenaAddress(samp, 0), py = arenaAddress(y, 0), pc = arenaAddress(chan, 0), pb = arenaAddress(dbias, 0);
  if (ps < 0 || py < 0 || pc < 0 || pb < 0 || n === 0) return samplesToChannelsActRef(samp, y, chan, F, N, PQ, dbias, act, slope);
  kernels.samplesToChannelsAct(ps, py, pc, F, N, PQ, pb, act, slope);
}
