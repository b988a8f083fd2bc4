"""Fixtures of the outcome tests, in the domain's words: a world per test — a county of its own with one fund, an
officer, assessments made by the real assessment service and written to the real audit log, loans and their
events posted through the desk (so a disbursement naming its assessment is audited as in production) — over one
database per backend that holds the ledger beside its audit log. ``world.build(as_of)`` builds the outcomes of the
world's county as known at the end of that day.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from credit_engine.access.principal import Principal, Role, Scope
from credit_engine.assessment import Assessor
from credit_engine.assessment.headroom import FundHeadrooms
from credit_engine.audit.repository import AuditRepository
from credit_engine.contract import example_application, idnumber
from credit_engine.desk import LedgerDesk
from credit_engine.ledger import commands as c
from credit_engine.ledger.domain import default_terms
from credit_engine.outcomes.build import build_outcomes
from credit_engine.outcomes.definition import load_definition
from credit_engine.policy import load_policy
from credit_engine.scoring import Champion

BANK, SECRET = "RCC", "outcomes-test-secret"
RECORDED = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # when the world's events are recorded, unless moved


@pytest.fixture(scope="module")
def outcomes_engine(desk_database) -> object:
    return desk_database


class Clock:
    def __init__(self) -> None:
        self.now = RECORDED

    def __call__(self) -> dt.datetime:
        return self.now


class Scorer:
    """A champion that gives every household the PD the world sets (the outcome is what the tests look at)."""

    def __init__(self) -> None:
        self.pd = 0.004

    def score_record(self, record, top_n=4):
        return self.pd, ["R06"]


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class World:
    """One county, one fund of 1,000,000 yuan opened on 2025-01-01, an officer; amounts in yuan, dates as text."""

    def __init__(self, engine) -> None:
        self.engine, self.clock = engine, Clock()
        self.county = f"9{uuid.uuid4().int % 10**5:05d}"
        self.officer = Principal(
            f"k-{uuid.uuid4().hex[:8]}", "officer", Role.OFFICER, Scope(BANK, frozenset({self.county}))
        )
        admin = Principal(f"k-{uuid.uuid4().hex[:8]}", "admin", Role.FUND_ADMIN, Scope(BANK, frozenset({self.county})))
        self.headrooms = FundHeadrooms(engine, now=self.clock)
        audit = AuditRepository(engine)
        self.desk = LedgerDesk.open(engine, audit, self.headrooms, SECRET, clock=self.clock)
        self.scorer = Scorer()
        champion = Champion(self.scorer, "household-pd/1")
        self.assessor = Assessor(load_policy(), lambda: champion, self.headrooms, audit, SECRET, clock=self.clock)
        self.fund = f"F-{self.county}"
        opened = dict(county_code=self.county, bank_code=BANK, value_date=day("2025-01-01"), amount_fen=100_000_000)
        self.desk.writes.post(
            admin, c.CreateFund(fund_id=self.fund, idempotency_key="open", terms=default_terms(), **opened)
        )
        self.headrooms.refresh()
        self.households = 0

    def head(self) -> str:
        """A new household head's ID number (never stored raw: the desk and the audit log pseudonymise it)."""
        self.households += 1
        return idnumber.make("140121", dt.date(1980, 1, 1), 2 * self.households + 1)  # odd: a man, as the example

    def assess(self, head: str, applied: str = "2025-02-15", **changes) -> str:
        """An assessment of ``head``'s application (at the world's PD of 0.4%: an approval with a line above 20,000
        yuan) with ``changes`` to the example application; its id."""
        body = example_application(county_code=self.county, head_id_number=head, application_date=applied, **changes)
        body["application_id"] = f"A-{uuid.uuid4().hex[:12]}"
        body["head_age"] = idnumber.age_on(head, day(applied))
        return self.assessor.assess(self.officer, body).assessment_id

    def lend(
        self,
        loan: str,
        on: str = "2025-03-01",
        *,
        borrower: str = "B-1",
        assessment: str | None = None,
        product="fumin",
        yuan=20_000,
    ):
        command = c.Disburse(
            fund_id=self.fund,
            idempotency_key=loan,
            loan_id=loan,
            product=product,
            borrower_ref=borrower,
            value_date=day(on),
            amount_fen=yuan * 100,
            maturity_date=day(on) + dt.timedelta(days=730),
            households_driven=None if product == "fumin" else 12,
        )
        return self.desk.writes.post(self.officer, command, assessment)

    def event(self, command_type, loan: str, on: str, key: str | None = None, **facts):
        command = command_type(
            fund_id=self.fund, idempotency_key=key or uuid.uuid4().hex, loan_id=loan, value_date=day(on), **facts
        )
        return self.desk.writes.post(self.officer, command)

    def late(self, loan: str, on: str, days: int, key: str | None = None):
        return self.event(c.ReportDelinquency, loan, on, key, days_past_due=days)

    def cure(self, loan: str, on: str):
        return self.event(c.Cure, loan, on)

    def claim(self, loan: str, on: str):
        return self.event(c.ClaimCompensation, loan, on)

    def write_off(self, loan: str, on: str):
        return self.event(c.WriteOff, loan, on)

    def reverse(self, key: str):
        command = c.Reverse(fund_id=self.fund, idempotency_key=uuid.uuid4().hex, reverses_key=key)
        return self.desk.writes.post(self.officer, command)

    def build(self, as_of: str, **overrides):
        definition = load_definition().with_overrides(**overrides)
        table, _ = build_outcomes(self.engine, definition, day(as_of), counties=[self.county])
        return table

    def rows(self, as_of: str, **overrides) -> dict[str, dict]:
        return {row["loan_id"]: row for row in self.build(as_of, **overrides).rows}


@pytest.fixture
def world(outcomes_engine) -> World:
    return World(outcomes_engine)
