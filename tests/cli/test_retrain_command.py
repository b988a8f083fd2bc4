"""``credit-engine retrain`` end to end, on SQLite and PostgreSQL: a champion trained on a generated registry,
households of that registry assessed into the audit log and their loans booked in 2024 with delinquencies for the
bad ones (matured outcomes as of today), then retraining on the outcomes plus the registry. The gate's decision is
driven by the retraining policy passed: a policy asking for more evidence than the holdout holds refuses (exit 4,
the champion stays), one with wide tolerances promotes (exit 0); a second run finds its version and registers
nothing new."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import yaml
from mlflow import MlflowClient
from typer.testing import CliRunner

from cli.main import app
from credit_engine.contract import idnumber
from credit_engine.ledger.domain import CHINA
from tests.cli.conftest import assess_into_audit_log

runner = CliRunner()
FAST_PARAMS = {"lightgbm": {"n_estimators": 100, "early_stopping_rounds": 20, "learning_rate": 0.1}}
LOANS, MONTHS = 72, 6
PD = 0.004


def run(*args: str):
    return runner.invoke(app, list(args))


def _assess(bodies: list[dict], county: str) -> None:
    """The households assessed through the assessment service into the audit log."""
    assess_into_audit_log(bodies, county, PD, "household-pd/1")


def _bodies(registry: pd.DataFrame) -> tuple[str, list[dict]]:
    """``LOANS`` households of the registry, a third of them its bad ones, moved to one county and applying on the
    1st of a month of 2024."""
    county = str(registry["county_code"].iloc[0])
    bads = registry[registry["defaulted"] == 1].head(LOANS // 3)
    rows = pd.concat([bads, registry[registry["defaulted"] == 0].head(LOANS - len(bads))])
    bodies = []
    for i, row in enumerate(rows.to_dict("records")):
        applied = dt.date(2024, 1 + i % MONTHS, 1)
        body = {k: (None if pd.isna(v) else v) for k, v in row.items()}
        body |= {"application_date": applied, "head_age": idnumber.age_on(row["head_id_number"], applied),
                 "application_id": f"A-{i:04d}", "county_code": county, "village_code": f"{county}101001"}  # fmt: skip
        bodies.append(body)
    return county, bodies


@pytest.fixture
def world(home):
    """A champion trained on a generated registry; its largest county's households assessed and lent to in 2024,
    the registry's bad ones 91 days past due five months after disbursement."""
    from credit_engine.config import load_settings
    from training.generator import generate_registry
    from training.train_job import TrainJob

    registry, _ = generate_registry(1000, seed=21)
    path = home / "registry.parquet"
    registry.to_parquet(path, index=False)
    TrainJob(data=path, params=FAST_PARAMS, cv_folds=3).run(load_settings())
    county, bodies = _bodies(registry)
    fund = f"F-{county}"
    created = run("ledger", "fund", "create", "--fund-id", fund, "--county", county, "--bank", "RCC",
                  "--value-date", "2023-01-01")  # fmt: skip
    assert created.exit_code == 0, created.output
    # the world's default rate is far above the 3% NPL suspension: without this the fund would stop lending mid-way
    # and the later loans (and their outcomes) would be refused
    unsuspended = run("ledger", "policy", "set", "--fund-id", fund, "--from", "2023-01-01", "--npl-suspension", "1")
    assert unsuspended.exit_code == 0, unsuspended.output
    migrated = run("audit", "export", "--from", "2023-01-01", "--to", "2023-01-01", "--out", str(home / "a.jsonl"))
    assert migrated.exit_code == 0, migrated.output  # the service tables (the audit log) are made on first use
    _assess([{k: v for k, v in b.items() if k != "defaulted"} for b in bodies], county)
    header = (
        "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,maturity_date,days_past_due"
    )
    events = []  # (value date, line), booked in value-date order
    for i, body in enumerate(bodies):
        out, due = body["application_date"] + dt.timedelta(days=4), body["application_date"].replace(year=2025)
        events.append((out, f"E{i},disbursement,{out},{fund},L{i},fumin,{body['head_id_number']},20000,{due},"))
        if body["defaulted"]:
            late = out + dt.timedelta(days=150)
            events.append((late, f"D{i},delinquency,{late},{fund},L{i},,,,,91"))
    lines = [header, *(line for _, line in sorted(events))]
    (home / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    imported = run("ledger", "import", str(home / "events.csv"))
    assert imported.exit_code == 0, imported.output  # every loan booked: exit 1 would list refusals
    return {"registry": path, "bads": sum(b["defaulted"] for b in bodies), "county": county}


def _policy(home, name: str, **gate) -> str:
    from credit_engine.retraining.policy import load_retraining_policy

    document = load_retraining_policy().model_dump(mode="json")
    document["version"] = name
    for part, values in gate.items():
        document[part] |= values
    path = home / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return str(path)


def _retrain(home, world, policy: str):
    today = dt.datetime.now(CHINA).date().isoformat()
    report = home / "out" / "retrain.json"
    result = run("retrain", "--as-of", today, "--include-registry", str(world["registry"]), "--policy", policy,
                 "--report", str(report))  # fmt: skip
    return result, json.loads(report.read_text(encoding="utf-8")) if report.exists() else None


@pytest.mark.slow  # trains real models: the champion, then the challenger
def test_retrain_registers_a_challenger_gates_it_and_is_idempotent(home, world):
    from credit_engine.config import load_settings

    client = MlflowClient(load_settings().mlflow_tracking_uri)
    champion = str(client.get_model_version_by_alias("household-pd", "champion").version)
    strict = _policy(home, "strict", holdout={"min_rows": 10_000})
    result, report = _retrain(home, world, strict)
    assert result.exit_code == 4, result.output
    version = report["version"]
    assert report["decision"] == "refused" and report["registered_now"] and version != champion
    described, matured = report["training_set"], report["outcomes"]["bad"] + report["outcomes"]["good"]
    vintages = described["holdout_vintages"]  # the latest three months with matured loans booked
    assert len(vintages) == 3 and vintages == sorted(vintages) and described["holdout_rows"] >= 20
    # the three months before them recalibrate the challenger by county (shipped policy: up to six), never trained on
    assert described["recalibration_vintages"] == [f"2024-0{m}" for m in (1, 2, 3)] and vintages[0] == "2024-04"
    trained = described["train_rows_by_source"].get("outcomes", 0)
    assert described["holdout_rows"] + described["recalibration_rows"] + trained == matured >= LOANS * 3 // 4
    assert trained == 0  # every matured loan is in the recalibration or the gate's months
    county = report["training"]["recalibration"]["counties"]
    assert [row["county_code"] for row in county] == [world["county"]]
    assert county[0]["loans"] == described["recalibration_rows"] and county[0]["bads"] > 0
    # the offset takes the county's mean PD toward what its loans realised (the prior keeps it from going all the way)
    realised, before, after = (county[0][k] for k in ("realised_default_rate", "model_mean_pd", "recalibrated_mean_pd"))
    assert abs(after - realised) <= abs(before - realised) and (after - before) * (realised - before) >= 0
    assert "recalibration by county" in " ".join(result.output.split())
    assert described["train_rows_by_source"]["registry"] == 1000 and report["outcomes"]["censored"] == 0
    assert str(client.get_model_version_by_alias("household-pd", "champion").version) == champion
    assert str(client.get_model_version_by_alias("household-pd", "challenger").version) == version
    tags = client.get_model_version("household-pd", version).tags
    # the registered challenger is the recalibrated model: the county's reason first on its applications
    from scipy.special import expit, logit

    from credit_engine.contract import example_application
    from credit_engine.contract.record import validate_record
    from models.county_offsets import CountyRecalibratedPD
    from models.store import load_estimator

    served = load_estimator(f"models:/household-pd/{version}", load_settings().mlflow_tracking_uri).estimator
    assert isinstance(served, CountyRecalibratedPD) and served.offsets_ == {world["county"]: county[0]["offset"]}
    there, errors = validate_record(example_application(county_code=world["county"]))
    moved = expit(logit(served.base.score_record(there)[0]) + county[0]["offset"])
    assert not errors and served.score_record(there)[0] == pytest.approx(moved, rel=1e-9)
    assert tags["retrain.gate.decision"] == "refuse" and tags["retrain.gate.evidence"].startswith("fail")
    assert json.loads(tags["retrain.gate"]) == report["gate"]["rows"]
    assert {r["criterion"] for r in report["gate"]["rows"]} >= {"auc", "calibration_gap", "approval_ratio.county_code"}
    assert report["gate"]["columns"]["champion"] == "冠军模型 Champion"

    again, report = _retrain(home, world, strict)
    assert again.exit_code == 4 and report["version"] == version and not report["registered_now"]
    lenient = _policy(
        home,
        "lenient",
        holdout={"min_rows": 1, "min_bads": 1},
        gate={"auc_max_drop": 0.49, "calibration_gap_max_rise": 0.99, "approval_ratio_max_drop": 0.99},
    )
    promoted, report = _retrain(home, world, lenient)
    assert promoted.exit_code == 0, promoted.output
    assert report["decision"] == "promoted" and report["version"] == version and report["champion_after"] == version
    assert str(client.get_model_version_by_alias("household-pd", "champion").version) == version
    assert client.get_model_version("household-pd", version).tags["promotion.previous_champion"] == champion
    done, report = _retrain(home, world, lenient)
    assert done.exit_code == 0 and report["decision"] == "already_champion"
    versions = client.search_model_versions("name = 'household-pd'")
    assert sorted(int(v.version) for v in versions) == [1, 2]


@pytest.mark.parametrize(
    ("args", "named"),
    [(["--as-of", "2026-13-01", "--dpd", "0"], ["--as-of", "--dpd"]),
     (["--as-of", "2026-01-01", "--include-registry", "nope.csv"], ["--include-registry"])],
)  # fmt: skip
def test_bad_options_exit_2_naming_every_option(monkeypatch, tmp_path, args, named):
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    monkeypatch.delenv("CREDIT_ENGINE_DATABASE_URL", raising=False)
    result = run("retrain", *args, "--report", str(tmp_path / "r.json"))
    assert result.exit_code == 2, result.output
    for option in named:
        assert option in result.output
    assert not (tmp_path / "r.json").exists()
