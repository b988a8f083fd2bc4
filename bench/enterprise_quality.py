"""强农贷 enterprise model quality on a small book, measured against the generator's truth (issue 13).

A bank's 强农贷 book is small, so the enterprise PD model must work with a few hundred labelled loans. The benchmark
generates a synthetic book (:func:`training.generator_enterprise.generate_enterprises`), draws 800 loans at random
as the bank's training book and keeps 4,000 others as the test loans. The real training job
(``credit-engine train --spec credit_engine/specs/enterprise.yaml``, into a temporary MLflow store) selects, refits
and registers ``enterprise-pd`` on the 800; the registered model then scores the 4,000 loans it has never seen.
Measured there: AUC against the Bayes ceiling (AUC of the true PD on the same loans), calibration per decile of
predicted PD against the mean true PD, and the lead over Altman's Z'' alone.

    .venv/bin/python bench/enterprise_quality.py [--train 800] [--test 4000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RESULTS = Path(__file__).resolve().parent / "results"
SPEC = Path(__file__).resolve().parents[1] / "credit_engine" / "specs" / "enterprise.yaml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=int, default=800)
    parser.add_argument("--test", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["CREDIT_ENGINE_HOME"] = home
        os.environ.pop("MLFLOW_TRACKING_URI", None)
        summary = measure(args.train, args.test, args.seed, Path(home))
    summary.update({"train_loans": args.train, "test_loans": args.test, "seed": args.seed})
    write(summary)


def book(n_train: int, n_test: int, seed: int, folder: Path):
    """The training file (``n_train`` loans drawn at random) and the validated test loans with their true PD."""
    from credit_engine.enterprise.validation import validate_enterprises
    from training.generator_enterprise import generate_enterprises

    applications, truth = generate_enterprises(n_train + n_test, seed)
    order = np.random.default_rng(seed).permutation(len(applications))
    train, test = np.sort(order[:n_train]), np.sort(order[n_train:])
    path = folder / "enterprises_train.parquet"
    applications.iloc[train].to_parquet(path, index=False)
    validated = validate_enterprises(applications.iloc[test], require_label=True)
    assert validated.ok, validated.errors[:3]
    return path, validated.frame.reset_index(drop=True), truth["true_pd"].to_numpy()[test]


def measure(n_train: int, n_test: int, seed: int, home: Path) -> dict:
    import mlflow.sklearn
    from sklearn.metrics import roc_auc_score

    from credit_engine.config import load_settings
    from credit_engine.enterprise.ratios import altman_z
    from credit_engine.features import bundled_spec
    from training.tracking import configure
    from training.train_job import TrainJob

    path, test, true_pd = book(n_train, n_test, seed, home)
    settings = load_settings()
    started = time.perf_counter()
    report = TrainJob(data=path, spec=SPEC, seed=seed).run(settings)
    train_seconds = time.perf_counter() - started
    configure(settings)
    model = mlflow.sklearn.load_model(report["model_uri"])
    y = bundled_spec("enterprise").labels(test)
    pd_ = model.predict_proba(test)[:, 1]
    auc, bayes, z_auc = roc_auc_score(y, pd_), roc_auc_score(y, true_pd), roc_auc_score(y, -altman_z(test))
    return {
        "model_name": report["model_name"],
        "selected": report["selected"],
        "cv_auc": {name: stats["mean_auc"] for name, stats in report["selection"].get("families", {}).items()},
        "train_seconds": round(train_seconds, 1),
        "test_default_rate": float(y.mean()),
        **figures(y, pd_, true_pd, auc, bayes, z_auc),
    }


def figures(y: np.ndarray, pd_: np.ndarray, true_pd: np.ndarray, auc: float, bayes: float, z_auc: float) -> dict:
    """The measures against their targets, and calibration per decile of predicted PD vs the mean true PD."""
    from training.evaluation import calibration_by_decile

    deciles = calibration_by_decile(pd_, y, true_pd)
    max_gap = max(abs(d["gap_pp_vs_true"]) for d in deciles)
    return {
        "auc": auc,
        "bayes_auc": bayes,
        "altman_z_auc": z_auc,
        "ratio_to_bayes": auc / bayes,
        "lead_over_altman_z": auc - z_auc,
        "max_decile_gap_pp": max_gap,
        "deciles": deciles,
        "targets": {
            "ratio_to_bayes>=0.95": auc / bayes >= 0.95,
            "max_decile_gap_pp<=2": max_gap <= 2.0,
            "lead_over_altman_z>=0.05": auc - z_auc >= 0.05,
        },
    }


def write(summary: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "enterprise_quality.json").write_text(json.dumps(summary, indent=2, default=float))
    targets = summary["targets"]
    lines = [
        f"Synthetic 强农贷 book (seed {summary['seed']}): {summary['train_loans']:,} training loans drawn at random, "
        f"{summary['test_loans']:,} test loans (default rate {summary['test_default_rate']:.2%}); registered model "
        f"`{summary['model_name']}`, selected family: {summary['selected']}, trained in {summary['train_seconds']} s",
        "",
        "| measure | value | target | met |",
        "|---|---|---|---|",
        f"| Bayes ceiling AUC (true PD, test loans) | {summary['bayes_auc']:.4f} | | |",
        f"| enterprise model AUC | {summary['auc']:.4f} | | |",
        f"| Altman Z'' alone AUC | {summary['altman_z_auc']:.4f} | | |",
        f"| model / Bayes ceiling | {summary['ratio_to_bayes']:.4f} | ≥ 0.95 | {targets['ratio_to_bayes>=0.95']} |",
        f"| largest decile gap, mean PD vs mean true PD | {summary['max_decile_gap_pp']:.2f} pp | ≤ 2 pp | "
        f"{targets['max_decile_gap_pp<=2']} |",
        f"| lead over Altman Z'' | {summary['lead_over_altman_z']:+.4f} | ≥ +0.05 | "
        f"{targets['lead_over_altman_z>=0.05']} |",
        "",
        "| decile | loans | mean PD | mean true PD | observed rate | gap (pp) |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {d['decile']} | {d['n']:,} | {d['mean_pd']:.4f} | {d['mean_true_pd']:.4f} | {d['observed_rate']:.4f} | "
        f"{d['gap_pp_vs_true']:+.2f} |"
        for d in summary["deciles"]
    ]
    (RESULTS / "enterprise_quality.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
