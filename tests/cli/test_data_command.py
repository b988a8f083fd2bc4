"""``credit-engine data generate`` writes the applications and the truth, and says what it wrote."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from cli.main import app
from training.generator import CONTRACT_COLUMNS

runner = CliRunner()


def test_generate_writes_households_and_truth(tmp_path: Path) -> None:
    out = tmp_path / "registry" / "nested"

    result = runner.invoke(app, ["data", "generate", "--households", "2000", "--seed", "4", "--out", str(out)])

    assert result.exit_code == 0, result.output
    applications = pd.read_parquet(out / "households.parquet")
    truth = pd.read_parquet(out / "truth.parquet")
    assert list(applications.columns) == [*CONTRACT_COLUMNS, "defaulted"]
    assert len(applications) == 2000 and list(truth.columns) == ["application_id", "true_pd"]
    assert truth["application_id"].tolist() == applications["application_id"].tolist()
    assert "default rate / 违约率" in result.output and "2,000" in result.output


def test_generate_is_reproducible_from_the_seed(tmp_path: Path) -> None:
    for name in ("one", "two"):
        args = ["data", "generate", "--households", "500", "--seed", "8", "--out", str(tmp_path / name)]
        assert runner.invoke(app, args).exit_code == 0

    one = pd.read_parquet(tmp_path / "one" / "households.parquet")
    two = pd.read_parquet(tmp_path / "two" / "households.parquet")
    pd.testing.assert_frame_equal(one, two)


def test_generate_refuses_an_empty_registry(tmp_path: Path) -> None:
    result = runner.invoke(app, ["data", "generate", "--households", "0", "--out", str(tmp_path)])

    assert result.exit_code == 2
    assert not (tmp_path / "households.parquet").exists()


def test_generate_qiangnong_writes_enterprises_and_truth(tmp_path: Path) -> None:
    from credit_engine.enterprise.fields import ENTERPRISE_FIELDS

    args = ["data", "generate", "--product", "qiangnong", "--enterprises", "600", "--seed", "4", "--out", str(tmp_path)]
    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.output
    applications = pd.read_parquet(tmp_path / "enterprises.parquet")
    truth = pd.read_parquet(tmp_path / "truth.parquet")
    assert list(applications.columns) == [*(f.name for f in ENTERPRISE_FIELDS), "defaulted"]
    assert len(applications) == 600 and truth["application_id"].tolist() == applications["application_id"].tolist()
    assert not (tmp_path / "households.parquet").exists()
    assert "带动建档立卡户" in result.output and "600" in result.output


def test_generate_refuses_an_unknown_product(tmp_path: Path) -> None:
    result = runner.invoke(app, ["data", "generate", "--product", "xiaowei", "--out", str(tmp_path)])

    assert result.exit_code == 2
