"""A third product is configuration, not code: one ``ledger_product`` row (as a migration would insert it) and a loan
of it is booked, covered, checked by the audit and reported in every format — with no code change anywhere.

The ledger of this test is a database of its own per backend: the shared one must keep only the shipped products
(富民贷, 强农贷), whose report columns the other tests pin.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, update

from credit_engine.ledger.database import make_engine, migrate
from credit_engine.ledger.errors import ProductLimitExceeded
from credit_engine.ledger.tables import FundCoveredRow, ProductRow
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.ledger.validations import audit
from credit_engine.reports.build import Scope, build_report
from credit_engine.reports.formats import to_json, write_report

VILLAGE = {  # what the third product's migration would insert
    "code": "xingcun",
    "name_zh": "兴村贷",
    "name_en": "Village loans",
    "aliases": ["xingcun-dai"],
    "limit_fen": 100_000_000,  # 1,000,000 yuan
    "min_fen": 50_000,  # 500 yuan
    "household": True,
    "position": 3,
}


@pytest.fixture(scope="module")
def third_product_engine(database_url, empty_database):
    """A migrated ledger of the session's backend with a third product configured."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with empty_database(backend, "products") as url:
        engine = make_engine(url)
        migrate(engine)
        with engine.begin() as connection:
            connection.execute(insert(ProductRow), [VILLAGE])
        yield engine
        engine.dispose()


@pytest.fixture
def booked(third_product_engine, tiny_ledger):
    """A fund lending all three products; the village loan given by its Chinese name."""
    ledger = tiny_ledger(third_product_engine)
    fund = ledger.fund(yuan=100_000, county="610101")
    ledger.disburse(fund, "H1", "2025-01-10", 40_000)
    ledger.disburse(fund, "E1", "2025-01-10", 200_000, product="qiangnong", borrower="ENT-1")
    ledger.disburse(fund, "V1", "2025-01-10", 300_000, product="兴村贷", borrower="VIL-1")
    ledger.repay(fund, "V1", "2025-03-01", 50_000)
    return ledger, fund


def _report(engine, kind: str):
    period = (dt.date(2025, 1, 1), dt.date(2025, 3, 31)) if kind == "subsidy" else None
    with UnitOfWork(engine, read_only=True) as uow:
        return build_report(uow, kind, dt.date(2025, 4, 1), scope=Scope(county="610101"), period=period)


def test_a_loan_of_a_third_product_is_booked_covered_and_limited(booked):
    ledger, fund = booked
    assert ledger.book(fund).covered_fen == {"fumin": 4_000_000, "qiangnong": 20_000_000, "xingcun": 25_000_000}
    with pytest.raises(ProductLimitExceeded):
        ledger.disburse(fund, "V2", "2025-03-02", 1_000_000.01, product="xingcun-dai")
    position = ledger.position(fund, "2025-04-01")
    assert (position.covered_principal_fen, position.household_share) == (49_000_000, 29 / 49)


def test_the_audit_checks_the_third_products_covered_principal(booked, third_product_engine):
    _, fund = booked
    with UnitOfWork(third_product_engine, read_only=True) as uow:
        assert audit(uow, [fund]) == []
    with third_product_engine.begin() as connection:
        damaged = update(FundCoveredRow).where(FundCoveredRow.fund_id == fund, FundCoveredRow.product == "xingcun")
        connection.execute(damaged.values(covered_fen=1))
    with UnitOfWork(third_product_engine, read_only=True) as uow:
        found = audit(uow, [fund])
    assert [(v.check, "covered_xingcun_fen 1 != 25000000" in v.message) for v in found] == [
        ("books_match_postings", True)
    ]


def test_every_report_format_has_the_third_products_columns(booked, third_product_engine, tmp_path):
    leverage = _report(third_product_engine, "leverage")
    rows = json.loads(to_json(leverage))
    assert [rows[0][f"covered_{code}_yuan"] for code in ("fumin", "qiangnong", "xingcun")] == [
        40_000,
        200_000,
        250_000,
    ]
    header = "兴村贷余额(元) Village loans (yuan)"
    csv_path = write_report(leverage, "csv", tmp_path / "leverage.csv")
    first_row = next(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert first_row[3:7] == [
        "基金余额(元) Fund balance (yuan)",
        "富民贷余额(元) Household loans (yuan)",
        "强农贷余额(元) Enterprise loans (yuan)",
        header,
    ]
    sheet = load_workbook(write_report(leverage, "xlsx", tmp_path / "leverage.xlsx"))["放大倍数(基金)"]
    by_header = {sheet.cell(1, n).value: sheet.cell(2, n).value for n in range(1, sheet.max_column + 1)}
    assert by_header["兴村贷余额(元)\nVillage loans (yuan)"] == 250_000
    assert "兴村贷余额(元)" in write_report(leverage, "html", tmp_path / "leverage.html").read_text(encoding="utf-8")
    household = next(line for line in leverage.views["household"])
    assert (household.as_dict()["covered_xingcun_fen"], household.household_share) == (25_000_000, 0.591837)


def test_the_subsidy_report_has_a_column_for_the_third_product(booked, third_product_engine, tmp_path):
    subsidy = _report(third_product_engine, "subsidy")
    row = json.loads(to_json(subsidy))[0]
    assert row["subsidy_xingcun_yuan"] > 0
    parts = [Decimal(str(row[f"subsidy_{code}_yuan"])) for code in ("fumin", "qiangnong", "xingcun")]
    assert sum(parts) == Decimal(str(row["subsidy_yuan"]))
    header = next(csv.reader(io.StringIO(write_report(subsidy, "csv", tmp_path / "s.csv").read_text("utf-8-sig"))))
    assert "兴村贷贴息(元) Village loans subsidy (yuan)" in header
