/**
 * The fused WebAssembly kernels the layers and optimizers call on their hot paths. Each has a
 * plain-TypeScript twin with the same signature in fused-ref.ts (documented there). When every
 * buffer is an arena view (from `alloc`) the kernel runs in place with zero copies; otherwise the
 * call falls back to the twin, so results are the same either way.
 */
import { arenaAddress, kernels } from "./arena.ts";
import {
  actBackwardColSumRef, actBackwardRef, actForwardRef, adamUpdateRef, biasActRef, col2imRef, colSumRef, im2colRef,
  maxPoolBackwardRef, maxPoolForwardRef, type Activation, type ConvGeometry, type PoolGeometry,
} from "./fused-ref.ts";

function need(kernel: string, name: string, arr: Float32Array | Int32Array, off: number, n: number): void {
  if (!(off >= 0 && off + n <= arr.length)) {
    throw new RangeError(`${kernel}: ${name} needs ${n} floats from offset ${off}, has ${arr.length}`);
  }
}

/** See biasActRef. */
export function biasAct(
  Y: Float32Array, yOff: number, rows: number, cols: number,
  bias: Float32Array, bOff: number, a: Activation, slope: number,
): void {
  need("biasAct", "Y", Y, yOff, rows * cols);
  need("biasAct", "bias", bias, bOff, cols);
  const py = arenaAddress(Y, yOff), pb = arenaAddress(bias, bOff);
  if (py < 0 || pb < 0) return biasActRef(Y, yOff, rows, cols, bias, bOff, a, slope);
  kernels.biasAct(py, pb, rows, cols, a, slope);
}

/** See actForwardRef. */
export function actForward(
  X: Float32Array, xOff: number, Y: Float32Array, yOff: number, n: number, a: Activation, slope: number,
): void {
  need("actForward", "X", X, xOff, n);
  need("actForward", "Y", Y, yOff, n);
  const px = arenaAddress(X, xOff), py = arenaAddress(Y, yOff);
  if (px < 0 || py < 0) return actForwardRef(X, xOff, Y, yOff, n, a, slope);
  kernels.actForward(px, py, n, a, slope);
}

/** See actBackwardRef. */
export function actBackward(
  dY: Float32Array, dyOff: number, Y: Float32Array, yOff: number, dX: Float32Array, dxOff: number,
  n: number, a: Activation, slope: number,
): void {
  need("actBackward", "dY", dY, dyOff, n);
  need("actBackward", "Y", Y, yOff, n);
  need("actBackward", "dX", dX, dxOff, n);
  const pd = arenaAddress(dY, dyOff), py = arenaAddress(Y, yOff), px = arenaAddress(dX, dxOff);
  if (pd < 0 || py < 0 || px < 0) return actBackwardRef(dY, dyOff, Y, yOff, dX, dxOff, n, a, slope);
  kernels.actBackward(pd, py, px, n, a, slope);
}

/** See actBackwardColSumRef. */
export function actBackwardColSum(
  dY: Float32Array, dyOff: number, Y: Float32Array, yOff: number, dX: Float32Array, dxOff: number,
  rows: number, cols: number, a: Activation, slope: number, out: Float32Array, outOff: number,
): void {
  const n = rows * cols;
  need("actBackwardColSum", "dY", dY, dyOff, n);
  need("actBackwardColSum", "Y", Y, yOff, n);
  need("actBackwardColSum", "dX", dX, dxOff, n);
  need("actBackwardColSum", "out", out, outOff, cols);
  const pd = arenaAddress(dY, dyOff), py = arenaAddress(Y, yOff), px = arenaAddress(dX, dxOff), po = arenaAddress(out, outOff);
  if (pd < 0 || py < 0 || px < 0 || po < 0) return actBackwardColSumRef(dY, dyOff, Y, yOff, dX, dxOff, rows, cols, a, slope, out, outOff);
  kernels.actBackwardColSum(pd, py, px, rows, cols, a, slope, po);
}

/** See colSumRef. */
export function colSum(
  D: Float32Array, dOff: number, rows: number, cols: number, out: Float32Array, outOff: number, beta: 0 | 1,
): void {
  need("colSum", "D", D, dOff, rows * cols);
  need("colSum", "out", out, outOff, cols);
  const pd = arenaAddress(D, dOff), po = arenaAddress(out, outOff);
  if (pd < 0 || po < 0) return colSumRef(D, dOff, rows, cols, out, outOff, beta);
  kernels.colSum(pd, rows, cols, po, beta);
}

