"""Rating quality on a synthetic registry of 200,000 households, measured against the generator's truth.

Runs the real training job (into a temporary MLflow store), then on its out-of-time holdout compares the selected
family — as fitted WITHOUT the holdout (the job logs its holdout PDs; the registered model is refitted on every row
and has seen the holdout) — with the Bayes ceiling (AUC of the generator's true PD on the same rows), checks
calibration per decile of predicted PD against the mean true PD, and measures the lead over the manual 100-point
sheet.

    .venv/bin/python bench/rating_quality.py [--households 200000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import registry  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = registry(args.households, args.seed)
    with tempfile.TemporaryDirectory() as home:
        os.environ["CREDIT_ENGINE_HOME"] = home
        os.environ.pop("MLFLOW_TRACKING_URI", None)
        summary = measure(folder)
    summary.update({"households": args.households, "seed": args.seed})
    write(summary)


def measure(folder: Path) -> dict:
    import mlflow

    from credit_engine.config import load_settings
    from credit_engine.features import household_spec
    from training.data import load_frame
    from training.evaluation import bayes_auc, calibration_by_decile, holdout_metrics, truth_for
    from training.splits import holdout_split
    from training.tracking import HOLDOUT_PD_ARTIFACT, configure
    from training.train_job import TrainJob

    settings = load_settings()
    started = time.perf_counter()
    report = TrainJob(data=folder / "households.parquet").run(settings)
    train_seconds = time.perf_counter() - started
    spec = household_spec()
    frame = load_frame(folder / "households.parquet", spec)
    test = frame.iloc[holdout_split(frame, spec).test]
    y = spec.labels(test)
    true_pd = truth_for(test, pd.read_parquet(folder / "truth.parquet"))
    configure(settings)  # the selected family fitted WITHOUT the holdout scored it; the registered refit has seen it
    with tempfile.TemporaryDirectory() as tmp:
        path = mlflow.artifacts.download_artifacts(
            run_id=report["run_id"], artifact_path=HOLDOUT_PD_ARTIFACT, dst_path=tmp
        )
        holdout_pd = pd.read_parquet(path)
    pd_ = holdout_pd[report["selected"]].to_numpy()
    metrics = holdout_metrics(y, pd_)
    assert abs(metrics["auc"] - report[report["selected"]]["auc"]) < 1e-9, "holdout differs from the job's"
    ceiling = bayes_auc(y, true_pd)
    deciles = calibration_by_decile(pd_, y, true_pd)
    max_gap = max(abs(d["gap_pp_vs_true"]) for d in deciles)
    lead = metrics["auc"] - report["manual_sheet"]["auc"]
    return {
        "selected": report["selected"],
        "selection": report["selection"],
        "n_test": metrics["n_test"],
        "train_seconds": round(train_seconds, 1),
        "auc": {name: report[name]["auc"] for name in ("lightgbm", "scorecard", "blend", "manual_sheet")},
        "bayes_auc": ceiling,
        "ratio_to_bayes": metrics["auc"] / ceiling,
        "lead_over_manual_sheet": lead,
        "max_decile_gap_pp": max_gap,
        "deciles": deciles,
        "targets": {
            "ratio_to_bayes>=0.99": metrics["auc"] / ceiling >= 0.99,
            "max_decile_gap_pp<=0.5": max_gap <= 0.5,
            "lead_over_manual>=0.08": lead >= 0.08,
        },
    }


def write(summary: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "rating_quality.json").write_text(json.dumps(summary, indent=2))
    auc = summary["auc"]
    lines = [
        f"Synthetic registry, {summary['households']:,} households (seed {summary['seed']}), out-of-time holdout "
        f"of {summary['n_test']:,}; selected family: {summary['selected']}",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| Bayes ceiling AUC (true PD, same rows) | {summary['bayes_auc']:.4f} | |",
        f"| LightGBM AUC | {auc['lightgbm']:.4f} | |",
        f"| WOE scorecard AUC | {auc['scorecard']:.4f} | |",
        f"| blend (stack of both) AUC | {auc['blend']:.4f} | |",
        f"| manual 100-point sheet AUC | {auc['manual_sheet']:.4f} | |",
        f"| selected / Bayes ceiling | {summary['ratio_to_bayes']:.4f} | ≥ 0.99 |",
        f"| largest decile gap, mean PD vs mean true PD | {summary['max_decile_gap_pp']:.2f} pp | ≤ 0.5 pp |",
        f"| lead over the manual sheet | {summary['lead_over_manual_sheet']:+.4f} | ≥ +0.08 |",
        "",
        "| decile | rows | mean PD | mean true PD | observed rate | gap (pp) |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {d['decile']} | {d['n']:,} | {d['mean_pd']:.4f} | {d['mean_true_pd']:.4f} | {d['observed_rate']:.4f} | "
        f"{d['gap_pp_vs_true']:+.2f} |"
        for d in summary["deciles"]
    ]
    (RESULTS / "rating_quality.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
