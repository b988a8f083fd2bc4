"""German Credit, 20 fixed folds (RepeatedStratifiedKFold 5×4, random_state 0), every method in one script.

Methods: our training pipeline (the families of ``training.families``, the winner chosen inside each training fold
by an inner holdout — the test fold is never looked at for selection), optbinning BinningProcess+LogisticRegression,
toad chi-merge WOE+LogisticRegression, plain LightGBM, one-hot LogisticRegression. Bad = positive class.

    .venv/bin/python bench/german_credit.py      # writes bench/results/german_credit.json and .md
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _references as ref  # noqa: E402
from bench._data import german_credit  # noqa: E402
from credit_engine.features import FeatureSpec  # noqa: E402
from training.families import fit_and_select  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SPEC = FeatureSpec.from_yaml(Path(__file__).resolve().parent / "specs" / "german_credit.yaml")


def ours(train: pd.DataFrame, y_train: np.ndarray, test: pd.DataFrame) -> np.ndarray:
    return fit_and_select(train, y_train, SPEC).estimator.predict_pd(test)


METHODS = {
    "credit-engine pipeline": ours,
    "optbinning BinningProcess+LR": ref.optbinning_lr,
    "toad chi-merge WOE+LR": ref.toad_lr,
    "LightGBM": ref.plain_lightgbm,
    "one-hot LR": ref.onehot_lr,
}


def main() -> None:
    warnings.filterwarnings("ignore")
    data = german_credit()
    y = (data["creditability"] == "bad").astype(int).to_numpy()
    X = data.drop(columns=["creditability"])
    folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=4, random_state=0)
    aucs: dict[str, list[float]] = {name: [] for name in METHODS}
    seconds = dict.fromkeys(METHODS, 0.0)
    for fold, (tr, te) in enumerate(folds.split(X, y), start=1):
        for name, method in METHODS.items():
            started = time.perf_counter()
            pd_ = method(X.iloc[tr].reset_index(drop=True), y[tr], X.iloc[te].reset_index(drop=True))
            seconds[name] += time.perf_counter() - started
            aucs[name].append(roc_auc_score(y[te], pd_))
        print(f"fold {fold:2d}: " + "  ".join(f"{n.split()[0]} {a[-1]:.3f}" for n, a in aucs.items()), flush=True)
    write(aucs, seconds)


def write(aucs: dict[str, list[float]], seconds: dict[str, float]) -> None:
    best_reference = max(np.mean(v) for k, v in aucs.items() if k != "credit-engine pipeline")
    rows = [
        {"method": k, "mean_auc": float(np.mean(v)), "std_auc": float(np.std(v)), "seconds": round(seconds[k], 1)}
        for k, v in aucs.items()
    ]
    ours_auc = float(np.mean(aucs["credit-engine pipeline"]))
    summary = {
        "folds": 20,
        "rows": rows,
        "best_reference_auc": float(best_reference),
        "pipeline_auc": ours_auc,
        "ratio_to_best_reference": ours_auc / best_reference,
        "target_met": bool(ours_auc >= best_reference),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "german_credit.json").write_text(json.dumps(summary, indent=2))
    lines = ["| method | mean AUC (20 folds) | std | seconds |", "|---|---|---|---|"]
    lines += [f"| {r['method']} | {r['mean_auc']:.4f} | {r['std_auc']:.4f} | {r['seconds']} |" for r in rows]
    lines.append(
        f"\npipeline / best reference = {summary['ratio_to_best_reference']:.4f} "
        f"(target ≥ 1.0: {'met' if summary['target_met'] else 'NOT met'})"
    )
    (RESULTS / "german_credit.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
