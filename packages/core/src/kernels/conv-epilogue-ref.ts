/**
 * Plain-TypeScript twins of the conv epilogue kernels (conv-epilogue.ts, WAT in
 * wat/conv-epilogue.ts): the conv layer's layout changes (fused-ref.ts channelsToSamplesRef /
 * samplesToChannelsRef) with the activation after the conv fused in.
 */
import { type Activation, actBackwardRef, actForwardRef, channelsToSamplesRef, samplesToChannelsRef } from "./fused-ref.ts";

/** samp[(n·F + f)·PQ + p] = act(chan[f·N·PQ + n·PQ + p] + bias[f]) (act and slope as actForwardRef). */
export function channelsToSamplesActRef(
  chan: Float32Array, samp: Float32Array, F: number, N: number, PQ: number, bias: Float32Array, act: Activation, slope: number,
): void {
  channelsToSamplesRef(chan, samp, F, N, PQ, bias);
  actForwardRef(samp, 0, samp, 0, F * N * PQ, act, slope);
}

/**
 * chan[f·N·PQ + n·PQ + p] = samp[(n·F + f)·PQ + p]·act'(y[(n·F + f)·PQ + p]) with y the layer's
 * output (actBackwardRef's rule), and dbias[f] = the sum of those over n and p. samp is left as it was.
 */
export function samplesToChannelsActRef(
  samp: Float32Array, y: Float32Array, chan: Float32Array, F: number, N: number, PQ: number, dbias: Float32Array,
  act: Activation, slope: number,
): void {
  const n = F * N * PQ;
  const d = new Float32Array(n);
  actBackwardRef(samp, 0, y, 0, d, 0, n, act, slope);
  samplesToChannelsRef(d, chan, F, N, PQ, dbias);
}
