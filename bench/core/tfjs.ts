/**
 * The tfjs anchor: @tensorflow/tfjs-core 4.22 on the WebAssembly backend (SIMD, one thread in
 * Node), in its fastest form: forward and backward written by hand with explicit transposes
 * (tfjs-wasm's matMul with transpose flags is several times slower, and the Node bundle registers
 * no gradients anyway), Adam/SGD written by hand, one tf.tidy per step. Like PyTorch, no gradient
 * is computed for the input batch. The CNN runs NHWC (the wasm backend's layout); its filter
 * gradient uses the Conv3DBackpropFilterV2 kernel with depth 1 (the wasm backend has no 2-D one)
 * and its input gradient conv2dTranspose.
 * Returns null when tfjs is not installed. HPS_BENCH_TFJS_CHECK=1 first trains 30 steps on one batch
 * and prints the loss before/after to stderr (a sanity check of the hand-written gradients).
 */
import { measure, type Clock, type Rate, type Workload } from "./workloads.ts";

type Tf = typeof import("@tensorflow/tfjs-core");
type Tensor = import("@tensorflow/tfjs-core").Tensor;

let tfPromise: Promise<Tf | null> | undefined;

async function loadTf(): Promise<Tf | null> {
  try {
    const tf = await import("@tensorflow/tfjs-core");
    await import("@tensorflow/tfjs-backend-wasm");
    await tf.setBackend("wasm");
    await tf.ready();
    return tf;
  } catch {
    return null;
  }
}

export async function runTfjs(w: Workload, budgetSec: number, clock: Clock = "wall"): Promise<Rate | null> {
  tfPromise ??= loadTf();
  const tf = await tfPromise;
  if (!tf) return null;
  return w.convFilters.length ? runCnn(tf, w, budgetSec, clock) : runMlp(tf, w, budgetSec, clock);
}

/** Hand-written Adam (or SGD) over a list of params; returns the new params and state. */
function update(tf: Tf, w: Workload, params: Tensor[], grads: Tensor[], m: Tensor[], v: Tensor[], t: number): Tensor[][] {
  if (w.optimizer === "sgd") return [params.map((p, i) => tf.sub(p, tf.mul(grads[i]!, w.lr))), m, v];
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const stepSize = w.lr / (1 - b1 ** t), sqrtBc2 = Math.sqrt(1 - b2 ** t);
  const nm = m.map((mi, i) => tf.add(tf.mul(mi, b1), tf.mul(grads[i]!, 1 - b1)));
  const nv = v.map((vi, i) => tf.add(tf.mul(vi, b2), tf.mul(tf.square(grads[i]!), 1 - b2)));
  const np = params.map((p, i) => tf.sub(p, tf.div(tf.mul(nm[i]!, stepSize), tf.add(tf.div(tf.sqrt(nv[i]!), sqrtBc2), eps))));
  return [np, nm, nv];
}

function data(tf: Tf, w: Workload, shape: number[]): { xs: Tensor[]; onehots: Tensor[] } {
  const xs: Tensor[] = [], onehots: Tensor[] = [];
  for (let k = 0; k < 8; k++) {
    xs.push(tf.randomNormal([w.batch, ...shape], 0, 1, "float32", k + 1));
    const labels = tf.tensor1d(Array.from({ length: w.batch }, (_, i) => (i * 7 + k) % w.classes), "int32");
    onehots.push(tf.cast(tf.oneHot(labels, w.classes), "float32"));
  }
  return { xs, onehots };
}

type Grads = (x: Tensor, y: Tensor, p: Tensor[]) => Tensor[];
type Scores = (x: Tensor, p: Tensor[]) => Tensor;

function train(tf: Tf, w: Workload, budgetSec: number, clock: Clock, params: Tensor[], grads: Grads, scoresOf: Scores, shape: number[]): Rate {
  const { xs, onehots } = data(tf, w, shape);
  let p = params, m = params.map((q) => tf.zerosLike(q)), v = params.map((q) => tf.zerosLike(q));
  let t = 0;
  const step = (i: number) => {
    t++;
    const [np, nm, nv] = tf.tidy(() => update(tf, w, p, grads(xs[i % 8]!, onehots[i % 8]!, p), m, v, t));
    for (const q of [p, m, v]) if (q !== nm && q !== nv) tf.dispose(q);
    [p, m, v] = [np!, nm!, nv!];
  };
  if (process.env.HPS_BENCH_TFJS_CHECK) {
    // Sanity check of the hand-written gradients: training on one batch must drive its loss down.
    const lossOf = () => tf.tidy(() => -tf.sum(tf.mul(xsLogits(), onehots[0]!)).dataSync()[0]! / w.batch);
    const xsLogits = () => tf.logSoftmax(scoresOf(xs[0]!, p));
    const before = lossOf();
    for (let k = 0; k < 30; k++) step(0);
    console.error(`tfjs ${w.name}: loss on one batch ${before.toFixed(4)} → ${lossOf().toFixed(4)} after 30 steps`);
  }
  const sps = measure(w, step, budgetSec, clock);
  tf.dispose([...p, ...m, ...v, ...xs, ...onehots]);
  return sps;
}

