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
