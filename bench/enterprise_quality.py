"""强农贷 enterprise model quality on a small book, measured against the generator's truth (issue 13).

A bank's 强农贷 book is small, so the enterprise PD model must work with a few hundred labelled loans. The benchmark
generates a synthetic book (:func:`training.generator_enterprise.generate_enterprises`), draws 800 loans at random
as the bank's training book and keeps 4,000 others as the test loans. The real training job
(``credit-engine train --spec credit_engine/specs/enterprise.yaml``, into a temporary MLflow store) selects, refits
and registers ``enterprise-pd`` on the 800; the registered model then scores the 4,000 loans it has never seen.
Measured there: AUC against the Bayes ceiling (AUC of the true PD on the same loans), calibration per decile of
predicted PD against the mean true PD, and the lead over Altman's Z'' alone.

Beside the model, the **oracle**: a logistic regression of the 800 training loans' outcomes on their *true* log-odds
(two parameters, intercept and slope, with the generator's exact function handed to it). No model fitted on the same
loans can know more, so the oracle's worst decile gap is the floor that 800 loans allow: what is left of it is the
sampling noise of the training book (its default rate and slope), not the model. ``--seeds`` runs several books and
writes the model and the oracle side by side (``bench/results/enterprise_quality_books.md``).

    .venv/bin/python bench/enterprise_quality.py [--train 800] [--test 4000] [--seed 7]
    .venv/bin/python bench/enterprise_quality.py --seeds 7 1 2 11 3 5 13 17 [--family scorecard]
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
    parser.add_argument("--seeds", type=int, nargs="+", help="several books: the model and the oracle per book")
    parser.add_argument("--family", action="append", help="candidate families of the job (default: all of them)")
    args = parser.parse_args()
    summaries = []
    for seed in args.seeds or [args.seed]:
        with tempfile.TemporaryDirectory() as home:
            os.environ["CREDIT_ENGINE_HOME"] = home
            os.environ.pop("MLFLOW_TRACKING_URI", None)
            summary = measure(args.train, args.test, seed, Path(home), args.family)
        summary.update({"train_loans": args.train, "test_loans": args.test, "seed": seed})
        summaries.append(summary)
    if args.seeds:
        write_books(summaries, "-" + "-".join(args.family) if args.family else "")
    else:
        write(summaries[0])


def book(n_train: int, n_test: int, seed: int, folder: Path, train_truth: bool = False):
    """The training file (``n_train`` loans drawn at random) and the validated test loans with their true PD; with
    ``train_truth`` also the training loans' outcomes and true PD (for the oracle)."""
    from credit_engine.enterprise.validation import validate_enterprises
    from training.generator_enterprise import generate_enterprises

    applications, truth = generate_enterprises(n_train + n_test, seed)
    order = np.random.default_rng(seed).permutation(len(applications))
    train, test = np.sort(order[:n_train]), np.sort(order[n_train:])
    path = folder / "enterprises_train.parquet"
    applications.iloc[train].to_parquet(path, index=False)
    validated = validate_enterprises(applications.iloc[test], require_label=True)
    assert validated.ok, validated.errors[:3]
    true_pd = truth["true_pd"].to_numpy()
    found = path, validated.frame.reset_index(drop=True), true_pd[test]
    if train_truth:
        return (*found, applications["defaulted"].to_numpy()[train], true_pd[train])
    return found


def oracle_pd(y_train: np.ndarray, true_pd_train: np.ndarray, true_pd_test: np.ndarray) -> np.ndarray:
    """The oracle's PDs of the test loans: intercept and slope on the true log-odds, learnt from the training loans'
    outcomes (unpenalised maximum likelihood)."""
    from sklearn.linear_model import LogisticRegression

    def logit(p: np.ndarray) -> np.ndarray:
        return np.log(p / (1.0 - p))[:, None]

    oracle = LogisticRegression(C=np.inf).fit(logit(true_pd_train), y_train)
    return oracle.predict_proba(logit(true_pd_test))[:, 1]


def measure(n_train: int, n_test: int, seed: int, home: Path, families: list[str] | None = None) -> dict:
    import mlflow.sklearn
    from sklearn.metrics import roc_auc_score

    from credit_engine.config import load_settings
    from credit_engine.enterprise.ratios import altman_z
    from credit_engine.features import bundled_spec
    from training.evaluation import calibration_by_decile
    from training.tracking import configure
    from training.train_job import TrainJob

    path, test, true_pd, y_train, true_pd_train = book(n_train, n_test, seed, home, train_truth=True)
    settings = load_settings()
    started = time.perf_counter()
    report = TrainJob(data=path, spec=SPEC, seed=seed, families=tuple(families) if families else None).run(settings)
    train_seconds = time.perf_counter() - started
    configure(settings)
    model = mlflow.sklearn.load_model(report["model_uri"])
    y = bundled_spec("enterprise").labels(test)
    pd_ = model.predict_proba(test)[:, 1]
    auc, bayes, z_auc = roc_auc_score(y, pd_), roc_auc_score(y, true_pd), roc_auc_score(y, -altman_z(test))
    oracle = calibration_by_decile(oracle_pd(y_train, true_pd_train, true_pd), y, true_pd)
    return {
        "train_default_rate": float(y_train.mean()),
        "oracle_max_decile_gap_pp": max(abs(d["gap_pp_vs_true"]) for d in oracle),
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
        f"| the same for the oracle (true log-odds, intercept and slope learnt on the training loans) | "
        f"{summary['oracle_max_decile_gap_pp']:.2f} pp | | |",
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


def write_books(summaries: list[dict], suffix: str = "") -> None:
    """One row per book: the registered model's AUC and worst decile gap beside the oracle's floor (``suffix``: the
    families the job was restricted to, in the file names)."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"enterprise_quality_books{suffix}.json").write_text(json.dumps(summaries, indent=2, default=float))
    lines = [
        f"{summaries[0]['train_loans']:,} training loans drawn at random per book, {summaries[0]['test_loans']:,} "
        "test loans; worst decile gap = largest |mean PD − mean true PD| over deciles of predicted PD (pp)",
        "",
        "| seed | training default rate | selected | AUC / Bayes | worst decile gap, model | worst decile gap, "
        "oracle | model − oracle | ≤ 2 pp |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        model, oracle = s["max_decile_gap_pp"], s["oracle_max_decile_gap_pp"]
        lines.append(
            f"| {s['seed']} | {s['train_default_rate']:.2%} | {s['selected']} | {s['ratio_to_bayes']:.3f} | "
            f"{model:.2f} | {oracle:.2f} | {model - oracle:+.2f} | {model <= 2.0} |"
        )
    model = np.array([s["max_decile_gap_pp"] for s in summaries])
    oracle = np.array([s["oracle_max_decile_gap_pp"] for s in summaries])
    lines += [
        "",
        f"Over {len(summaries)} books: model median {np.median(model):.2f} pp (mean {model.mean():.2f}, "
        f"{(model <= 2).sum()} of {len(model)} ≤ 2 pp); oracle median {np.median(oracle):.2f} pp (mean "
        f"{oracle.mean():.2f}, {(oracle <= 2).sum()} of {len(oracle)} ≤ 2 pp)",
    ]
    (RESULTS / f"enterprise_quality_books{suffix}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
