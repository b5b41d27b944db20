"""PyTorch anchor for `pnpm bench:core` (run by bench/core/torch.ts with /usr/bin/python3).

Trains the same four workloads as the hps runner (see workloads.ts) single-threaded and prints
one JSON object per line: first {"meta": {...}} (torch version, the BLAS libraries actually
mapped into this process, a 512x512x512 sgemm in GFLOP/s), then, for each workload name read from
stdin (one per line), {"workload", "samplesPerSec"}; for a line "gemm M N K ta tb", {"gflops"} of that
sgemm shape (best of 8, ta/tb 0|1: transposed operands as views). Usage: torch_anchor.py <budget seconds> [wall|cpu]
(cpu: divide by this process's CPU time, time.process_time, instead of wall time.)
The parent sets OPENBLAS_NUM_THREADS=1, unsets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE, and for the
reference-BLAS run points LD_LIBRARY_PATH/LD_PRELOAD at Debian's reference libblas.
"""
import json
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)

WORKLOADS = {
    "mlp1": dict(kind="mlp", dims=[784, 256, 10], batch=128, opt="adam", lr=1e-3),
    "mlp2": dict(kind="mlp", dims=[784, 512, 512, 10], batch=256, opt="adam", lr=1e-3),
    "spiral": dict(kind="mlp", dims=[2, 100, 3], batch=300, opt="sgd", lr=1.0),
    "cnn": dict(kind="cnn", batch=64, opt="adam", lr=1e-3),
}


def build(w):
    if w["kind"] == "cnn":
        # conv 8 3x3 pad 1 -> relu -> maxpool 2 -> conv 16 3x3 pad 1 -> relu -> maxpool 2 -> fc 10
        return nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 7 * 7, 10),
        ), [1, 28, 28], 10
    d = w["dims"]
    layers = []
    for i in range(len(d) - 1):
        layers.append(nn.Linear(d[i], d[i + 1]))
        if i < len(d) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers), [d[0]], d[-1]


def run(name, budget, clock):
    w = WORKLOADS[name]
    model, in_shape, classes = build(w)
    b = w["batch"]
    xs = [torch.randn(b, *in_shape) for _ in range(8)]
    ys = [torch.randint(0, classes, (b,)) for _ in range(8)]
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=w["lr"]) if w["opt"] == "adam" else torch.optim.SGD(model.parameters(), lr=w["lr"])

    def step(i):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xs[i % 8]), ys[i % 8])
        loss.backward()
        opt.step()

    warm = 50 if name == "spiral" else 5
    for i in range(warm):
        step(i)
    now = time.process_time if clock == "cpu" else time.perf_counter
    steps, t0 = 0, now()
    while True:
        for _ in range(10 if name == "spiral" else 1):
            step(steps)
            steps += 1
        elapsed = now() - t0
        if elapsed >= budget and steps >= 5:
            break
    return steps * b / elapsed


def blas_libs():
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if "blas" in path or "lapack" in path:
                libs.add(path)
    return sorted(libs)


def gemm_gflops():
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    a @ b
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 0.3:
        a @ b
        reps += 1
    return 2 * 512 ** 3 * reps / (time.perf_counter() - t0) / 1e9


def gemm_shape(m, n, k, ta, tb, clock):
    """Best of 8 GFLOP/s of C = op(A)·op(B), op = transpose when ta/tb (a view: BLAS gets the flag)."""
    a = torch.full((k, m) if ta else (m, k), 0.5)
    b = torch.full((n, k) if tb else (k, n), 0.25)
    a = a.t() if ta else a
    b = b.t() if tb else b
    now = time.process_time if clock == "cpu" else time.perf_counter
    a @ b
    best = float("inf")
    for _ in range(8):
        t0 = now()
        a @ b
        best = min(best, now() - t0)
    return 2 * m * n * k / max(best, 1e-9) / 1e9


def main():
    budget = float(sys.argv[1])
    clock = sys.argv[2] if len(sys.argv) > 2 else "wall"
    gf = gemm_gflops()
    print(json.dumps({"meta": {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_libs(), "gemmGflops": round(gf, 1)}}), flush=True)
    # Then one workload name per stdin line (the parent interleaves runners per workload); EOF ends.
    for line in sys.stdin:
        n = line.strip()
        if n.startswith("gemm "):
            m, nn, k, ta, tb = (int(x) for x in n.split()[1:])
            print(json.dumps({"gflops": gemm_shape(m, nn, k, ta, tb, clock)}), flush=True)
        elif n:
            print(json.dumps({"workload": n, "samplesPerSec": run(n, budget, clock)}), flush=True)


if __name__ == "__main__":
    main()
