"""Optuna 3.1 (Debian's python3-optuna) driving the hps core through bridge.ts.

Usage: /usr/bin/python3 bench/search/optuna_search.py PROBLEMS SEEDS TRIALS EPOCHS  (SEEDS: a comma list)
Prints one JSON line per search: {"problem", "method", "seed", "best", "epochs"}.
Same space, same epoch budget and the same per-search seed for every trial as the hps runs.
"""
import json
import subprocess
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
problems, seeds, trials, epochs = sys.argv[1].split(","), [int(s) for s in sys.argv[2].split(",")], int(sys.argv[3]), int(sys.argv[4])
bridge = subprocess.Popen(["npx", "tsx", "bench/search/bridge.ts"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)


def send(obj):
    bridge.stdin.write(json.dumps(obj) + "\n")
    bridge.stdin.flush()


def train(problem, seed, params, trial, prune):
    send({"problem": problem, "seed": seed, "params": params, "epochs": epochs})
    while True:
        msg = json.loads(bridge.stdout.readline())
        if "done" in msg:
            return msg
        value = msg["value"] if msg["value"] is not None else 0.0
        trial.report(value, msg["epoch"])
        send({"prune": bool(prune and trial.should_prune())})


def run(problem, method, seed):
    sampler = optuna.samplers.RandomSampler(seed=seed) if method == "random" else optuna.samplers.TPESampler(seed=seed, n_startup_trials=10)
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3) if method == "tpe+sh" else optuna.pruners.NopPruner()
    study = optuna.create_study(direction="maximize", sampler=sampler, pruner=pruner)
    spent = {"epochs": 0}

    def objective(trial):
        params = {
            "training.learningRate": trial.suggest_float("training.learningRate", 1e-4, 1, log=True),
            "training.l2": trial.suggest_float("training.l2", 1e-5, 0.1, log=True),
            "training.momentum": trial.suggest_float("training.momentum", 0.5, 0.99),
            "model.dropout": trial.suggest_float("model.dropout", 0, 0.5),
            "model.hidden": [trial.suggest_categorical("model.hidden", [32, 64, 128])],
        }
        r = train(problem, seed, params, trial, method == "tpe+sh")
        spent["epochs"] += r["epochs"]
        if r["stopReason"] == "pruned":
            raise optuna.TrialPruned()
        # A diverged trial (loss_exploded / non_finite) counts as a failure of its config: value 0.
        return r["value"] if r["value"] is not None and r["status"] == "completed" else 0.0

    study.optimize(objective, n_trials=trials)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    best = study.best_value if done else None
    print(json.dumps({"problem": problem, "method": "optuna " + method, "seed": seed, "best": best, "epochs": spent["epochs"]}), flush=True)


for problem in problems:
    for seed in seeds:
        for method in ["random", "tpe", "tpe+sh"]:
            run(problem, method, seed)
bridge.stdin.close()
bridge.wait()
