"""The enterprise model trains through the same job as households: the enterprise contract validates the file, the
spec's ratios are derived, and the model is registered under its own name, ``enterprise-pd``."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit_engine.errors import InvalidInput
from training.generator_enterprise import generate_enterprises
from training.tracking import configure
from training.train_job import TrainJob

pytestmark = pytest.mark.slow

SPEC = Path(__file__).resolve().parents[2] / "credit_engine" / "specs" / "enterprise.yaml"


def test_the_enterprise_spec_trains_and_registers_enterprise_pd(engine_settings, tmp_path):
    applications, _ = generate_enterprises(800, seed=2)
    data = tmp_path / "enterprises.parquet"
    applications.to_parquet(data, index=False)

    report = TrainJob(data=data, spec=SPEC, families=("scorecard",), cv_folds=3).run(engine_settings)

    assert report["model_name"] == "enterprise-pd" and report["model_uri"].startswith("models:/enterprise-pd/")
    assert report["selected"] == "scorecard" and "champion" in report["aliases"]
    assert report["scorecard"]["auc"] > 0.7
    version = configure(engine_settings).get_model_version("enterprise-pd", report["model_version"])
    assert version.tags["policy.version"] == "qiangnong-2026.1" and version.tags["spec.name"] == "enterprise"


def test_a_file_breaking_the_enterprise_contract_is_refused_with_its_rows(engine_settings, tmp_path):
    applications, _ = generate_enterprises(300, seed=2)
    code = applications.loc[4, "credit_code"]
    applications.loc[4, "credit_code"] = code[:-1] + ("Y" if code[-1] != "Y" else "X")
    applications.loc[7, "owner_equity"] = applications.loc[7, "owner_equity"] + applications.loc[7, "total_assets"]
    data = tmp_path / "enterprises.parquet"
    applications.to_parquet(data, index=False)

    with pytest.raises(InvalidInput) as raised:
        TrainJob(data=data, spec=SPEC, families=("scorecard",)).run(engine_settings)

    broken = {(e.row, e.field, e.rule) for e in raised.value.errors}
    assert broken == {(6, "credit_code", "credit_code_check"), (9, "owner_equity", "balance_sheet_balances")}


def test_on_a_small_book_the_registered_card_is_calibrated_on_out_of_fold_pds(engine_settings, tmp_path):
    """Issue 13: 800 loans are too few for the card's own PDs (bins and weights chosen on the rows it is judged by
    spread them too far); the job maps them by a Platt map learnt on stratified out-of-fold PDs, the registered model
    reads it in its table and one-record paths alike (the API's)."""
    import mlflow.sklearn
    import numpy as np
    import pandas as pd

    from credit_engine.enterprise.validation import validate_enterprise

    applications, _ = generate_enterprises(840, seed=2)
    data = tmp_path / "enterprises.parquet"
    applications.iloc[:800].to_parquet(data, index=False)

    report = TrainJob(data=data, spec=SPEC, families=("scorecard",)).run(engine_settings)

    calibration = report["selection"]["scorecard_calibration"]
    assert calibration["folds"] == "stratified_kfold"
    assert calibration["n_rows"] == 800  # the registered card's map: every row of the book, once
    holdout_map = report["selection"]["holdout_models"]["scorecard_calibration"]
    assert holdout_map["n_rows"] == report["split"]["n_train"]  # the holdout card's: the training rows only
    assert 0 < calibration["slope"] < 1  # the card's own PDs were too spread out
    configure(engine_settings)
    card = mlflow.sklearn.load_model(report["model_uri"])
    assert card.calibrator_.coef_[0, 0] == pytest.approx(calibration["slope"])
    records = [validate_enterprise(row)[0] for row in applications.iloc[800:840].to_dict("records")]
    pds, reasons = card.pd_and_reasons(pd.DataFrame(records))
    assert [card.score_record(record) for record in records] == list(zip(pds, reasons, strict=True))
    np.testing.assert_array_equal(card.predict_proba(pd.DataFrame(records))[:, 1], pds)
