"""The 强农贷 scorecard's calibration on small books, seed by seed: as fitted, and mapped by a Platt map learnt on its
stratified k-fold out-of-fold PDs (issue 13; what the training job does on a small file, without the job around it).

For each seed, the benchmark's book (:func:`bench.enterprise_quality.book`: ``--train`` loans drawn at random, 4,000
test loans with their true PD); the WOE scorecard of the enterprise spec fitted on the training loans; its worst and
root-mean-square decile gap against the mean true PD on the test loans, as fitted and with the map learnt on k folds
for each k of ``--folds``. One book's worst decile is noisy (about 24 defaults in the riskiest tenth of 800 loans), so
the script prints every seed and the means.

    .venv/bin/python bench/enterprise_card_calibration.py [--seeds 7 1 2 11] [--folds 5 10] [--train 800]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.enterprise_quality import book  # noqa: E402


def gaps(pd_: np.ndarray, y: np.ndarray, true_pd: np.ndarray) -> tuple[float, float]:
    """(worst, root mean square) decile gap against the mean true PD, in percentage points."""
    from training.evaluation import calibration_by_decile

    values = np.array([row["gap_pp_vs_true"] for row in calibration_by_decile(pd_, y, true_pd)])
    return float(np.abs(values).max()), float(np.sqrt(np.mean(values**2)))


def one_seed(seed: int, n_train: int, folds: list[int]) -> dict[str, tuple[float, ...]]:
    from sklearn.model_selection import StratifiedKFold

    from credit_engine.features import bundled_spec
    from models.calibration import fit_pd_platt
    from models.scorecard import WOEScorecard
    from training.data import load_frame

    spec = bundled_spec("enterprise")
    with tempfile.TemporaryDirectory() as folder:
        path, test, true_pd = book(n_train, 4000, seed, Path(folder))
        train = load_frame(path, spec)
    y, y_test = spec.labels(train), spec.labels(test)
    card = WOEScorecard(spec=spec).fit(train, y)
    found = {"as fitted": gaps(card.predict_pd(test), y_test, true_pd)}
    for k in folds:
        oof = np.zeros(len(y))
        for fit_rows, held_out in StratifiedKFold(k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
            fold_card = WOEScorecard(spec=spec).fit(train.iloc[fit_rows], y[fit_rows])
            oof[held_out] = fold_card.predict_pd(train.iloc[held_out])
        calibrator = fit_pd_platt(oof, y)
        card.recalibrate(calibrator, rows=len(y))
        found[f"{k} folds"] = (*gaps(card.predict_pd(test), y_test, true_pd), float(calibrator.coef_[0, 0]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 1, 2, 11])
    parser.add_argument("--folds", type=int, nargs="+", default=[5, 10])
    parser.add_argument("--train", type=int, default=800)
    args = parser.parse_args()
    rows = {seed: one_seed(seed, args.train, args.folds) for seed in args.seeds}
    columns = list(next(iter(rows.values())))
    print("| seed | " + " | ".join(f"{c}: worst / rms gap (pp)" for c in columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for seed, found in rows.items():
        cells = [f"{v[0]:.2f} / {v[1]:.2f}" + (f" (slope {v[2]:.2f})" if len(v) > 2 else "") for v in found.values()]
        print(f"| {seed} | " + " | ".join(cells) + " |")
    means = [np.mean([rows[s][c][:2] for s in rows], axis=0) for c in columns]
    print("| mean | " + " | ".join(f"{m[0]:.2f} / {m[1]:.2f}" for m in means) + " |")


if __name__ == "__main__":
    main()
