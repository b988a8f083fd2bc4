"""The workspace's view models on a real ledger (SQLite and PostgreSQL): the overview's actions, a county, a fund's
month-end trend (PAR30 and PAR90 agreeing with the positions), its event history, a loan, the stress test, and a key
that sees nothing outside its scope."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from credit_engine.access.principal import AccessDenied, Principal, Role, Scope
from credit_engine.assessment.headroom import FundHeadrooms
from credit_engine.audit.repository import AuditRepository
from credit_engine.desk import LedgerDesk
from credit_engine.ledger import commands as c
from credit_engine.ledger.domain import default_terms
from credit_engine.ledger.errors import UnknownLoan
from credit_engine.workspace.stress import FundStressCache
from credit_engine.workspace.views import Moment, Workspace

NOW = dt.datetime(2025, 6, 30, 4, 0, tzinfo=dt.UTC)  # 2025-06-30 in China
COUNTY, OTHER_COUNTY, BANK = "140121", "140122", "RCC"
D = dt.date


def _principal(role: Role, *counties: str, bank: str | None = None) -> Principal:
    return Principal(f"k-{uuid.uuid4().hex[:8]}", role.value, role, Scope(bank, frozenset(counties)))


@pytest.fixture(scope="module")
def ledger(desk_database):
    """A fund of 1,000,000 yuan in the home county with two 30,000-yuan loans lent on 2025-02-01: L-1 overdue since
    2025-03-06 (never claimed), L-2 overdue since 2025-02-03 and claimed on 2025-05-06 (pay by 2025-06-05, unpaid)."""
    audit = AuditRepository(desk_database)
    headrooms = FundHeadrooms(desk_database, now=lambda: NOW)
    desk = LedgerDesk.open(desk_database, audit, headrooms, "views-secret", clock=lambda: NOW)
    admin, officer = _principal(Role.FUND_ADMIN, COUNTY), _principal(Role.OFFICER, COUNTY, bank=BANK)
    fund_id = f"F-{uuid.uuid4().hex[:8]}"
    opened = {"county_code": COUNTY, "bank_code": BANK, "value_date": D(2025, 1, 1), "terms": default_terms()}
    desk.writes.post(admin, c.CreateFund(fund_id=fund_id, idempotency_key="open", amount_fen=100_000_000, **opened))
    for loan in ("L-1", "L-2"):
        lend = {
            "product": "fumin",
            "borrower_ref": f"B-{loan}",
            "amount_fen": 3_000_000,
            "maturity_date": D(2027, 2, 1),
        }
        desk.writes.post(
            officer, c.Disburse(fund_id=fund_id, idempotency_key=loan, loan_id=loan, value_date=D(2025, 2, 1), **lend)
        )
    late = [("L-1", D(2025, 4, 15), 40), ("L-2", D(2025, 5, 5), 91)]
    for loan, day, days in late:
        command = c.ReportDelinquency(
            fund_id=fund_id, idempotency_key=f"{loan}-late", loan_id=loan, value_date=day, days_past_due=days
        )
        desk.writes.post(officer, command)
    desk.writes.post(
        officer, c.ClaimCompensation(fund_id=fund_id, idempotency_key="claim", loan_id="L-2", value_date=D(2025, 5, 6))
    )
    return Workspace(desk.reads), admin, fund_id


def test_the_overview_lists_the_suspension_then_the_unpaid_claim(ledger):
    workspace, admin, fund_id = ledger
    view = workspace.overview(admin, Moment(D(2025, 6, 30)))
    # L-1 non-performing (116 days): NPL far over 3 %, suspended; the claim on L-2 is 25 days past its deadline
    assert [(a.rule, a.fund_id, a.loan_id) for a in view.actions] == [
        ("suspended", fund_id, None),
        ("claim_overdue", fund_id, "L-2"),
    ]
    claim = next(a for a in view.actions if a.rule == "claim_overdue")
    assert "25 days past the deadline 2025-06-05" in claim.figure_en
    assert [p.code for p in view.provinces] == ["14"]
    before = workspace.overview(admin, Moment(D(2025, 6, 5)))
    assert "claim_overdue" not in [a.rule for a in before.actions]


def test_the_trend_has_par30_and_par90_as_the_positions_have_them(ledger):
    workspace, admin, fund_id = ledger
    view = workspace.fund(admin, fund_id, Moment(D(2025, 6, 30)))
    by_day = {p.on: p for p in view.trend}
    april = by_day[D(2025, 4, 30)]  # L-1 55 days past due, L-2 current
    assert (april.par30, april.par90) == (0.5, 0.0)
    last = view.trend[-1]
    assert last.on == D(2025, 6, 30) and last.par90 == view.position.npl_ratio
    assert last.npl_fen == view.position.npl_fen == 3_000_000  # L-1, 116 days past due
    assert [o.loan_id for o in view.loans] == ["L-1"]  # L-2 is compensated: no longer on the bank's book
    assert [e.event_type for e in view.history][:2] == ["compensation_claim", "delinquency"]
    assert view.history[-1].event_type == "contribution"


def test_a_county_lists_its_funds_and_a_loan_its_events(ledger):
    workspace, admin, fund_id = ledger
    county = workspace.area(admin, COUNTY, Moment(D(2025, 6, 30)))
    assert county.rollup.code == COUNTY and fund_id in [f.fund_id for f in county.funds]
    loan = workspace.loan(admin, fund_id, "L-1", Moment(D(2025, 6, 30)))
    assert [e.event_type for e in loan.history] == ["delinquency", "disbursement"]
    assert loan.open_loan is not None and loan.open_loan.overdue_since == D(2025, 3, 6)
    with pytest.raises(UnknownLoan):
        workspace.loan(admin, fund_id, "L-1", Moment(D(2025, 1, 31)))  # not lent yet


def test_nothing_outside_the_keys_scope_is_read(ledger):
    workspace, _, fund_id = ledger
    other = _principal(Role.FUND_ADMIN, OTHER_COUNTY)
    assert workspace.overview(other, Moment(D(2025, 6, 30))).actions == []
    with pytest.raises(AccessDenied):
        workspace.fund(other, fund_id, Moment(D(2025, 6, 30)))
    with pytest.raises(AccessDenied):
        workspace.area(other, COUNTY, Moment(D(2025, 6, 30)))


def test_the_fund_page_stress_test_runs_on_the_funds_live_book(ledger):
    workspace, _, fund_id = ledger
    result = FundStressCache(workspace.engine, scenarios=500).result(fund_id, Moment(D(2025, 6, 30)))
    figures = result.funds[0]
    assert figures.fund_id == fund_id and figures.loans >= 1 and result.options.scenarios == 500
    assert sorted(figures.current.exhaustion_by_month) == [12, 24, 36]
