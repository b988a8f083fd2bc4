import numpy as np
import pandas as pd
import pytest

from training.evaluation import bayes_auc, calibration_by_decile, holdout_metrics, ks_statistic, truth_for


def test_perfect_ranking_has_auc_and_ks_of_one():
    y = np.array([0, 0, 0, 1, 1])
    scores = np.array([0.1, 0.2, 0.3, 0.8, 0.9])
    metrics = holdout_metrics(y, scores)
    assert metrics["auc"] == 1.0
    assert metrics["ks"] == 1.0
    assert metrics["n_test"] == 5
    assert metrics["brier"] == pytest.approx(np.mean((scores - y) ** 2))


def test_ks_of_an_uninformative_score_is_small():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 20000)
    assert ks_statistic(y, rng.random(20000)) < 0.03


def test_single_class_holdout_is_refused():
    with pytest.raises(ValueError, match="single class"):
        holdout_metrics(np.zeros(10), np.linspace(0, 1, 10))


def test_calibration_deciles_compare_predicted_observed_and_true():
    rng = np.random.default_rng(2)
    true_pd = rng.uniform(0.0, 0.2, 50000)
    y = rng.random(50000) < true_pd
    deciles = calibration_by_decile(true_pd, y.astype(int), true_pd)
    assert len(deciles) == 10
    assert sum(row["n"] for row in deciles) == 50000
    assert all(abs(row["gap_pp_vs_true"]) < 1e-9 for row in deciles)
    assert all(abs(row["observed_rate"] - row["mean_pd"]) < 0.02 for row in deciles)
    assert bayes_auc(y, true_pd) > 0.6


def test_truth_is_aligned_by_application_id_and_must_cover_every_row():
    frame = pd.DataFrame({"application_id": ["a2", "a1"]})
    truth = pd.DataFrame({"application_id": ["a1", "a2"], "true_pd": [0.1, 0.2]})
    np.testing.assert_allclose(truth_for(frame, truth), [0.2, 0.1])
    with pytest.raises(ValueError, match="no true_pd"):
        truth_for(pd.DataFrame({"application_id": ["a3"]}), truth)
