"""``credit-engine ledger``: exit codes 0 / 2 / 1, the SQLite file made on first use, and the commands end to end."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from cli.ledger import app
from credit_engine.ledger.database import head_revision, make_engine
from credit_engine.ledger.tables import FundBookRow

runner = CliRunner()


@pytest.fixture
def home(monkeypatch, tmp_path, database_url, ledger_engine):
    """Settings rooted in a temporary folder: the default SQLite ledger there, or the session's PostgreSQL."""
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    monkeypatch.delenv("CREDIT_ENGINE_CONFIG", raising=False)
    if database_url.startswith("sqlite"):
        monkeypatch.delenv("CREDIT_ENGINE_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("CREDIT_ENGINE_DATABASE_URL", database_url)
    return tmp_path


@pytest.fixture
def fund(home) -> str:
    fund_id = f"F-{uuid.uuid4().hex[:8]}"
    result = run(
        "fund",
        "create",
        "--fund-id",
        fund_id,
        "--county",
        "140121",
        "--bank",
        "RCC",
        "--amount-yuan",
        "10000",
        "--value-date",
        "2025-01-01",
    )
    assert result.exit_code == 0, result.output
    return fund_id


def run(*args: str):
    return runner.invoke(app, list(args))


def test_the_first_command_creates_and_migrates_the_sqlite_ledger(home, fund, database_url):
    assert not database_url.startswith("sqlite") or (home / "data" / "ledger.db").is_file()


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--county", "14012", "county_code"),
        ("--fund-share", "0.75555", "fund_share"),
        ("--bank", "R\x00C", "bank_code"),
        ("--bank", "RC\u202eC", "bank_code"),
        ("--fund-id", "F-\u200bx", "fund_id"),
        ("--fund-id", "F-110101199003074514", "fund_id"),
        ("--amount-yuan", "1e2", "--amount-yuan"),
        ("--amount-yuan", "1,000", "--amount-yuan"),
        ("--amount-yuan", "10000000001", "--amount-yuan"),
    ],
)
def test_invalid_options_exit_2_naming_the_option(home, option, value, named):
    options = {"--fund-id": "F-x", "--bank": "RCC", "--county": "140121", option: value}
    result = run("fund", "create", *[t for kv in options.items() for t in kv])
    assert (result.exit_code, named in result.output) == (2, True)


def test_a_policy_change_is_recorded_once(home, fund):
    first = run("policy", "set", "--fund-id", fund, "--from", "2025-03-01", "--cap-multiple", "12", "--suspend")
    again = run("policy", "set", "--fund-id", fund, "--from", "2025-03-01", "--cap-multiple", "12", "--suspend")
    assert (first.exit_code, again.exit_code, "already recorded" in again.output) == (0, 0, True)


def test_a_refusal_exits_1(home, fund):
    result = run("fund", "create", "--fund-id", fund, "--county", "140121", "--bank", "RCC", "--key", "again")
    assert (result.exit_code, "fund_exists" in repr(result.output) or "already exists" in result.output) == (1, True)


def test_a_file_with_a_malformed_row_exits_2_and_names_the_row(home, fund):
    path = home / "bad.csv"
    path.write_text(f"event_id,event_type,value_date,fund_id,amount_yuan\ne1,contribution,2025-02-01,{fund},1.005\n")
    result = run("import", str(path))
    assert (result.exit_code, "row 2" in result.output, (home / "bad.results.csv").exists()) == (2, True, False)


def test_a_spreadsheet_bomb_exits_2_naming_the_limit(home):
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"], book.active["XFD1048576"] = "event_id", "x"  # declares A1:XFD1048576
    book.save(home / "bomb.xlsx")
    result = run("import", str(home / "bomb.xlsx"))
    assert result.exit_code == 2, result.output
    assert "max_columns" in result.output and "上限" in result.output


def test_a_file_imported_twice_posts_once_and_writes_results_beside_it(home, fund):
    path = home / "daily.csv"
    path.write_text(
        "事件编号,事件类型,起息日,基金编号,贷款编号,产品,借款人编号,金额(元),到期日\n"
        f"e1,放款,2025-02-02,{fund},L1,富民贷,hh-1,50000,2026-02-02\n"
        f"e2,放款,2025-02-02,{fund},L2,富民贷,hh-2,50000.01,2026-02-02\n",
        encoding="utf-8",
    )
    first, second = run("import", str(path)), run("import", str(path))
    assert (
        first.exit_code,
        "posted 1" in first.output,
        "refused 1" in first.output,
        "duplicate 1" in second.output,
    ) == (
        1,  # the well-formed file is posted, but a refused event is an exit a scheduler can see
        True,
        True,
        True,
    )
    assert (home / "daily.results.csv").is_file()


def test_a_file_whose_events_all_post_exits_0(home, fund):
    path = home / "clean.csv"
    path.write_text(
        "事件编号,事件类型,起息日,基金编号,贷款编号,产品,借款人编号,金额(元),到期日\n"
        f"e1,放款,2025-02-02,{fund},L1,富民贷,hh-1,50000,2026-02-02\n",
        encoding="utf-8",
    )
    result = run("import", str(path))
    outcome = (result.exit_code, "posted 1" in result.output, "refused 0" in result.output)
    assert outcome == (0, True, True), result.output


def test_the_audit_exits_0_on_a_clean_ledger_and_1_on_a_damaged_one(home, fund, database_url):
    clean = run("audit", "--fund-id", fund)
    engine = make_engine(database_url if not database_url.startswith("sqlite") else f"sqlite:///{home}/data/ledger.db")
    with engine.begin() as connection:
        connection.execute(update(FundBookRow).where(FundBookRow.fund_id == fund).values(fund_balance_fen=7))
    engine.dispose()
    damaged = run("audit", "--fund-id", fund)
    assert (clean.exit_code, damaged.exit_code, "books_match_postings" in damaged.output) == (0, 1, True)


def test_migrate_reports_the_revision(home):
    result = run("migrate")
    assert (result.exit_code, head_revision() in result.output) == (0, True)


def test_an_insurance_cover_is_set_once_and_bad_terms_exit_2(home, fund):
    args = ("insurance", "set", "--fund-id", fund, "--from", "2025-01-01", "--insurer", "PICC", "--kind", "share")
    first = run(*args, "--share", "0.5", "--premium-rate", "0.02", "--premium-subsidy", "0.5", "--products", "fumin")
    again = run(*args, "--share", "0.5", "--premium-rate", "0.02", "--premium-subsidy", "0.5", "--products", "fumin")
    assert (first.exit_code, "share_bps: 5000" in first.output, "already recorded" in again.output) == (0, True, True)
    missing = run(*args)
    assert (missing.exit_code, "share_bps" in missing.output) == (2, True)
    layer = run(*args[:-1], "first_loss", "--layer-yuan", "1.001")
    assert (layer.exit_code, "--layer-yuan" in layer.output) == (2, True)
