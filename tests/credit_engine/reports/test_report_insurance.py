"""Insurance in the reports: the leverage report shows each fund's insured principal and the insurer's payments,
the portfolio report the insurer's part of losses and its payments (a column each, in every format)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest

from credit_engine.insurance.cover import CoverTerms
from credit_engine.ledger import commands as c
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.reports.build import Scope, build_report
from credit_engine.reports.formats import to_json
from credit_engine.reports.layout import sheets

_COUNTIES = itertools.count(1)  # counties 590001…: province 59 is no other test's


@pytest.fixture
def county() -> str:
    return f"59{next(_COUNTIES):04d}"


@pytest.fixture
def report(ledger_engine, county):
    """``report(kind, as_of)`` over this test's own county."""

    def make(kind: str, as_of: str):
        with UnitOfWork(ledger_engine, read_only=True) as uow:
            return build_report(uow, kind, dt.date.fromisoformat(as_of), None, Scope(county=county))

    return make


def _insured_fund(ledger, county: str) -> str:
    fund = ledger.fund(yuan=100_000, county=county)
    cover = CoverTerms(insurer="PICC", kind="share", share_bps=5000, products=("fumin",))
    ledger.run(c.SetInsuranceCover, fund_id=fund, effective_from=dt.date(2025, 1, 1), cover=cover)
    ledger.disburse(fund, "L1", "2025-01-10", 40_000)
    ledger.disburse(fund, "L2", "2025-01-10", 30_000)
    ledger.disburse(fund, "Q1", "2025-01-10", 200_000, product="qiangnong")
    ledger.delinquent(fund, "L1", "2025-05-01", 95)
    ledger.claim(fund, "L1", "2025-05-02")
    ledger.run(
        c.RecordInsurerPayment, fund_id=fund, loan_id="L1", value_date=dt.date(2025, 5, 20), amount_fen=1_000_000
    )
    return fund


def test_the_leverage_report_shows_insured_principal_and_insurer_payments(ledger, report, county):
    _insured_fund(ledger, county)
    uninsured = ledger.fund(yuan=100_000, county=county)
    ledger.disburse(uninsured, "L1", "2025-01-10", 40_000)
    rows = {row["fund_id"]: row for row in json.loads(to_json(report("leverage", "2025-06-01")))}
    insured_row = next(row for fund, row in rows.items() if fund != uninsured)
    assert (insured_row["insured_principal_yuan"], insured_row["insurer_paid_yuan"]) == (30_000, 10_000)
    assert (rows[uninsured]["insured_principal_yuan"], rows[uninsured]["insurer_paid_yuan"]) == (0, 0)
    before = json.loads(to_json(report("leverage", "2025-01-05")))
    assert all(row["insured_principal_yuan"] == 0 for row in before)  # no loan yet


def test_the_sheets_carry_the_insurance_columns_in_both_languages(ledger, report, county):
    _insured_fund(ledger, county)
    (fund_sheet, *_) = sheets(report("leverage", "2025-06-01"))
    headings = {column.key: (column.zh, column.en) for column in fund_sheet.columns}
    assert headings["insured_principal_fen"] == ("保险覆盖余额(元)", "Insured principal (yuan)")
    (portfolio, county, _) = sheets(report("portfolio", "2025-06-01"), series_level="county")[:3]
    assert (portfolio.rows[0]["insurer_claimed_fen"], portfolio.rows[0]["insurer_paid_fen"]) == (2_000_000, 1_000_000)
    assert county.rows[0]["insurer_claimed_fen"] == 2_000_000
