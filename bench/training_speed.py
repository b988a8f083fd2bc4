"""Training and batch-rating speed on 1,000,000 households, side by side with bare LightGBM.

1. The whole training job (``credit-engine train``: read, validate, split, cross-validated selection of the family,
   fit every family on the selection's sample of the training rows and evaluate them on the holdout, refit the
   selected family on every row, plots, MLflow logging and registration) in a child process: wall time, peak memory
   (max RSS) and the job's own breakdown by stage (the report's ``timings_seconds``).
   The cross-validation is kept cheap: its folds are drawn from a random 200,000 of the training rows
   (``training.selection.DEFAULT_MAX_ROWS``), forward-chaining (fold j trains on the chunks before it, so the 5
   folds fit on 1/6 … 5/6 of that subsample), and LightGBM stops early on each fold as it does anyway.
2. A bare ``lightgbm.train`` with the registered LightGBM's parameters and number of boosting rounds, on the same
   encoded matrix of all 1M households.
3. Batch rating without reasons (``rate_applications``: encode, predict, calibrate, grade, line, decision) vs a bare
   ``booster.predict`` on the pre-encoded matrix, in rows per second.

    .venv/bin/python bench/training_speed.py [--households 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import registry  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
CLI = Path(sys.executable).with_name("credit-engine")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = registry(args.households, 7)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "CREDIT_ENGINE_HOME": home}
        env.pop("MLFLOW_TRACKING_URI", None)
        report_path = Path(home) / "train.json"
        started = time.perf_counter()
        subprocess.run(
            [str(CLI), "train", "--data", str(folder / "households.parquet"), "--report", str(report_path)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        job_seconds = time.perf_counter() - started
        peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
        report = json.loads(report_path.read_text())
        os.environ["CREDIT_ENGINE_HOME"] = home
        summary = side_by_side(folder, report)
    summary.update(
        {
            "load_average_before": load_before,
            "households": args.households,
            "job_seconds": job_seconds,
            "job_peak_gb": peak_gb,
            "selected": report["selected"],
            "job_timings_seconds": report.get("timings_seconds", {}),
        }
    )
    summary["load_average_after"] = os.getloadavg()
    summary["job_over_bare_train"] = job_seconds / summary["bare_train_seconds"]
    write(summary)


def side_by_side(folder: Path, report: dict) -> dict:
    import lightgbm as lgb

    from credit_engine.config import load_settings
    from credit_engine.features import household_spec
    from credit_engine.policy import load_policy
    from credit_engine.rating import rate_applications
    from models.store import load_estimator
    from training.data import load_frame
    from training.families import make_estimator

    settings = load_settings()
    spec = household_spec()
    frame = load_frame(folder / "households.parquet", spec)
    y = spec.labels(frame)
    model = load_estimator(report["model_uri"], settings.mlflow_tracking_uri).estimator
    # the registered LightGBM: the model itself, or the blend's LightGBM part (its rounds and parameters)
    lightgbm = model if report["selected"] == "lightgbm" else getattr(model, "parts_", {}).get("lightgbm")
    if lightgbm is None:  # no LightGBM in the registered model: fit the same configuration for the comparison
        lightgbm = make_estimator("lightgbm", spec).fit(frame, y)
    matrix = lightgbm.encoder_.transform(frame)
    rounds = lightgbm.booster_.current_iteration()
    params = lightgbm._lgb_params(lightgbm.random_state, matrix.shape[1])
    started = time.perf_counter()
    dataset = lgb.Dataset(
        matrix,
        label=y,
        categorical_feature=list(lightgbm.encoder_.categorical_indices_),
        params=params,
        free_raw_data=False,
    )
    lgb.train(params, dataset, num_boost_round=rounds)
    bare_train = time.perf_counter() - started
    started = time.perf_counter()
    lightgbm.booster_.predict(matrix, num_iteration=lightgbm.best_iteration_)
    bare_predict = time.perf_counter() - started
    policy = load_policy(settings.policy_file)
    started = time.perf_counter()
    rate_applications(frame, lightgbm, policy, with_reasons=False, model_version="bench")
    rating = time.perf_counter() - started
    return {
        "rounds": rounds,
        "bare_train_seconds": bare_train,
        "bare_predict_rows_per_s": len(frame) / bare_predict,
        "rating_rows_per_s": len(frame) / rating,
        "rating_over_bare_predict": bare_predict / rating,
    }


def fmt_load(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{x:.1f}" for x in load)


def write(summary: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "training_speed.json").write_text(json.dumps(summary, indent=2))
    lines = [
        f"{summary['households']:,} households; selected family {summary['selected']}; "
        f"{summary['rounds']} boosting rounds",
        "",
        "| measure | credit-engine | bare LightGBM | ratio | target |",
        "|---|---|---|---|---|",
        f"| training: whole job vs `lgb.train` (s) | {summary['job_seconds']:.1f} | "
        f"{summary['bare_train_seconds']:.1f} | {summary['job_over_bare_train']:.2f}× | ≤ 2.5× |",
        f"| batch rating without reasons vs `booster.predict` (rows/s) | {summary['rating_rows_per_s']:,.0f} | "
        f"{summary['bare_predict_rows_per_s']:,.0f} | {summary['rating_over_bare_predict']:.2f} | ≥ 0.50 |",
        f"| peak memory of the training job (GB) | {summary['job_peak_gb']:.2f} | | | ≤ 4 GB |",
        "",
        f"Load average (1, 5, 15 min) before: {fmt_load(summary['load_average_before'])}, "
        f"after: {fmt_load(summary['load_average_after'])} (2 cores).",
        "",
        "| stage of the job | seconds |",
        "|---|---|",
    ]
    lines += [f"| {stage} | {seconds:.1f} |" for stage, seconds in summary["job_timings_seconds"].items()]
    (RESULTS / "training_speed.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