/** See adamUpdateRef. */
export function adamUpdate(
  w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, n: number,
  lr: number, b1: number, b2: number, eps: number, bc1: number, bc2: number, l2 = 0,
): void {
  for (const [k, arr] of [["w", w], ["g", g], ["m", m], ["v", v]] as const) need("adamUpdate", k, arr, 0, n);
  const pw = arenaAddress(w, 0), pg = arenaAddress(g, 0), pm = arenaAddress(m, 0), pv = arenaAddress(v, 0);
  if (pw < 0 || pg < 0 || pm < 0 || pv < 0) return adamUpdateRef(w, g, m, v, n, lr, b1, b2, eps, bc1, bc2, l2);
  kernels.adam(pw, pg, pm, pv, n, lr, b1, b2, eps, 1 / bc1, 1 / bc2, l2);
}

/** See im2colRef. */
export function im2col(g: ConvGeometry, x: Float32Array, xOff: number, col: Float32Array, colOff: number, ld: number): void {
  const q = g.OH * g.OW, rows = g.C * g.KH * g.KW;
  if (ld < q) throw new RangeError(`im2col: ld = ${ld} < OH·OW = ${q}`);
  need("im2col", "x", x, xOff, g.C * g.H * g.W);
  need("im2col", "col", col, colOff, (rows - 1) * ld + q);
  const px = arenaAddress(x, xOff), pc = arenaAddress(col, colOff);
  if (px < 0 || pc < 0) return im2colRef(g, x, xOff, col, colOff, ld);
  kernels.im2col(px, g.C, g.H, g.W, g.KH, g.KW, g.stride, g.pad, g.OH, g.OW, pc, ld);
}

/** See col2imRef. */
export function col2im(g: ConvGeometry, col: Float32Array, colOff: number, x: Float32Array, xOff: number, ld: number): void {
  const q = g.OH * g.OW, rows = g.C * g.KH * g.KW;
  if (ld < q) throw new RangeError(`col2im: ld = ${ld} < OH·OW = ${q}`);
  need("col2im", "col", col, colOff, (rows - 1) * ld + q);
  need("col2im", "x", x, xOff, g.C * g.H * g.W);
  const pc = arenaAddress(col, colOff), px = arenaAddress(x, xOff);
  if (px < 0 || pc < 0) return col2imRef(g, col, colOff, x, xOff, ld);
  kernels.col2im(pc, g.C, g.H, g.W, g.KH, g.KW, g.stride, g.pad, g.OH, g.OW, px, ld);
}

/** See maxPoolForwardRef. arg should come from `allocInt32` to run in WebAssembly. */
export function maxPoolForward(g: PoolGeometry, x: Float32Array, y: Float32Array, arg: Int32Array): void {
  const nIn = g.planes * g.H * g.W, nOut = g.planes * g.OH * g.OW;
  if ((g.OH - 1) * g.stride + g.size > g.H || (g.OW - 1) * g.stride + g.size > g.W) throw new RangeError("maxPoolForward: windows exceed the input");
  need("maxPoolForward", "x", x, 0, nIn);
  need("maxPoolForward", "y", y, 0, nOut);
  need("maxPoolForward", "arg", arg, 0, nOut);
  const px = arenaAddress(x, 0), py = arenaAddress(y, 0), pa = arenaAddress(arg, 0);
  if (px < 0 || py < 0 || pa < 0) return maxPoolForwardRef(g, x, y, arg);
  kernels.maxPoolForward(px, g.planes, g.H, g.W, g.size, g.stride, g.OH, g.OW, py, pa);
}

/** See maxPoolBackwardRef. arg must hold indices below planes·H·W (as maxPoolForward writes them). */
export function maxPoolBackward(g: PoolGeometry, dy: Float32Array, arg: Int32Array, dx: Float32Array): void {
  const nIn = g.planes * g.H * g.W, nOut = g.planes * g.OH * g.OW;
  need("maxPoolBackward", "dy", dy, 0, nOut);
  need("maxPoolBackward", "arg", arg, 0, nOut);
  need("maxPoolBackward", "dx", dx, 0, nIn);
  const pd = arenaAddress(dy, 0), pa = arenaAddress(arg, 0), px = arenaAddress(dx, 0);
  if (pd < 0 || pa < 0 || px < 0) return maxPoolBackwardRef(g, dy, arg, dx);
  kernels.maxPoolBackward(pd, pa, nOut, px, nIn);
}
