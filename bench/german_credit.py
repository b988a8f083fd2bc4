"""Public credit data through the console script, fold by fold, beside the reference methods on the same folds.

For each data set (German Credit; the UCI Taiwan credit-card data) and each fold of
``RepeatedStratifiedKFold(5, 4, random_state=0)``, the training rows are written to a CSV and run through
``credit-engine train --data train.csv --spec SPEC --report ...`` in a subprocess (its own MLflow store), then the test
rows through ``credit-engine evaluate --model models:/NAME/VERSION --data test.csv --spec SPEC`` — exactly as a bank
would run them; the AUC is the one ``evaluate`` reports. The references — optbinning BinningProcess+LR, toad
chi-merge WOE+LR, plain LightGBM, one-hot LR — are fitted in this process on the same folds. Bad = positive class.

    .venv/bin/python bench/german_credit.py                        # both data sets, 20 folds each
    .venv/bin/python bench/german_credit.py --data taiwan --repeats 1   # the first 5 folds only
    .venv/bin/python bench/german_credit.py --data taiwan --jobs 2      # two folds' commands at a time (2 cores)

Writes ``bench/results/<data set>.json`` and ``.md`` per data set, after every fold (a run cut short leaves the folds
it finished, and says how many).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _references as ref  # noqa: E402
from bench._data import german_credit, taiwan_credit_card  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CLI = Path(sys.executable).with_name("credit-engine")
OURS = "credit-engine (CLI train + evaluate)"
TARGET_MARGIN = 0.005
DATASETS = {
    "german": ("german_credit", german_credit, "creditability", "bad", ["creditability"]),
    "taiwan": ("taiwan_credit_card", taiwan_credit_card, "target", 1, ["target", "ID"]),
}
REFERENCES = {
    "optbinning BinningProcess+LR": ref.optbinning_lr,
    "toad chi-merge WOE+LR": ref.toad_lr,
    "LightGBM": ref.plain_lightgbm,
    "one-hot LR": ref.onehot_lr,
}


def through_cli(
    train: pd.DataFrame, test: pd.DataFrame, spec: Path, work: Path, families: tuple[str, ...] = ()
) -> tuple[float, dict]:
    """Train on ``train`` (``--family`` for each of ``families``, none: the job's defaults) and evaluate on ``test``
    with the console script; (test AUC, the training report)."""
    env = {**os.environ, "CREDIT_ENGINE_HOME": str(work)}
    env.pop("MLFLOW_TRACKING_URI", None)
    train.to_csv(work / "train.csv", index=False)
    test.to_csv(work / "test.csv", index=False)
    quiet = {"check": True, "env": env, "stdout": subprocess.DEVNULL}
    subprocess.run(
        [
            str(CLI),
            "train",
            "--data",
            str(work / "train.csv"),
            "--spec",
            str(spec),
            "--report",
            str(work / "t.json"),
            *(option for name in families for option in ("--family", name)),
        ],
        **quiet,
    )
    report = json.loads((work / "t.json").read_text())
    subprocess.run(
        [str(CLI), "evaluate", "--model", report["model_uri"], "--data", str(work / "test.csv"), "--spec", str(spec),
         "--report", str(work / "e.json")],
        **quiet,
    )  # fmt: skip
    return json.loads((work / "e.json").read_text())["auc"], report


def run(key: str, repeats: int, families: tuple[str, ...] = (), jobs: int = 1) -> dict:
    """Every fold of ``repeats`` × 5 through the console script (``jobs`` folds' commands at a time) and the
    references in this process, fold by fold in order."""
    name, load, target, positive, drop = DATASETS[key]
    name += "".join(f"-{family}" for family in families)
    data = load()
    y = (data[target] == positive).astype(int).to_numpy()
    X = data.drop(columns=drop)
    spec = HERE / "specs" / f"{DATASETS[key][0]}.yaml"
    folds = list(RepeatedStratifiedKFold(n_splits=5, n_repeats=4, random_state=0).split(X, y))[: 5 * repeats]
    aucs: dict[str, list[float]] = {m: [] for m in (OURS, *REFERENCES)}
    seconds = dict.fromkeys(aucs, 0.0)
    selected: list[str] = []
    load = [os.getloadavg()[0]]

    def ours(tr: np.ndarray, te: np.ndarray) -> tuple[float, dict, float]:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            auc, report = through_cli(data.iloc[tr], data.iloc[te], spec, Path(tmp), families)
            return auc, report, time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=jobs) as pool:  # the commands are subprocesses: threads only wait on them
        pending = [pool.submit(ours, tr, te) for tr, te in folds]
        for fold, ((tr, te), future) in enumerate(zip(folds, pending, strict=True), start=1):
            auc, report, spent = future.result()
            seconds[OURS] += spent
            aucs[OURS].append(auc)
            selected.append(report["selected"])
            for method, fit_predict in REFERENCES.items():
                started = time.perf_counter()
                pd_ = fit_predict(X.iloc[tr].reset_index(drop=True), y[tr], X.iloc[te].reset_index(drop=True))
                seconds[method] += time.perf_counter() - started
                aucs[method].append(float(roc_auc_score(y[te], pd_)))
            load.append(os.getloadavg()[0])
            figures = "  ".join(f"{a[-1]:.4f}" for a in aucs.values())
            print(f"{name} fold {fold:2d} ({selected[-1]}, load {load[-1]:.1f}): {figures}", flush=True)
            write(summarise(name, aucs, seconds, selected, load), quiet=True)  # the folds so far, if cut short
    return summarise(name, aucs, seconds, selected, load)


def summarise(
    name: str, aucs: dict[str, list[float]], seconds: dict[str, float], selected: list[str], load: list[float]
) -> dict:
    rows = [
        {"method": k, "mean_auc": float(np.mean(v)), "std_auc": float(np.std(v)), "seconds": round(seconds[k], 1)}
        for k, v in aucs.items()
    ]
    best = max((r for r in rows if r["method"] != OURS), key=lambda r: r["mean_auc"])
    ours = float(np.mean(aucs[OURS]))
    return {
        "data": name,
        "folds": len(aucs[OURS]),
        "rows": rows,
        "per_fold": aucs,
        "selected_per_fold": selected,
        "load_average_1min": {"start": load[0], "max": max(load), "after_each_fold": load[1:]},
        "best_reference": best["method"],
        "best_reference_auc": best["mean_auc"],
        "pipeline_auc": ours,
        "lead_over_best_reference": ours - best["mean_auc"],
        "target_met": bool(ours >= best["mean_auc"] + TARGET_MARGIN),
    }


def write(summary: dict, quiet: bool = False) -> None:
    RESULTS.mkdir(exist_ok=True)
    name = summary["data"]
    (RESULTS / f"{name}.json").write_text(json.dumps(summary, indent=2))
    picks = pd.Series(summary["selected_per_fold"]).value_counts().to_dict()
    lines = [
        f"{name}: {summary['folds']} folds of RepeatedStratifiedKFold(5, 4, random_state=0); ours through the console "
        f"script (families selected: {', '.join(f'{k} {v}' for k, v in picks.items())})",
        "",
        f"| method | mean AUC ({summary['folds']} folds) | std | seconds |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r['method']} | {r['mean_auc']:.4f} | {r['std_auc']:.4f} | {r['seconds']} |" for r in summary["rows"]]
    load = summary["load_average_1min"]
    lines.append(f"\nload average (1 min) at the start {load['start']:.1f}, highest after a fold {load['max']:.1f}")
    verdict = "met" if summary["target_met"] else "NOT met"
    lines.append(
        f"\nlead over the best reference ({summary['best_reference']}): {summary['lead_over_best_reference']:+.4f} "
        f"(target ≥ +{TARGET_MARGIN}: {verdict})"
    )
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    if not quiet:
        print("\n".join(lines), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", nargs="+", choices=sorted(DATASETS), default=sorted(DATASETS))
    parser.add_argument("--repeats", type=int, default=4, choices=range(1, 5), help="repeats of the 5 folds (≤ 4)")
    parser.add_argument("--family", action="append", default=[], help="train --family, repeatable (results file "
                        "named after them; none: the job's default families)")  # fmt: skip
    parser.add_argument("--jobs", type=int, default=1, help="folds trained through the console script at a time "
                        "(each fold's AUC is the same; the seconds overlap)")  # fmt: skip
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    for key in args.data:
        write(run(key, args.repeats, tuple(args.family), max(1, args.jobs)))


if __name__ == "__main__":
    main()
