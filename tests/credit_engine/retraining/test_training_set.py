"""The retraining set: censored loans left out, the most recent matured vintages held out of time, recency
weights by the policy's half-life, the registry's rows without ID numbers, and a digest that tells data apart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import credit_engine
from credit_engine.contract import example_application
from credit_engine.retraining.policy import load_retraining_policy
from credit_engine.retraining.training_set import REGISTRY, SOURCE, WEIGHT, retraining_set
from credit_engine.retraining.weights import recency_weights, weighted_rows

SHIPPED = load_retraining_policy()
# 2026.2, before the recalibration by county: every matured vintage before the gate's trains
POLICY = load_retraining_policy(Path(credit_engine.__file__).parent / "policy" / "retraining-2026.2.yaml")
AS_OF = dt.date(2026, 6, 30)


def test_a_row_one_half_life_old_weighs_half():
    dates = pd.Series([AS_OF, AS_OF - dt.timedelta(days=round(365.25 * 2)), AS_OF + dt.timedelta(days=3)])
    assert recency_weights(dates, AS_OF, 2.0) == pytest.approx([1.0, 0.5, 1.0], abs=1e-3)


def test_weighted_rows_keep_rows_in_proportion_to_their_weight_once_each():
    weights = np.array([1.0, 0.25] * 20_000)
    kept = weighted_rows(weights, seed=3)
    assert len(set(kept)) == len(kept) and (weights[kept] == 0.25).any()
    share_heavy = (weights[kept] == 1.0).mean()
    assert share_heavy == pytest.approx(0.8, abs=0.01)  # 1 : 0.25 → 80% of the drawn rows
    assert np.array_equal(kept, weighted_rows(weights, seed=3))
    with pytest.raises(ValueError, match="weights"):
        weighted_rows(np.array([0.0, -1.0]), seed=0)


def _row(month: int, label: str, year: int = 2025) -> dict:
    application = example_application(application_date=dt.date(year, month, 1))
    application.pop("head_id_number")
    defaulted = {"bad": 1, "good": 0}.get(label)
    return application | {"head_id_pseudonym": "p", "defaulted": defaulted, "censored": label == "censored",
                          "disbursed_on": dt.date(year, month, 5), "label": label}  # fmt: skip


def test_the_latest_matured_vintages_are_held_out_and_censored_loans_left_out():
    rows = [_row(m, "good" if m % 2 else "bad") for m in range(1, 9)] + [_row(9, "censored"), _row(10, "censored")]
    data = retraining_set(rows, None, AS_OF, POLICY)
    assert data.holdout_vintages == ("2025-06", "2025-07", "2025-08")
    assert len(data.holdout) == 3 and len(data.train) == 5
    assert "head_id_pseudonym" not in data.train.columns and "head_id_number" not in data.train.columns
    assert data.train[WEIGHT].is_monotonic_increasing and (data.train[WEIGHT] <= 1).all()
    described = data.describe()
    assert described["holdout_rows"] == 3 and described["train_rows_by_source"] == {"outcomes": 5}


def test_the_registry_is_added_to_the_training_rows_without_id_numbers_and_changes_the_digest():
    rows = [_row(m, "good" if m % 2 else "bad") for m in range(1, 9)]
    registry = pd.DataFrame([example_application(application_date=dt.date(2022, 6, 30)) | {"defaulted": 0}])
    without, with_registry = retraining_set(rows, None, AS_OF, POLICY), retraining_set(rows, registry, AS_OF, POLICY)
    added = with_registry.train[with_registry.train[SOURCE] == REGISTRY]
    assert len(added) == 1 and "head_id_number" not in with_registry.train.columns
    assert added[WEIGHT].iloc[0] == pytest.approx(0.25, abs=0.01)  # four years old, half-life two
    assert without.digest() == retraining_set(rows, None, AS_OF, POLICY).digest() != with_registry.digest()


def test_the_shipped_policy_keeps_the_vintages_before_the_gates_for_the_county_recalibration():
    rows = [_row(m, "good" if m % 3 else "bad", year) for year in (2024, 2025) for m in range(1, 13)]
    data = retraining_set(rows, None, AS_OF, SHIPPED)
    assert SHIPPED.recalibration is not None and SHIPPED.recalibration.vintages == 6
    assert data.holdout_vintages == ("2025-10", "2025-11", "2025-12")
    assert data.recalibration_vintages == tuple(f"2025-{m:02d}" for m in range(4, 10))
    assert len(data.recalibration) == 6 and len(data.holdout) == 3 and len(data.train) == 15
    trained = set(data.train["application_date"].astype(str).str[:7])
    assert trained.isdisjoint(data.recalibration_vintages) and trained.isdisjoint(data.holdout_vintages)
    described = data.describe()
    assert described["recalibration_rows"] == 6 and described["recalibration_bads"] == 2
    assert described["recalibration_vintages"] == list(data.recalibration_vintages)
    # the same rows without recalibration train on the window: another digest
    assert retraining_set(rows, None, AS_OF, POLICY).digest() != data.digest()
    assert "recalibration_rows" not in retraining_set(rows, None, AS_OF, POLICY).describe()


def test_a_short_history_gives_the_recalibration_what_is_left_and_nothing_to_train():
    rows = [_row(m, "good" if m % 2 else "bad") for m in range(1, 6)]
    data = retraining_set(rows, None, AS_OF, SHIPPED)
    assert data.recalibration_vintages == ("2025-01", "2025-02") and len(data.train) == 0
