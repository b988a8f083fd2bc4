"""Fixtures of the desk tests: the ledger and the service tables in one database of their own per backend (the
audit log beside the ledger, as served), the desk built over it with a fixed clock, keys of each role, and a fund.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from credit_engine.access.principal import Principal, Role, Scope
from credit_engine.assessment.headroom import FundHeadrooms
from credit_engine.audit.repository import AuditRepository
from credit_engine.desk import LedgerDesk
from credit_engine.ledger import commands as c
from credit_engine.ledger.domain import default_terms

NOW = dt.datetime(2025, 6, 30, 4, 0, tzinfo=dt.UTC)
COUNTY, OTHER_COUNTY, BANK = "140121", "140122", "RCC"
SECRET = "desk-test-secret"


@pytest.fixture(scope="module")
def desk_engine(desk_database) -> object:
    return desk_database


@pytest.fixture
def audit(desk_engine) -> AuditRepository:
    return AuditRepository(desk_engine)


@pytest.fixture
def desk(desk_engine, audit) -> LedgerDesk:
    return LedgerDesk.open(desk_engine, audit, FundHeadrooms(desk_engine, now=lambda: NOW), SECRET, clock=lambda: NOW)


def _key(role: Role, *counties: str, bank: str | None = BANK) -> Principal:
    return Principal(f"k-{uuid.uuid4().hex[:8]}", role.value, role, Scope(bank, frozenset(counties)))


@pytest.fixture
def key():
    """``key(role, *counties, bank=BANK)``: a principal (no county: everywhere; ``bank=None``: any bank)."""
    return _key


@pytest.fixture
def admin() -> Principal:
    return _key(Role.FUND_ADMIN, COUNTY)


@pytest.fixture
def officer() -> Principal:
    return _key(Role.OFFICER, COUNTY)


@pytest.fixture
def fund(desk, admin) -> str:
    """A fund of 1,000,000 yuan opened on 2025-01-01 in the home county at the bank."""
    fund_id = f"F-{uuid.uuid4().hex[:10]}"
    command = c.CreateFund(
        fund_id=fund_id,
        idempotency_key="open",
        county_code=COUNTY,
        bank_code=BANK,
        value_date=dt.date(2025, 1, 1),
        amount_fen=100_000_000,
        terms=default_terms(),
    )
    desk.writes.post(admin, command)
    return fund_id


def _disbursement(fund_id: str, loan_id: str = "L-1", borrower_ref: str = "B-1", yuan: int = 30_000) -> c.Disburse:
    return c.Disburse(
        fund_id=fund_id,
        idempotency_key=loan_id,
        loan_id=loan_id,
        product="fumin",
        borrower_ref=borrower_ref,
        value_date=dt.date(2025, 6, 1),
        amount_fen=yuan * 100,
        maturity_date=dt.date(2026, 6, 1),
    )


@pytest.fixture
def disbursement():
    """``disbursement(fund_id, loan_id="L-1", borrower_ref="B-1", yuan=30_000)``: a 富民贷 loan lent on 2025-06-01."""
    return _disbursement


@pytest.fixture
def audited(audit: AuditRepository):
    """``audited(fund_id)``: the audit entries of the fund's ledger writes (one fixed clock: in no order)."""
    second = dt.timedelta(seconds=1)
    return lambda fund_id: [e for e in audit.between(NOW - second, NOW + second) if e.fund_id == fund_id]
