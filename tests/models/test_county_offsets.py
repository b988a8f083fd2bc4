"""The county recalibration (issue 12): a fitted model's PDs moved by one log-odds offset per county, learnt with a
normal prior on recent loans — the shifted county's offset found, the others left near 0, ranks within a county
kept, one record scored as its table, and the county's reason listed first where the offset is large."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from api.scorer import ServedModel
from credit_engine.reasons import REASONS
from models.county_offsets import COUNTY_REASON, CountyRecalibratedPD, fit_offset
from models.store import LoadedModel
from tests.models.conftest import make_households

SHOCKED, SHIFT = "430124", 1.5


@pytest.fixture(scope="module")
def recent(lightgbm_model) -> pd.DataFrame:
    """Recent loans whose outcomes follow the model's PDs, with the odds of one county's raised by e^1.5."""
    frame = make_households(12_000, seed=23)
    moved = logit(lightgbm_model.predict_pd(frame)) + SHIFT * (frame["county_code"].astype(str) == SHOCKED)
    frame["defaulted"] = (np.random.default_rng(5).random(len(frame)) < expit(moved)).astype("int64")
    return frame


@pytest.fixture(scope="module")
def recalibrated(lightgbm_model, recent) -> CountyRecalibratedPD:
    return CountyRecalibratedPD(lightgbm_model).fit(recent, recent["defaulted"])


def test_the_shifted_county_gets_its_offset_and_the_others_stay_near_zero(recalibrated):
    offsets = recalibrated.offsets_
    assert offsets[SHOCKED] == pytest.approx(SHIFT, abs=0.3)
    assert all(abs(offset) < 0.3 for county, offset in offsets.items() if county != SHOCKED), offsets
    evidence = {row["county_code"]: row for row in recalibrated.evidence_}
    shocked = evidence[SHOCKED]
    assert shocked["realised_default_rate"] > 2 * shocked["model_mean_pd"]
    assert shocked["recalibrated_mean_pd"] == pytest.approx(shocked["realised_default_rate"], abs=0.03)
    assert sum(row["loans"] for row in evidence.values()) == 12_000


def test_the_prior_keeps_a_county_with_few_loans_near_zero():
    logits = np.full(40, logit(0.05))
    labels = np.zeros(40)
    labels[:3] = 1  # 3 bads in 40 loans against a 5% PD: 7.5% realised
    assert 0 < fit_offset(logits, labels, prior_sd=0.5) < 0.3
    many = np.full(4_000, logit(0.05)), np.r_[np.ones(300), np.zeros(3_700)]
    assert fit_offset(*many, prior_sd=0.5) == pytest.approx(logit(0.075) - logit(0.05), abs=0.02)


def test_pds_move_by_the_county_odds_and_ranks_within_a_county_are_kept(lightgbm_model, recalibrated, holdout):
    base, moved = lightgbm_model.predict_pd(holdout), recalibrated.predict_pd(holdout)
    county = holdout["county_code"].astype(str).to_numpy()
    for code in np.unique(county):
        rows = county == code
        expected = expit(logit(base[rows]) + recalibrated.offsets_[code])
        np.testing.assert_allclose(moved[rows], np.maximum(expected, 0.0003), rtol=1e-9)
        assert (np.argsort(moved[rows], kind="stable") == np.argsort(base[rows], kind="stable")).mean() > 0.999
    np.testing.assert_array_equal(recalibrated.predict_proba(holdout)[:, 1], moved)


def test_a_county_without_recent_loans_keeps_the_models_pd(lightgbm_model, recalibrated, holdout):
    elsewhere = holdout.head(50).copy()
    elsewhere["county_code"] = "140121"
    np.testing.assert_array_equal(recalibrated.predict_pd(elsewhere), lightgbm_model.predict_pd(elsewhere))


def test_the_county_reason_comes_first_where_the_offset_is_large(lightgbm_model, recalibrated, holdout):
    _, reasons = recalibrated.pd_and_reasons(holdout, 4)
    _, own = lightgbm_model.pd_and_reasons(holdout, 4)
    shocked = (holdout["county_code"].astype(str) == SHOCKED).to_numpy()
    for row, theirs, flagged in zip(reasons, own, shocked, strict=True):
        assert row == ([COUNTY_REASON, *theirs][:4] if flagged else theirs)
    assert REASONS[COUNTY_REASON].text_zh == "本县近期违约高于模型预测"
    assert recalibrated.reason_codes(holdout.head(30), top_n=1) == [row[:1] for row in reasons[:30]]


def test_one_record_scores_as_its_table_and_the_api_serves_it_on_its_fast_path(recalibrated, holdout):
    sample = holdout[holdout["county_code"].astype(str).isin([SHOCKED, "430121"])].head(30)
    pds, reasons = recalibrated.pd_and_reasons(sample)
    for i, record in enumerate(sample.to_dict("records")):
        assert recalibrated.score_record(record) == (pds[i], reasons[i])
    served = ServedModel(LoadedModel(recalibrated, "models:/household-pd/9", "household-pd", "9"))
    served.check()
    assert served.fast_path


def test_a_pickled_model_scores_the_same_and_rows_without_a_county_are_refused(recalibrated, holdout):
    again = pickle.loads(pickle.dumps(recalibrated))
    np.testing.assert_array_equal(again.predict_pd(holdout), recalibrated.predict_pd(holdout))
    with pytest.raises(ValueError, match="county_code"):
        recalibrated.predict_pd(holdout.drop(columns=["county_code"]))
    with pytest.raises(ValueError, match="0/1 outcome"):
        CountyRecalibratedPD(recalibrated.base).fit(holdout, np.full(len(holdout), 2))


def test_a_county_that_defaulted_less_keeps_the_models_pds_unless_the_policy_lowers_them(lightgbm_model, holdout):
    frame = make_households(12_000, seed=29)
    lower = frame["county_code"].astype(str) == SHOCKED
    moved = logit(lightgbm_model.predict_pd(frame)) - 1.0 * lower
    labels = (np.random.default_rng(6).random(len(frame)) < expit(moved)).astype("int64")
    raised_only = CountyRecalibratedPD(lightgbm_model).fit(frame, labels)
    fitted = {row["county_code"]: row["fitted_offset"] for row in raised_only.evidence_}
    assert fitted[SHOCKED] == pytest.approx(-1.0, abs=0.3) and raised_only.offsets_[SHOCKED] == 0.0
    there = holdout[(holdout["county_code"].astype(str) == SHOCKED).to_numpy()]
    np.testing.assert_array_equal(raised_only.predict_pd(there), lightgbm_model.predict_pd(there))
    both = CountyRecalibratedPD(lightgbm_model, direction="both").fit(frame, labels)
    assert both.offsets_[SHOCKED] == fitted[SHOCKED]
    assert (both.predict_pd(there) < lightgbm_model.predict_pd(there)).all()
    assert all(COUNTY_REASON not in row for row in both.reason_codes(there))
