/**
 * Plain-TypeScript twins of the fused kernels (fused.ts): same signatures, same float32 results up
 * to rounding. Tests compare the WebAssembly versions against these; they are also the fallback
 * for buffers that are not arena views.
 */
import { ACT_LEAKY_RELU, ACT_RELU } from "./wat-source.ts";

/** 0 identity, 1 relu, 2 leaky relu (y = x > 0 ? x : slope·x, slope in (0, 1)). */
export type Activation = 0 | 1 | 2;

const f32 = Math.fround;

/** act(x) in float32 arithmetic (x already a float32), bit-identical to the kernels. */
function act(x: number, a: Activation, slope: number): number {
  if (a === ACT_RELU) return x < 0 ? 0 : x; // NaN stays NaN and −0 stays −0, as f32x4.pmax(x, 0) does
  if (a === ACT_LEAKY_RELU) return x > 0 ? x : f32(x * f32(slope));
  return x;
}

/** Y[r,c] = act(Y[r,c] + bias[c]) in place; Y is [rows, cols] at yOff, bias is [cols] at bOff. */
export function biasActRef(
  Y: Float32Array, yOff: number, rows: number, cols: number,
  bias: Float32Array, bOff: number, a: Activation, slope: number,
): void {
  for (let r = 0, o = yOff; r < rows; r++, o += cols) {
    for (let c = 0; c < cols; c++) Y[o + c] = act(f32(Y[o + c]! + bias[bOff + c]!), a, slope);
  }
}

/** Y[i] = act(X[i]) for n floats (X and Y may be the same array and offset). */
export function actForwardRef(
  X: Float32Array, xOff: number, Y: Float32Array, yOff: number, n: number, a: Activation, slope: number,
): void {
  for (let i = 0; i < n; i++) Y[yOff + i] = act(X[xOff + i]!, a, slope);
}

/** dX[i] = dY[i]·act'(·), read from the activation OUTPUT Y: relu → Y > 0 ? dY : 0; leaky → Y > 0 ? dY : slope·dY. */
export function actBackwardRef(
  dY: Float32Array, dyOff: number, Y: Float32Array, yOff: number, dX: Float32Array, dxOff: number,
  n: number, a: Activation, slope: number,
): void {
  for (let i = 0; i < n; i++) {
    const d = dY[dyOff + i]!;
    const pos = Y[yOff + i]! > 0;
    dX[dxOff + i] = a === ACT_RELU ? (pos ? d : 0) : a === ACT_LEAKY_RELU ? (pos ? d : f32(d * f32(slope))) : d;
  }
}

/**
 * actBackwardRef over dY, Y, dX as [rows, cols], then out[c] = Σ_r dX[r,c] (colSumRef with beta 0):
 * the backward of an activation fused into the affine before it, with that affine's bias gradient.
 */
export function actBackwardColSumRef(
  dY: Float32Array, dyOff: number, Y: Float32Array, yOff: number, dX: Float32Array, dxOff: number,
  rows: number, cols: number, a: Activation, slope: number, out: Float32Array, outOff: number,
): void {
  actBackwardRef(dY, dyOff, Y, yOff, dX, dxOff, rows * cols, a, slope);
  colSumRef(dX, dxOff, rows, cols, out, outOff, 0);
}

/** out[c] = beta·out[c] + Σ_r D[r,c]; D is [rows, cols] at dOff (the bias gradient of y = x·W + b). */
export function colSumRef(
  D: Float32Array, dOff: number, rows: number, cols: number, out: Float32Array, outOff: number, beta: 0 | 1,
): void {
  if (beta === 0) out.fill(0, outOff, outOff + cols);
  for (let r = 0, o = dOff; r < rows; r++, o += cols) {
    for (let c = 0; c < cols; c++) out[outOff + c]! += D[o + c]!;
  }
}

/**
 * One Adam step (Kingma & Ba; CS231n lecture 7) over n floats of w, g, m, v (offset 0):
 *   g' = g + l2·w;  m = b1·m + (1−b1)·g';  v = b2·v + (1−b2)·g'²;
 *   w −= lr · (m/bc1) / (sqrt(v/bc2) + eps),  with bc1 = 1 − b1^t, bc2 = 1 − b2^t (t = step, from 1).
 * l2 (default 0) folds L2 weight decay into the gradient; g itself is not modified.
 */
export function adamUpdateRef(
  w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, n: number,
  lr: number, b1: number, b2: number, eps: number, bc1: number, bc2: number, l2 = 0,
): void {
  const ibc1 = Math.fround(1 / bc1), ibc2 = Math.fround(1 / bc2);
  for (let i = 0; i < n; i++) {
    const gi = g[i]! + l2 * w[i]!;
    const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
    const vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
    w[i] = w[i]! - (lr * (mi * ibc1)) / (Math.sqrt(vi * ibc2) + eps);
  }
}

/** Shape of one 2-D convolution over an NCHW image; build it once with `convGeometry`. */
export interface ConvGeometry {
  readonly C: number; readonly H: number; readonly W: number;
  readonly KH: number; readonly KW: number; readonly stride: number; readonly pad: number;
  readonly OH: number; readonly OW: number;
}

