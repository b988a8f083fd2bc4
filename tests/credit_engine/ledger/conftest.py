"""Fixtures of the ledger tests, in the ledger's own words: a migrated engine per backend, a controllable clock,
and ``ledger`` — a tiny ledger that records events in yuan and dates written as text, so a test reads like the
ledger it builds plus one assertion. Every fund gets a unique id, so tests share one database per session.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest

from credit_engine.ledger import commands as c
from credit_engine.ledger.database import make_engine, migrate
from credit_engine.ledger.domain import default_terms
from credit_engine.ledger.importer import SERVICE_OF
from credit_engine.ledger.money import yuan_to_fen
from credit_engine.ledger.product_store import catalog
from credit_engine.ledger.unit_of_work import UnitOfWork

START = dt.datetime(2025, 6, 30, 4, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def ledger_engine(database_url: str) -> Iterator[object]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def shipped_products(tmp_path_factory):
    """The products a freshly migrated ledger holds (富民贷, 强农贷), read from a throwaway SQLite ledger."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('products') / 'ledger.db'}")
    migrate(engine)
    try:
        with engine.connect() as connection:
            return catalog(connection)
    finally:
        engine.dispose()


class Clock:
    """A clock the test moves: ``clock.now`` is returned until changed; ``advance`` moves it on."""

    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def uow(ledger_engine, clock: Clock) -> UnitOfWork:
    return UnitOfWork(ledger_engine, clock)


def day(text: str | dt.date) -> dt.date:
    return text if isinstance(text, dt.date) else dt.date.fromisoformat(text)


class TinyLedger:
    """Records events through the services; amounts in yuan, dates as ``"2025-02-01"``, keys made up if not given."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def run(self, command_type, key: str | None = None, **fields) -> c.Receipt:
        """Post a command through the service that posts its kind (the importer's table)."""
        command = command_type(idempotency_key=key or uuid.uuid4().hex, recorded_by="test", **fields)
        return SERVICE_OF[command_type](self.uow, command)

    def _money(self, command_type, fund_id: str, on, yuan, key=None) -> c.Receipt:
        return self.run(command_type, key, fund_id=fund_id, value_date=day(on), amount_fen=yuan_to_fen(yuan))

    def _loan(self, command_type, fund_id: str, loan: str, on, key=None, **fields) -> c.Receipt:
        return self.run(command_type, key, fund_id=fund_id, loan_id=loan, value_date=day(on), **fields)

    def fund(self, yuan: str | int = 5_000_000, opened: str = "2025-01-01", county: str = "140121", **terms) -> str:
        fund_id = f"F-{uuid.uuid4().hex[:10]}"
        terms = default_terms().replace(**terms)
        fields = {"county_code": county, "bank_code": "RCC", "value_date": day(opened), "terms": terms}
        self.run(c.CreateFund, f"{fund_id}-open", fund_id=fund_id, amount_fen=yuan_to_fen(yuan), **fields)
        return fund_id

    def policy(self, fund_id: str, effective: str, key: str | None = None, **terms) -> c.Receipt:
        terms = default_terms().replace(**terms)
        return self.run(c.SetPolicy, key, fund_id=fund_id, effective_from=day(effective), terms=terms)

    def contribute(self, fund_id: str, on: str, yuan, key=None) -> c.Receipt:
        return self._money(c.Contribute, fund_id, on, yuan, key)

    def claw_back(self, fund_id: str, on: str, yuan, key=None) -> c.Receipt:
        return self._money(c.ClawBack, fund_id, on, yuan, key)

    def interest(self, fund_id: str, on: str, yuan, key=None) -> c.Receipt:
        return self._money(c.RecordFundInterest, fund_id, on, yuan, key)

    def disburse(self, fund_id, loan, on, yuan, product="fumin", maturity=None, borrower="hh-1", key=None, **linked):
        """A loan; one of an enterprise product (强农贷) drives ``households`` (10 unless told) poor households."""
        maturity = day(maturity) if maturity else day(on) + dt.timedelta(days=365)
        fields = {"product": product, "borrower_ref": borrower, "maturity_date": maturity}
        households = linked.pop("households", 10 if product in ("qiangnong", "强农贷") else None)
        fields |= {"households_driven": households, **linked}
        return self._loan(c.Disburse, fund_id, loan, on, key, amount_fen=yuan_to_fen(yuan), **fields)

    def repay(self, fund_id, loan, on, yuan, key=None) -> c.Receipt:
        return self._loan(c.Repay, fund_id, loan, on, key, amount_fen=yuan_to_fen(yuan))

    def delinquent(self, fund_id, loan, on, days, key=None) -> c.Receipt:
        return self._loan(c.ReportDelinquency, fund_id, loan, on, key, days_past_due=days)

    def cure(self, fund_id, loan, on, key=None) -> c.Receipt:
        return self._loan(c.Cure, fund_id, loan, on, key)

    def extend(self, fund_id, loan, on, maturity, key=None) -> c.Receipt:
        return self._loan(c.Extend, fund_id, loan, on, key, maturity_date=day(maturity))

    def claim(self, fund_id, loan, on, key=None) -> c.Receipt:
        return self._loan(c.ClaimCompensation, fund_id, loan, on, key)

    def pay(self, fund_id, loan, on, yuan=None, key=None) -> c.Receipt:
        amount = None if yuan is None else yuan_to_fen(yuan)
        return self._loan(c.PayCompensation, fund_id, loan, on, key, amount_fen=amount)

    def recover(self, fund_id, loan, on, yuan, key=None) -> c.Receipt:
        return self._loan(c.Recover, fund_id, loan, on, key, amount_fen=yuan_to_fen(yuan))

    def write_off(self, fund_id, loan, on, key=None) -> c.Receipt:
        return self._loan(c.WriteOff, fund_id, loan, on, key)

    def reverse(self, fund_id, reverses_key, key=None) -> c.Receipt:
        return self.run(c.Reverse, key, fund_id=fund_id, reverses_key=reverses_key)

    def book(self, fund_id: str):
        with self.uow:
            return self.uow.funds.lock_book(fund_id)

    def loan(self, fund_id: str, loan_id: str):
        with self.uow:
            return self.uow.loans.get(fund_id, loan_id)[0]

    def position(self, fund_id: str, as_of: str, known_at: dt.datetime | None = None):
        from credit_engine.ledger.position import fund_positions

        with UnitOfWork(self.uow.engine, self.uow.clock, read_only=True) as reader:
            return fund_positions(reader, day(as_of), known_at, fund_ids=[fund_id])[0]


@pytest.fixture
def ledger(uow: UnitOfWork) -> TinyLedger:
    return TinyLedger(uow)


@pytest.fixture
def new_ledger(ledger_engine, clock: Clock):
    """A factory of tiny ledgers, each with its own unit of work (one per thread in race tests)."""
    return lambda: TinyLedger(UnitOfWork(ledger_engine, clock))
