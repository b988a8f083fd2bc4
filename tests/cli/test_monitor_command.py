"""``credit-engine monitor`` end to end, on SQLite and PostgreSQL: households assessed by the assessment service
into the audit log, loans posted from a bank's event file, a reference profile file; exit 0 when every figure is
green or at watch, 3 when one is at act, 2 on bad options; JSON, XLSX and HTML written."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.main import app
from credit_engine.contract import example_application, idnumber
from credit_engine.features import household_spec
from credit_engine.ledger.domain import CHINA
from credit_engine.monitoring.profile import build_profile
from tests.cli.conftest import assess_into_audit_log

runner = CliRunner()
APPLIED = dt.date(2023, 12, 20)
PD = 0.004


def run(*args: str):
    return runner.invoke(app, list(args))


def _application(head: str, county: str) -> dict:
    body = example_application(county_code=county, head_id_number=head, application_date=APPLIED)
    return body | {"application_id": f"A-{uuid.uuid4().hex[:10]}", "head_age": idnumber.age_on(head, APPLIED)}


def _assess(bodies: list[dict], county: str) -> None:
    """The households assessed through the assessment service (a PD of 0.4%: approvals), into the audit log."""
    assess_into_audit_log(bodies, county, PD, "household-pd/7")


@pytest.fixture
def world(home):
    """A county with a fund, four households assessed, a profile file of those very applications and PDs."""
    county = f"0{uuid.uuid4().int % 10**5:05d}"
    created = run("ledger", "fund", "create", "--fund-id", f"F-{county}", "--county", county, "--bank", "RCC",
                  "--value-date", "2023-01-01")  # fmt: skip
    assert created.exit_code == 0, created.output
    migrated = run("audit", "export", "--from", "2023-01-01", "--to", "2023-01-01", "--out", str(home / "a.jsonl"))
    assert migrated.exit_code == 0, migrated.output
    heads = [idnumber.make("140121", dt.date(1980, 1, 1), n) for n in (1, 3, 5, 7)]
    bodies = [_application(head, county) for head in heads]
    _assess(bodies, county)
    spec = household_spec()
    profile = build_profile(spec.prepare(pd.DataFrame(bodies)), [PD] * 4, spec.categorical, about={
        "model_name": "household-pd", "model_version": "7"})  # fmt: skip
    (home / "profile.json").write_text(json.dumps(profile.as_dict()), encoding="utf-8")
    return {"county": county, "fund": f"F-{county}", "heads": heads, "profile": home / "profile.json"}


def _monitor(home, world, fmt: str, *more: str):
    out = home / "out" / f"monitoring.{fmt}"
    today = dt.datetime.now(CHINA).date().isoformat()
    args = ["--baseline", str(world["profile"]), "--format", fmt, "--out", str(out), *more]
    result = run("monitor", "--as-of", today, *args)
    return result, out


def test_a_stable_book_without_matured_loans_exits_0_in_every_format(home, world):
    result, out = _monitor(home, world, "json")
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["status"] == "green" and document["counts"]["assessments"] == 4
    assert document["model"] == {"name": "household-pd", "version": "7"}
    stability = {(r["cohort"], r["variable"]): r for r in document["sections"]["stability"]}
    assert stability[("all", "pd")]["value"] == 0.0 and stability[("2023-12", "pd")]["status"] == "not_judged"
    assert document["sections"]["by_grade"] == [] and "no matured loan" in document["notes"]["by_grade"]
    # a profile without county shares (as logged before): no county table, a note saying so
    assert document["sections"]["by_county"] == [] and "per county" in document["notes"]["by_county"]
    approvals = [r for r in document["sections"]["fairness"] if r["dimension"] == "county_code"]
    assert len(approvals) == 1 and approvals[0]["approval_rate"] == 1.0
    result, out = _monitor(home, world, "xlsx")
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert "稳定性 PSI与CSI" in book.sheetnames and "说明 About" in book.sheetnames
    assert book["稳定性 PSI与CSI"]["A1"].value == "申请月队列\nCohort (application month)"
    assert "no matured loan" in book["按等级校准"]["A2"].value
    assert "分县" in book["分县稳定性"]["A2"].value
    result, out = _monitor(home, world, "html")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "分县稳定性" in page
    assert "模型监控" in page and "<svg" in page and "http" not in page.split("<body>", 1)[1].split("<footer>")[0]


def test_a_grade_whose_loans_default_far_above_its_pd_exits_3(home, world):
    fund, heads = world["fund"], world["heads"]
    events = home / "events.csv"
    header = "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,maturity_date"
    lines = [f"{header},days_past_due"]
    lines += [f"E{i},disbursement,2024-01-02,{fund},L{i},fumin,{h},20000,2025-01-02," for i, h in enumerate(heads)]
    lines += [f"D{i},delinquency,2024-06-01,{fund},L{i},,,,,91" for i in (0, 1)]
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    imported = run("ledger", "import", str(events))
    assert imported.exit_code == 0, imported.output
    result, out = _monitor(home, world, "json")
    assert result.exit_code == 3, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["status"] == "act" and document["exit_code"] == 3
    (grade,) = document["sections"]["by_grade"]
    assert (grade["loans"], grade["bads"], grade["realised_rate"], grade["status"]) == (4, 2, 0.5, "act")
    assert grade["interval_low"] > PD
    assert "处置 act" in result.output


@pytest.mark.parametrize(
    ("args", "named"),
    [(["--as-of", "2026-13-01", "--format", "pdf"], ["--as-of", "--format"]), (["--as-of", "x", "--since", "y"],
     ["--as-of", "--since"])],
)  # fmt: skip
def test_bad_options_exit_2_naming_every_option(monkeypatch, tmp_path, args, named):
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    monkeypatch.delenv("CREDIT_ENGINE_DATABASE_URL", raising=False)
    args = args if "--format" in args else [*args, "--format", "json"]
    result = run("monitor", *args, "--out", str(tmp_path / "m.json"))
    assert result.exit_code == 2, result.output
    for option in named:
        assert option in result.output
    assert not (tmp_path / "m.json").exists()


def test_a_registry_file_as_baseline_is_profiled_with_the_models_pds(home, world, monkeypatch):
    """``--baseline registry.csv``: the fallback for a model logged without a profile — the registry's features and
    the model's PDs on it make the reference (the model is loaded as the registry serves it)."""
    import models.store
    from models.store import LoadedModel

    class Model:
        def predict_pd(self, frame):
            return [PD] * len(frame)

    asked = []

    def load(uri, tracking_uri=None):
        asked.append(uri)
        return LoadedModel(Model(), uri, "household-pd", "3")

    monkeypatch.setattr(models.store, "load_estimator", load)
    registry = home / "registry.csv"
    pd.DataFrame([_application(head, world["county"]) for head in world["heads"]]).to_csv(registry, index=False)
    out = home / "m.json"
    today = dt.datetime.now(CHINA).date().isoformat()
    args = ["--baseline", str(registry), "--model", "models:/household-pd/3", "--no-mlflow"]
    result = run("monitor", "--as-of", today, *args, "--format", "json", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert asked == ["models:/household-pd/3"]
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["model"] == {"name": "household-pd", "version": "3", "uri": "models:/household-pd/3"}
    overall = {r["variable"]: r["value"] for r in document["sections"]["stability"] if r["cohort"] == "all"}
    assert overall["pd"] == 0.0 and overall["county_code"] == 0.0 and "income_per_capita" in overall


def test_a_missing_or_broken_baseline_file_exits_2_naming_the_option(home, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"rows": 3}', encoding="utf-8")
    for baseline in (str(tmp_path / "missing.json"), str(broken)):
        args = ["--as-of", "2026-06-30", "--baseline", baseline, "--format", "json", "--out", str(tmp_path / "m.json")]
        result = run("monitor", *args)
        assert result.exit_code == 2, result.output
        assert "--baseline" in result.output and baseline in result.output


def test_with_mlflow_the_run_is_logged_even_for_a_version_this_registry_does_not_hold(home, world, monkeypatch):
    from mlflow import MlflowClient

    from credit_engine.config import load_settings

    for name in ("MLFLOW_TRACKING_URI", "CREDIT_ENGINE_MLFLOW_TRACKING_URI"):
        monkeypatch.delenv(name, raising=False)  # the store of the test's own folder
    result, out = _monitor(home, world, "json", "--mlflow")
    assert result.exit_code == 0, result.output
    run_id = result.output.split("monitoring run: ")[1].split()[0]
    logged = MlflowClient(load_settings().mlflow_tracking_uri).get_run(run_id)
    assert (logged.data.tags["model.version"], logged.data.tags["status"]) == ("7", "green")
