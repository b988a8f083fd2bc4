"""``credit-engine outcomes build`` end to end, on SQLite and PostgreSQL: a fund and its loans posted from a bank's
event file, the households assessed by the assessment service, then the file written with its metadata; exit 2 on
bad options, every one named."""

from __future__ import annotations

import datetime as dt
import uuid

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cli.main import app
from credit_engine.contract import example_application, idnumber
from credit_engine.ledger.domain import CHINA
from credit_engine.outcomes.outfile import read_metadata
from tests.cli.conftest import assess_into_audit_log

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def settings_home(monkeypatch, tmp_path):
    """Settings rooted in a temporary folder (options are checked before any database is opened)."""
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    monkeypatch.delenv("CREDIT_ENGINE_CONFIG", raising=False)
    monkeypatch.delenv("CREDIT_ENGINE_DATABASE_URL", raising=False)
    return tmp_path


def _assess(head: str, county: str) -> str:
    """The household assessed through the assessment service, written to the settings' audit log; its id."""
    applied = dt.date(2023, 12, 20)
    body = example_application(county_code=county, head_id_number=head, application_date=applied)
    body |= {"application_id": f"A-{uuid.uuid4().hex[:10]}", "head_age": idnumber.age_on(head, applied)}
    return assess_into_audit_log([body], county, 0.004, "household-pd/7")[0]


@pytest.fixture
def county(home) -> str:
    """A county with a fund, two assessed households lent to from an event file (one 91 days past due) and a
    强农贷 loan; the audit log migrated first by an export."""
    code = f"0{uuid.uuid4().int % 10**5:05d}"
    fund = f"F-{code}"
    opened = run(
        "ledger", "fund", "create", "--fund-id", fund, "--county", code, "--bank", "RCC", "--value-date", "2023-01-01"
    )
    assert opened.exit_code == 0, opened.output
    assert (
        run("audit", "export", "--from", "2023-01-01", "--to", "2023-01-01", "--out", str(home / "a.jsonl")).exit_code
        == 0
    )
    good, bad = (idnumber.make("140121", dt.date(1980, 1, 1), n) for n in (1, 3))
    _assess(good, code), _assess(bad, code)
    events = home / "events.csv"
    events.write_text(
        "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,maturity_date,days_past_due,"
        "households_driven\n"
        f"E1,disbursement,2024-01-02,{fund},L-good,fumin,{good},20000,2025-01-02,,\n"
        f"E2,disbursement,2024-01-02,{fund},L-bad,fumin,{bad},20000,2025-01-02,,\n"
        f"E3,disbursement,2024-01-02,{fund},L-coop,qiangnong,COOP-1,1000000,2025-01-02,,25\n"
        f"E4,delinquency,2024-06-01,{fund},L-bad,,,,,91,\n",
        encoding="utf-8",
    )
    result = run("ledger", "import", str(events))
    assert result.exit_code == 0, result.output
    return code


def test_the_outcome_file_is_written_with_its_definition_and_counts(home, county):
    out = home / "out" / "outcomes.parquet"
    today = dt.datetime.now(CHINA).date().isoformat()
    result = run("outcomes", "build", "--as-of", today, "--window-months", "6", "--county", county, "--out", str(out))
    assert result.exit_code == 0, result.output
    table = pq.read_table(out).to_pylist()
    assert sorted((row["loan_id"], row["label"], row["link_method"]) for row in table) == [
        ("L-bad", "bad", "borrower_date"),
        ("L-good", "good", "borrower_date"),
    ]
    meta = read_metadata(out)
    assert meta["definition"]["window_months"] == 6 and meta["definition_version"] == "outcomes-2026.1"
    assert meta["overridden"] == {"window_months": {"file": 12, "effective": 6}} and meta["as_of"] == today
    assert len(meta["definition_fingerprint"]) == 64 and meta["definition_fingerprint"] != meta["file_fingerprint"]
    summary = meta["summary"]
    assert (summary["loans"], summary["linked"], summary["bad"], summary["good"], summary["censored"]) == (
        3,
        2,
        1,
        1,
        0,
    )
    assert summary["left_out"]["other_product"] == {"qiangnong": 1}
    assert "坏 bad 1" in result.output and "qiangnong 1" in result.output


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--as-of", "2026-13-01"], ["--as-of"]),
        (["--as-of", "2026-06-30", "--window-months", "0", "--dpd", "x"], ["--window-months", "--dpd"]),
        (["--as-of", "2026-06-30", "--dpd", "0", "--county", "14012"], ["--county", "--dpd"]),
    ],
)
def test_bad_options_exit_2_naming_every_option(settings_home, tmp_path, args, named):
    result = run("outcomes", "build", *args, "--out", str(tmp_path / "o.parquet"))
    assert result.exit_code == 2, result.output
    for option in named:
        assert option in result.output
    assert not (tmp_path / "o.parquet").exists()


def test_an_output_that_is_not_parquet_exits_2(settings_home, tmp_path):
    result = run("outcomes", "build", "--as-of", "2026-06-30", "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 2 and "--out" in result.output


def test_a_back_dated_as_of_sees_a_history_recorded_later_only_with_known_at(home, county):
    # the loans of 2024 were recorded today: as known at the end of 2025-06-30 the ledger had none of them
    out = home / "out" / "outcomes.parquet"
    args = ("outcomes", "build", "--as-of", "2025-06-30", "--window-months", "6", "--county", county)
    blind = run(*args, "--out", str(out))
    assert blind.exit_code == 0, blind.output
    assert read_metadata(out)["summary"]["loans"] == 0
    later = dt.datetime.now(CHINA) + dt.timedelta(seconds=1)  # a whole second after every record
    now = later.replace(tzinfo=None).isoformat(timespec="seconds")
    seen = run(*args, "--known-at", now, "--out", str(out))
    assert seen.exit_code == 0, seen.output
    meta = read_metadata(out)
    assert meta["summary"]["bad"] == 1 and meta["summary"]["good"] == 1 and meta["known_at"].startswith(now[:16])
    assert meta["as_of"] == "2025-06-30"


def test_a_bad_known_at_exits_2_naming_it(settings_home, tmp_path):
    out = tmp_path / "o.parquet"
    result = run("outcomes", "build", "--as-of", "2026-06-30", "--known-at", "yesterday", "--out", str(out))
    assert result.exit_code == 2 and "--known-at" in result.output
    assert not out.exists()
