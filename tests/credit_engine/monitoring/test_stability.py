"""PSI and CSI against the reference profile: known shifts give the index computed by hand; thresholds judge it."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from credit_engine.monitoring.policy import load_monitoring_policy
from credit_engine.monitoring.profile import (
    Bins,
    ReferenceProfile,
    build_profile,
    categorical_bins,
    numeric_bins,
    psi,
)
from credit_engine.monitoring.stability import stability_rows

POLICY = load_monitoring_policy()


def test_psi_of_a_known_shift_is_the_sum_by_hand():
    by_hand = (0.3 - 0.5) * math.log(0.3 / 0.5) + (0.7 - 0.5) * math.log(0.7 / 0.5)
    assert psi([0.5, 0.5], [0.3, 0.7]) == pytest.approx(by_hand)
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0.0


def test_an_empty_bin_counts_as_a_share_of_one_in_ten_thousand():
    by_hand = (0.0001 - 0.5) * math.log(0.0001 / 0.5) + (1.0 - 0.5) * math.log(1.0 / 0.5)
    assert psi([0.5, 0.5], [0.0, 1.0]) == pytest.approx(by_hand)


def test_numeric_bins_cut_at_the_reference_quantiles_with_a_missing_bin():
    bins = numeric_bins(np.arange(100), 10)
    assert len(bins.edges) == 9
    assert bins.shares[:10] == pytest.approx((0.1,) * 10)
    assert bins.shares[-1] == 0.0
    assert bins.counts([None, 5, 95, 1000]).tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1]


def test_a_value_most_rows_hold_keeps_a_bin_of_its_own_so_rows_moving_off_it_are_seen():
    # 95 % of the reference sold nothing online: every quantile edge is 0; four times as many sellers must show
    reference = np.concatenate([np.zeros(95), np.arange(1.0, 6.0) * 1000])
    bins = numeric_bins(reference, 10)
    assert bins.edges == (0.0,) and bins.closed == "right"
    assert bins.shares == pytest.approx((0.95, 0.05, 0.0))
    grown = np.concatenate([np.zeros(80), np.full(20, 5000.0)])
    assert bins.shares_of(grown).tolist() == pytest.approx([0.8, 0.2, 0.0])
    assert psi(bins.shares, bins.shares_of(grown)) >= 0.2
    assert bins.labels()[:2] == ["(-∞, 0]", "(0, +∞)"]


def test_a_profile_logged_before_right_closed_bins_keeps_its_left_closed_bins():
    old = Bins.from_dict({"kind": "numeric", "shares": [0.0, 1.0, 0.0], "edges": [0.0]})
    assert old.closed == "left" and old.counts([0.0, 1.0]).tolist() == [0, 2, 0]
    new = Bins.from_dict(numeric_bins([0.0, 0.0, 1.0], 2).as_dict())
    assert new.closed == "right" and new.counts([0.0, 1.0]).tolist() == [1, 1, 0]


def test_categories_outside_the_reference_fall_in_other():
    bins = categorical_bins(["a", "a", "b", None])
    assert bins.categories == ("a", "b")
    assert bins.shares == pytest.approx((0.5, 0.25, 0.0, 0.25))
    assert bins.counts(["c", "a", None]).tolist() == [1, 0, 1, 1]


def _frame(values, pds, cohort="2026-01"):
    return pd.DataFrame({"cohort": cohort, "pd": pds, "f:income": values})


def test_csi_of_a_feature_moved_into_the_upper_half_is_flagged_act():
    reference = np.arange(100, dtype=float)
    profile = build_profile(pd.DataFrame({"income": reference}), reference / 100, categorical=())
    shifted = np.repeat(np.arange(50, 100, dtype=float), 2)
    rows = stability_rows(_frame(shifted, reference / 100), ["income"], profile, POLICY)
    csi = next(r for r in rows if r["cohort"] == "all" and r["variable"] == "income")
    by_hand = 5 * (0.0001 - 0.1) * math.log(0.0001 / 0.1) + 5 * (0.2 - 0.1) * math.log(0.2 / 0.1)
    assert csi["value"] == pytest.approx(by_hand, abs=1e-4)
    assert csi["status"] == "act"
    pd_row = next(r for r in rows if r["cohort"] == "all" and r["variable"] == "pd")
    assert (pd_row["value"], pd_row["status"]) == (0.0, "green")


def test_a_cohort_smaller_than_min_rows_is_shown_not_judged():
    reference = np.arange(100, dtype=float)
    profile = build_profile(pd.DataFrame({"income": reference}), reference / 100, categorical=())
    frame = pd.concat([_frame(reference, reference / 100), _frame([99.0] * 5, [0.9] * 5, "2026-02")])
    rows = {(r["cohort"], r["variable"]): r for r in stability_rows(frame, ["income"], profile, POLICY)}
    assert rows[("2026-02", "income")]["status"] == "not_judged"
    assert rows[("2026-02", "income")]["value"] > 0.25
    assert rows[("2026-01", "income")]["status"] == "green"


def test_the_profile_reads_back_from_its_json():
    frame = pd.DataFrame({"income": np.arange(50.0), "county": ["a", "b"] * 25})
    profile = build_profile(frame, np.linspace(0, 0.2, 50), categorical=("county",), about={"model": "m/1"})
    again = ReferenceProfile.from_dict(profile.as_dict())
    assert again == profile
