"""Optuna 3.1 anchor of the dispatch benchmark: RDBStorage on Postgres, N worker processes
doing ask/tell of no-op trials on one study. Sampler "random" (RandomSampler: like-for-like
with hps's random search, the sampler costs ~nothing) or "tpe" (Optuna's default sampler,
what a user gets without choosing one). Prints one JSON line:
{"trials", "workers", "sampler", "seconds", "trialsPerSecond"}.
Usage: /usr/bin/python3 optuna_bench.py <postgresql+psycopg2://...> <trials> <workers> <random|tpe>"""
import json
import multiprocessing as mp
import sys
import time

import optuna
from optuna.distributions import FloatDistribution

optuna.logging.set_verbosity(optuna.logging.WARNING)
STUDY = "dispatch-bench"


def work(url, n, seed, sampler, ready, go, done):
    storage = optuna.storages.RDBStorage(url)
    s = optuna.samplers.RandomSampler(seed=seed) if sampler == "random" else optuna.samplers.TPESampler(seed=seed)
    study = optuna.load_study(study_name=STUDY, storage=storage, sampler=s)
    dist = {"lr": FloatDistribution(1e-3, 10, log=True)}
    ready.release()
    go.wait()
    for _ in range(n):
        trial = study.ask(dist)
        study.tell(trial, 0.5)  # no-op objective
    done.release()


def main():
    url, trials, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sampler = sys.argv[4] if len(sys.argv) > 4 else "random"
    if sampler not in ("random", "tpe"):
        sys.exit(f"sampler must be random or tpe, got {sampler!r}")
    optuna.create_study(storage=optuna.storages.RDBStorage(url), study_name=STUDY, direction="maximize")
    ready, done, go = mp.Semaphore(0), mp.Semaphore(0), mp.Event()
    share = [trials // workers + (1 if i < trials % workers else 0) for i in range(workers)]
    procs = [mp.Process(target=work, args=(url, share[i], i, sampler, ready, go, done)) for i in range(workers)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()
    t0 = time.perf_counter()
    go.set()
    for _ in procs:
        done.acquire()
    seconds = time.perf_counter() - t0
    for p in procs:
        p.join()
    n = len(optuna.load_study(study_name=STUDY, storage=url).trials)
    print(json.dumps({"trials": n, "workers": workers, "sampler": sampler, "seconds": seconds, "trialsPerSecond": n / seconds}))


if __name__ == "__main__":
    main()