function runMlp(tf: Tf, w: Workload, budgetSec: number, clock: Clock): Rate {
  const dims = [w.inShape[0]!, ...w.hidden, w.classes];
  const params: Tensor[] = [];
  for (let i = 0; i + 1 < dims.length; i++) {
    params.push(tf.randomNormal([dims[i]!, dims[i + 1]!], 0, Math.sqrt(2 / dims[i]!), "float32", 100 + i), tf.zeros([dims[i + 1]!]));
  }
  const L = dims.length - 1;
  const scoresOf: Scores = (x, p) => {
    let h = x;
    for (let i = 0; i < L; i++) {
      const z = tf.add(tf.matMul(h, p[2 * i]!), p[2 * i + 1]!);
      h = i < L - 1 ? tf.relu(z) : z;
    }
    return h;
  };
  return train(tf, w, budgetSec, clock, params, (x, y, p) => {
    const hs: Tensor[] = [x];
    let h = x;
    for (let i = 0; i < L; i++) {
      const z = tf.add(tf.matMul(h, p[2 * i]!), p[2 * i + 1]!);
      h = i < L - 1 ? tf.relu(z) : z;
      hs.push(h);
    }
    let d = tf.div(tf.sub(tf.softmax(h), y), w.batch);
    const g: Tensor[] = new Array(p.length);
    for (let i = L - 1; i >= 0; i--) {
      g[2 * i] = tf.matMul(tf.transpose(hs[i]!), d);
      g[2 * i + 1] = tf.sum(d, 0);
      if (i > 0) d = tf.mul(tf.matMul(d, tf.transpose(p[2 * i]!)), tf.step(hs[i]!));
    }
    return g;
  }, scoresOf, [dims[0]!]);
}

function runCnn(tf: Tf, w: Workload, budgetSec: number, clock: Clock): Rate {
  const [, H, W] = w.inShape as [number, number, number];
  const f1 = w.convFilters[0]!, f2 = w.convFilters[1]!;
  const flat = (H / 4) * (W / 4) * f2;
  const params: Tensor[] = [
    tf.randomNormal([3, 3, 1, f1], 0, Math.sqrt(2 / 9), "float32", 1), tf.zeros([f1]),
    tf.randomNormal([3, 3, f1, f2], 0, Math.sqrt(2 / (9 * f1)), "float32", 2), tf.zeros([f2]),
    tf.randomNormal([flat, w.classes], 0, Math.sqrt(2 / flat), "float32", 3), tf.zeros([w.classes]),
  ];
  const n = w.batch;
  const pool = (x: Tensor): Tensor => tf.maxPool(x as never, 2, 2, "valid");
  const poolGrad = (dy: Tensor, input: Tensor, output: Tensor) =>
    tf.engine().runKernel("MaxPoolGrad", { dy, input, output }, { filterSize: 2, strides: 2, pad: "valid" }) as Tensor;
  const filterGrad = (x: Tensor, dy: Tensor, c: number, f: number) => {
    const [, h, wd] = x.shape as number[];
    const g = tf.engine().runKernel("Conv3DBackpropFilterV2",
      { x: tf.reshape(x, [n, 1, h!, wd!, c]), dy: tf.reshape(dy, [n, 1, h!, wd!, f]) },
      { strides: [1, 1, 1], pad: "same", filterShape: [1, 3, 3, c, f] }) as Tensor;
    return tf.reshape(g, [3, 3, c, f]);
  };
  const scoresOf: Scores = (x, p) => {
    const r1 = tf.relu(tf.add(tf.conv2d(x as never, p[0] as never, 1, "same"), p[1]!));
    const r2 = tf.relu(tf.add(tf.conv2d(pool(r1) as never, p[2] as never, 1, "same"), p[3]!));
    return tf.add(tf.matMul(tf.reshape(pool(r2), [n, flat]), p[4]!), p[5]!);
  };
  return train(tf, w, budgetSec, clock, params, (x, y, p) => {
    const r1 = tf.relu(tf.add(tf.conv2d(x as never, p[0] as never, 1, "same"), p[1]!));
    const p1 = pool(r1);
    const r2 = tf.relu(tf.add(tf.conv2d(p1 as never, p[2] as never, 1, "same"), p[3]!));
    const p2 = pool(r2);
    const fl = tf.reshape(p2, [n, flat]);
    const scores = tf.add(tf.matMul(fl, p[4]!), p[5]!);
    const d3 = tf.div(tf.sub(tf.softmax(scores), y), n);
    const dW3 = tf.matMul(tf.transpose(fl), d3), db3 = tf.sum(d3, 0);
    const dp2 = tf.reshape(tf.matMul(d3, tf.transpose(p[4]!)), p2.shape);
    const dc2 = tf.mul(poolGrad(dp2, r2, p2), tf.step(r2));
    const dW2 = filterGrad(p1, dc2, f1, f2), db2 = tf.sum(dc2, [0, 1, 2]);
    const dp1 = tf.conv2dTranspose(dc2 as never, p[2] as never, p1.shape as [number, number, number, number], 1, "same");
    const dc1 = tf.mul(poolGrad(dp1, r1, p1), tf.step(r1));
    const dW1 = filterGrad(x, dc1, 1, f1), db1 = tf.sum(dc1, [0, 1, 2]);
    return [dW1, db1, dW2, db2, dW3, db3];
  }, scoresOf, [H, W, 1]);
}
