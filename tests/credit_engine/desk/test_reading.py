"""Reads through the desk: positions and loans only of funds in the key's scope, the base terms of a policy change,
reports of the county or province the key covers."""

from __future__ import annotations

import datetime as dt

import pytest

from credit_engine.access.principal import AccessDenied, Role
from credit_engine.desk import ReportRequest
from credit_engine.errors import InvalidInput
from credit_engine.ledger.domain import default_terms
from credit_engine.ledger.errors import UnknownLoan


def test_a_key_reads_the_position_of_its_fund_and_not_of_another_county(desk, officer, fund, key):
    assert desk.reads.position(officer, fund, None).fund_balance_fen == 100_000_000
    with pytest.raises(AccessDenied):
        desk.reads.position(key(Role.OFFICER, "140122"), fund, None)
    assert fund not in {p.fund_id for p in desk.reads.positions(key(Role.OFFICER, "140122"), None)}
    assert fund in {p.fund_id for p in desk.reads.positions(officer, None)}


def test_a_loan_is_read_as_lent_and_an_unknown_one_is_refused(desk, officer, fund, disbursement):
    desk.writes.post(officer, disbursement(fund, "L-7"))
    assert desk.reads.loan(officer, fund, "L-7").principal_fen == 3_000_000
    with pytest.raises(UnknownLoan):
        desk.reads.loan(officer, fund, "L-8")


def test_a_policy_change_starts_from_the_terms_in_force_or_the_first_ones(desk, admin, fund):
    assert desk.reads.terms_on(admin, fund, dt.date(2025, 3, 1)) == default_terms()
    assert desk.reads.terms_on(admin, fund, dt.date(2024, 12, 1)) == default_terms()


def test_a_report_covers_the_keys_county_and_a_key_of_several_counties_must_name_one(desk, admin, fund, key):
    report = desk.reports.report(admin, ReportRequest("leverage", dt.date(2025, 6, 30)), with_series=False)
    assert fund in {p.fund_id for p in report.positions}
    with pytest.raises(InvalidInput):
        desk.reports.report(key(Role.FUND_ADMIN, "140121", "140122"), ReportRequest("leverage"), with_series=False)
    with pytest.raises(AccessDenied):
        desk.reports.report(admin, ReportRequest("leverage", county="140122"), with_series=False)
