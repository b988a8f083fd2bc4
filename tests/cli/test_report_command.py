"""``credit-engine report`` and ``credit-engine ledger seed`` end to end: files written, exit codes 0 / 2 / 1."""

from __future__ import annotations

import json
import uuid

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


@pytest.fixture
def home(monkeypatch, tmp_path, database_url):
    """Settings rooted in a temporary folder: the default SQLite ledger there, or the session's PostgreSQL."""
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    monkeypatch.delenv("CREDIT_ENGINE_CONFIG", raising=False)
    if database_url.startswith("sqlite"):
        monkeypatch.delenv("CREDIT_ENGINE_DATABASE_URL", raising=False)
    else:
        from credit_engine.ledger.database import make_engine, migrate

        engine = make_engine(database_url)
        migrate(engine)
        engine.dispose()
        monkeypatch.setenv("CREDIT_ENGINE_DATABASE_URL", database_url)
    return tmp_path


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def county(home) -> str:
    """A county of its own (so reports scoped to it see only this test's fund) with one loan via an event file."""
    code = f"0{uuid.uuid4().int % 10**5:05d}"  # province "0x": never a report test's region
    fund = f"F-{code}"
    opened = run(
        "ledger", "fund", "create", "--fund-id", fund, "--county", code, "--bank", "RCC", "--value-date", "2025-01-01"
    )
    assert opened.exit_code == 0, opened.output
    events = home / "events.csv"
    events.write_text(
        "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,maturity_date\n"
        f"E1,disbursement,2025-01-02,{fund},L1,fumin,hh-1,50000,2026-01-02\n",
        encoding="utf-8",
    )
    result = run("ledger", "import", str(events))
    assert result.exit_code == 0, result.output
    return code


def test_the_leverage_report_is_written_as_json(home, county):
    out = home / "out" / "leverage.json"
    result = run(
        "report", "leverage", "--as-of", "2025-12-31", "--county", county, "--format", "json", "--out", str(out)
    )
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert (result.exit_code, [r["county_code"] for r in rows], rows[0]["covered_principal_yuan"]) == (
        0,
        [county],
        50_000,
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html"])
def test_every_report_is_written_in_every_format(home, county, fmt):
    commands = {
        "leverage": ["--as-of", "2025-12-31"],
        "portfolio": ["--as-of", "2025-12-31", "--known-at", "2030-01-01T00:00:00"],
        "subsidy": ["--from", "2025-01-01", "--to", "2025-12-31"],
    }
    for kind, options in commands.items():
        out = home / f"{kind}.{fmt}"
        result = run("report", kind, *options, "--county", county, "--format", fmt, "--out", str(out))
        assert (result.exit_code, out.stat().st_size > 100) == (0, True), result.output


@pytest.mark.parametrize(
    "options",
    [
        ["--as-of", "2025-13-01", "--format", "json"],
        ["--as-of", "2025-12-31", "--format", "pdf"],
        ["--as-of", "2025-12-31", "--format", "json", "--county", "140122", "--province", "14"],
        ["--as-of", "2025-12-31", "--format", "json", "--known-at", "yesterday"],
    ],
)
def test_invalid_options_exit_2(home, options):
    result = run("report", "leverage", *options, "--out", str(home / "x.json"))
    assert result.exit_code == 2, result.output


def test_seed_prints_the_funds_by_status_and_a_second_run_posts_nothing(monkeypatch, tmp_path):
    from training.generator import generate_registry

    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    monkeypatch.delenv("CREDIT_ENGINE_DATABASE_URL", raising=False)
    households, _ = generate_registry(3_000, 5)
    households[households["county_code"].isin(["140122", "140221", "140425", "141123"])].to_parquet(
        tmp_path / "households.parquet", index=False
    )
    first = run("ledger", "seed", "--from", str(tmp_path), "--fund-yuan", "200000")
    second = run("ledger", "seed", "--from", str(tmp_path), "--fund-yuan", "200000")
    assert (first.exit_code, "暂停放款 suspended" in first.output, "duplicate 0" in first.output) == (0, True, True)
    assert (second.exit_code, "posted 0" in second.output) == (0, True), second.output


def test_seed_without_a_registry_exits_1(monkeypatch, tmp_path):
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    monkeypatch.delenv("CREDIT_ENGINE_DATABASE_URL", raising=False)
    assert run("ledger", "seed", "--from", str(tmp_path / "nothing")).exit_code == 1