/** Validates and derives OH = (H + 2·pad − KH)/stride + 1 (and OW); throws if not a positive integer. */
export function convGeometry(
  C: number, H: number, W: number, KH: number, KW: number, stride: number, pad: number,
): ConvGeometry {
  const OH = (H + 2 * pad - KH) / stride + 1, OW = (W + 2 * pad - KW) / stride + 1;
  for (const [k, v] of Object.entries({ C, H, W, KH, KW, stride, OH, OW })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`conv geometry: ${k} = ${v} must be a positive integer`);
  }
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`conv geometry: pad = ${pad} must be a non-negative integer`);
  return { C, H, W, KH, KW, stride, pad, OH, OW };
}

/**
 * im2col of one NCHW image x[C,H,W] at xOff into col at colOff: row r = (c·KH + kh)·KW + kw,
 * column q = oh·OW + ow, col[colOff + r·ld + q] = x[c, oh·stride − pad + kh, ow·stride − pad + kw]
 * (0 in the zero padding). ld ≥ OH·OW (= OH·OW for one image; N·OH·OW to place N images side by side).
 */
export function im2colRef(g: ConvGeometry, x: Float32Array, xOff: number, col: Float32Array, colOff: number, ld: number): void {
  const { C, H, W, KH, KW, stride, pad, OH, OW } = g;
  for (let c = 0, r = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++, r++) {
        let d = colOff + r * ld;
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * stride - pad + kh;
          for (let ow = 0; ow < OW; ow++, d++) {
            const iw = ow * stride - pad + kw;
            col[d] = ih >= 0 && ih < H && iw >= 0 && iw < W ? x[xOff + (c * H + ih) * W + iw]! : 0;
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: x[C,H,W] at xOff is overwritten with the sum of the col entries that read each pixel. */
export function col2imRef(g: ConvGeometry, col: Float32Array, colOff: number, x: Float32Array, xOff: number, ld: number): void {
  const { C, H, W, KH, KW, stride, pad, OH, OW } = g;
  x.fill(0, xOff, xOff + C * H * W);
  for (let c = 0, r = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++, r++) {
        let d = colOff + r * ld;
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * stride - pad + kh;
          for (let ow = 0; ow < OW; ow++, d++) {
            const iw = ow * stride - pad + kw;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) x[xOff + (c * H + ih) * W + iw]! += col[d]!;
          }
        }
      }
    }
  }
}

/**
 * Channel-major [F, N·PQ] (a batched conv GEMM's output) → sample-major NCHW [N, F, PQ], adding
 * bias[f]: samp[(n·F + f)·PQ + p] = chan[f·N·PQ + n·PQ + p] + bias[f].
 */
export function channelsToSamplesRef(chan: Float32Array, samp: Float32Array, F: number, N: number, PQ: number, bias: Float32Array): void {
  for (let f = 0; f < F; f++) {
    const b = bias[f]!;
    for (let n = 0; n < N; n++) {
      const src = (f * N + n) * PQ, dst = (n * F + f) * PQ;
      for (let p = 0; p < PQ; p++) samp[dst + p] = f32(chan[src + p]! + b);
    }
  }
}

/** The reverse layout change, and the bias gradient: chan[f·N·PQ + n·PQ + p] = samp[(n·F + f)·PQ + p]; dbias[f] = Σ_{n,p} samp. */
export function samplesToChannelsRef(samp: Float32Array, chan: Float32Array, F: number, N: number, PQ: number, dbias: Float32Array): void {
  for (let f = 0; f < F; f++) {
    let s = 0;
    for (let n = 0; n < N; n++) {
      const src = (n * F + f) * PQ, dst = (f * N + n) * PQ;
      for (let p = 0; p < PQ; p++) {
        const d = samp[src + p]!;
        chan[dst + p] = d;
        s += d;
      }
    }
    dbias[f] = s;
  }
}

/** Shape of a max pooling over `planes` = N·C planes of H×W (NCHW); OH = (H − size)/stride + 1 (no padding). */
export interface PoolGeometry {
  readonly planes: number; readonly H: number; readonly W: number;
  readonly size: number; readonly stride: number; readonly OH: number; readonly OW: number;
}

/**
 * Max pooling: y[o] = max of window o (o = (plane·OH + oy)·OW + ox), arg[o] = the index into x of
 * that max. Ties keep the first element in row-major window order; a NaN wins (the first NaN).
 */
export function maxPoolForwardRef(g: PoolGeometry, x: Float32Array, y: Float32Array, arg: Int32Array): void {
  const { planes, H, W, size, stride, OH, OW } = g;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++, o++) {
        let best = base + oy * stride * W + ox * stride;
        let m = x[best]!;
        for (let ki = 0; ki < size; ki++) {
          const row = base + (oy * stride + ki) * W + ox * stride;
          for (let kj = 0; kj < size; kj++) {
            const v = x[row + kj]!;
            if (v > m || (v !== v && m === m)) {
              m = v;
              best = row + kj;
            }
          }
        }
        y[o] = m;
        arg[o] = best;
      }
    }
  }
}

/** dx (planes·H·W floats) = 0, then dx[arg[o]] += dy[o]. */
export function maxPoolBackwardRef(g: PoolGeometry, dy: Float32Array, arg: Int32Array, dx: Float32Array): void {
  const nIn = g.planes * g.H * g.W, nOut = g.planes * g.OH * g.OW;
  dx.fill(0, 0, nIn);
  for (let o = 0; o < nOut; o++) dx[arg[o]!]! += dy[o]!;
}
