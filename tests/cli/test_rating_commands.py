"""The rating commands end to end, as a user runs them: train → evaluate → rate a spreadsheet → promote."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from credit_engine.contract import write_table

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    from training.generator import generate_registry

    home = tmp_path_factory.mktemp("home")
    applications, truth = generate_registry(4000, seed=3)
    applications.to_parquet(home / "households.parquet", index=False)
    truth.to_parquet(home / "truth.parquet", index=False)
    return home


@pytest.fixture()
def env(workspace, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(workspace))
    return workspace


@pytest.fixture(scope="module")
def trained(workspace):
    env = {"CREDIT_ENGINE_HOME": str(workspace), "MLFLOW_TRACKING_URI": None, "CREDIT_ENGINE_MLFLOW_TRACKING_URI": None}
    result = runner.invoke(
        app,
        [
            "train",
            "--data",
            str(workspace / "households.parquet"),
            "--report",
            str(workspace / "train.json"),
            "--cv-folds",
            "3",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    return json.loads((workspace / "train.json").read_text())


def test_rate_a_chinese_spreadsheet_keeps_every_row_and_rejects_the_bad_one(env, trained):
    frame = pd.read_parquet(env / "households.parquet").head(40).drop(columns=["defaulted"])
    frame["labor_count"] = frame["labor_count"].astype(object)
    frame.loc[5, "labor_count"] = "三"
    write_table(frame, env / "registry.csv", chinese_headers=True)

    result = runner.invoke(app, ["rate", "--input", str(env / "registry.csv"), "--output", str(env / "out.xlsx")])

    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(env / "out.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 40
    assert {"申请编号", "违约概率", "信用等级", "授信额度(元)", "审批结论", "原因1"} <= set(header)
    decision = header.index("审批结论")
    assert body[5][decision] == "invalid"
    assert {row[decision] for row in body[:5]} <= {"approve", "refer", "decline"}
    assert any(row[header.index("原因1")] for row in body[:5])
    rejects = pd.read_csv(env / "out.rejects.csv")
    assert rejects[["row", "field", "rule"]].values.tolist() == [[7, "labor_count", "type_int"]]
    assert (env / "out.summary.csv").exists()


def test_rate_strict_stops_with_exit_2_naming_the_row(env, trained):
    frame = pd.read_parquet(env / "households.parquet").head(10)
    frame.loc[2, "household_size"] = 0
    frame.to_parquet(env / "bad.parquet", index=False)
    result = runner.invoke(
        app, ["rate", "--input", str(env / "bad.parquet"), "--output", str(env / "o.csv"), "--strict"]
    )
    assert result.exit_code == 2
    assert "row 4" in result.output and "household_size" in result.output


def test_rate_to_csv_gives_pd_for_every_row_including_knockouts(env, trained):
    result = runner.invoke(
        app,
        [
            "rate",
            "--input",
            str(env / "households.parquet"),
            "--output",
            str(env / "all.csv"),
            "--model",
            trained["model_uri"],
        ],
    )
    assert result.exit_code == 0, result.output
    ratings = pd.read_csv(env / "all.csv", keep_default_na=False)
    assert len(ratings) == 4000
    assert ratings["pd"].astype(float).between(0, 1).all()
    assert (ratings["knockouts"] != "").any()
    assert {"application_id", "grade", "credit_line_yuan", "decision", "reason_4"} <= set(ratings.columns)


def test_evaluate_writes_the_bayes_ceiling(env, trained):
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--model",
            "models:/household-pd@champion",
            "--data",
            str(env / "households.parquet"),
            "--truth",
            str(env / "truth.parquet"),
            "--report",
            str(env / "eval.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads((env / "eval.json").read_text())
    assert {"auc", "ks", "brier", "bayes_auc", "calibration_by_decile"} <= set(report)


def test_forced_promotion_without_a_reason_is_a_usage_error(env, trained):
    result = runner.invoke(app, ["promote", "--model-name", "household-pd", "--version", "1", "--force"])
    assert result.exit_code == 2


def test_training_on_a_missing_file_fails_with_exit_1(env):
    result = runner.invoke(app, ["train", "--data", str(env / "nope.parquet"), "--report", str(env / "r.json")])
    assert result.exit_code == 1


def corner_bomb(path):
    """An XLSX whose only cells are A1 and XFD1048576 (it declares the whole sheet as its dimension)."""
    book = openpyxl.Workbook()
    book.active["A1"] = "户主年龄"
    book.active["XFD1048576"] = "x"
    book.save(path)
    return path


def test_rate_a_missing_input_exits_2_before_any_model_or_progress_bar(env, tmp_path):
    result = runner.invoke(app, ["rate", "--input", str(tmp_path / "missing.csv"), "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 2, result.output
    assert "找不到输入文件" in result.output and "input file not found" in result.output
    assert "Errno" not in result.output and "评级中" not in result.output


def test_rate_an_unreadable_input_exits_2(env, tmp_path):
    result = runner.invoke(app, ["rate", "--input", str(tmp_path), "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 2, result.output
    assert "无法读取输入文件" in result.output and "cannot be read" in result.output


def test_rate_refuses_an_unsupported_output_before_rating(env, tmp_path):
    source = tmp_path / "registry.csv"
    source.write_text("户主年龄\n40\n", encoding="utf-8")
    result = runner.invoke(app, ["rate", "--input", str(source), "--output", str(tmp_path / "x.txt")])
    assert result.exit_code == 2, result.output
    assert "不支持的输出文件类型" in result.output and "'.txt'" in result.output
    assert "评级中" not in result.output and not (tmp_path / "x.txt").exists()


def test_rate_a_file_with_no_contract_header_is_one_error(env, trained, tmp_path):
    source = tmp_path / "foreign.csv"
    source.write_text("name,age\n" + "张三,40\n" * 30, encoding="utf-8")
    result = runner.invoke(app, ["rate", "--input", str(source), "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 2, result.output
    assert result.output.count("no_contract_columns") == 1 and "required" not in result.output
    assert "name, age" in result.output


def test_rate_refuses_a_spreadsheet_bomb_with_exit_2_naming_the_limit(env, trained, tmp_path):
    result = runner.invoke(app, ["rate", "--input", str(corner_bomb(tmp_path / "bomb.xlsx")), "--output", "o.csv"])
    assert result.exit_code == 2, result.output
    assert "max_columns" in result.output and "上限" in result.output


def _batch_entries(engine):
    from sqlalchemy import select

    from credit_engine.audit.repository import entry_from_row
    from credit_engine.audit.tables import AuditRow

    with engine.connect() as connection:
        rows = connection.execute(select(AuditRow).where(AuditRow.action == "batch_rating")).all()
    return [entry_from_row(row) for row in rows]


def test_rate_records_the_run_as_one_batch_entry_with_the_file_hashes_and_counts(env, trained):
    import hashlib

    from credit_engine.config import load_settings
    from credit_engine.ledger.database import open_ledger
    from credit_engine.policy import load_policy

    frame = pd.read_parquet(env / "households.parquet").head(30).drop(columns=["defaulted"])
    frame["labor_count"] = frame["labor_count"].astype(object)
    frame.loc[[3, 8], "labor_count"] = "two"
    frame.to_csv(env / "audited.csv", index=False)
    config = load_settings()
    engine = open_ledger(config)
    try:
        from credit_engine.service_db.database import ensure_migrated

        ensure_migrated(engine)
        before = {entry.record_id for entry in _batch_entries(engine)}
        result = runner.invoke(app, ["rate", "--input", str(env / "audited.csv"), "--output", str(env / "au.csv")])
        assert result.exit_code == 0, result.output
        entries = [entry for entry in _batch_entries(engine) if entry.record_id not in before]
    finally:
        engine.dispose()

    assert len(entries) == 1
    entry = entries[0]
    assert entry.input_sha256 == hashlib.sha256((env / "audited.csv").read_bytes()).hexdigest()
    assert entry.detail["output_sha256"] == hashlib.sha256((env / "au.csv").read_bytes()).hexdigest()
    assert (entry.detail["rows"], entry.detail["rated"], entry.detail["rejected"]) == (30, 28, 2)
    ratings = pd.read_csv(env / "au.csv", keep_default_na=False)
    assert entry.model_version == ratings.loc[ratings["decision"] != "invalid", "model_version"].iloc[0]
    assert entry.policy_version == load_policy(config.policy_file).version
    assert entry.key_id == "cli" and entry.detail["ran_by"]["command"] == "rate"


def test_train_only_the_families_named_the_forest_among_them(tmp_path, monkeypatch):
    """``--family`` trains only the families named; the forest competes only when named, and the blend then stacks
    it as a part."""
    from tests.models.conftest import make_german_like

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    frame, spec = make_german_like(800, seed=4)
    frame.to_csv(tmp_path / "loans.csv", index=False)
    (tmp_path / "spec.yaml").write_text(json.dumps(spec.to_dict()), encoding="utf-8")
    names = ["--family", "scorecard", "--family", "forest", "--family", "blend"]
    args = ["train", "--data", str(tmp_path / "loans.csv"), "--spec", str(tmp_path / "spec.yaml"), "--cv-folds", "3"]
    result = runner.invoke(app, [*args, *names, "--report", str(tmp_path / "t.json")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "t.json").read_text())
    # the blend stacks the part families named beside it: the card and the forest, no LightGBM anywhere
    assert set(report["selection"]["families"]) == {"scorecard", "forest", "blend"}
    assert "lightgbm" not in report and report["selected"] in {"scorecard", "forest", "blend"}
    assert report["forest"]["auc"] > 0.6 and "forest" in result.output
    # 800 rows: the registered model's selection ran on every one of them, and the console says so
    assert report["selection"]["on"] == "all_rows" and report["selection"]["n_rows"] == 800
    assert "全部数据" in result.output and "training rows" not in result.output
    refused = runner.invoke(app, [*args, "--family", "grove", "--report", str(tmp_path / "r.json")])
    assert refused.exit_code == 2 and "--family" in refused.output and "grove" in refused.output


def test_a_forest_trained_alone_is_calibrated_on_its_out_of_fold_pds(tmp_path, monkeypatch):
    """The forest's own probability is too spread; the job maps it by a Platt map learnt on its out-of-fold PDs (the
    report says so), so the registered forest's mean PD is near the training rows' default rate."""
    from credit_engine.config import load_settings
    from models.store import load_estimator
    from tests.models.conftest import make_german_like

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    frame, spec = make_german_like(1_500, seed=5)
    frame.to_csv(tmp_path / "loans.csv", index=False)
    (tmp_path / "spec.yaml").write_text(json.dumps(spec.to_dict()), encoding="utf-8")
    args = ["train", "--data", str(tmp_path / "loans.csv"), "--spec", str(tmp_path / "spec.yaml"), "--cv-folds", "3"]
    result = runner.invoke(app, [*args, "--family", "forest", "--report", str(tmp_path / "t.json")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "t.json").read_text())
    assert report["selected"] == "forest" and report["selection"]["forest_calibration"]["method"]
    model = load_estimator(report["model_uri"], load_settings().mlflow_tracking_uri).estimator
    assert model.calibrator_ is not None
    rate = (frame["creditability"] == "bad").mean()
    assert abs(model.predict_pd(frame).mean() - rate) < 0.02
