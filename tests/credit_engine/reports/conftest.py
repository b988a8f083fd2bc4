"""Fixtures of the report tests: the ledger tests' tiny ledger and clock (loaded from their conftest), a migrated
engine per backend, and ``region`` — a province code of its own for each test, so a report over "the province"
sees only the funds that test opened although all tests share one database per backend.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
from pathlib import Path

import pytest

from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.reports.build import Report, Scope, build_report


def _ledger_fixtures():
    path = Path(__file__).resolve().parents[1] / "ledger" / "conftest.py"
    spec = importlib.util.spec_from_file_location("ledger_test_fixtures", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_FIXTURES = _ledger_fixtures()
Clock, TinyLedger, day = _FIXTURES.Clock, _FIXTURES.TinyLedger, _FIXTURES.day
ledger_engine = _FIXTURES.ledger_engine  # the ledger tests' migrated engine per backend, a fixture here too
_PROVINCES: dict[str, itertools.count] = {}  # per backend's database, 60–99: no other test opens funds there


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def ledger(ledger_engine, clock):
    return TinyLedger(UnitOfWork(ledger_engine, clock))


@pytest.fixture
def tiny_ledger(clock):
    """``tiny_ledger(engine)``: the tiny ledger on another engine (a database of the test's own)."""
    return lambda engine: TinyLedger(UnitOfWork(engine, clock))


@pytest.fixture
def region(database_url) -> str:
    """A two-digit province code no other test of this process uses on this backend (60–99; ledger tests: 14, 45)."""
    code = next(_PROVINCES.setdefault(database_url, itertools.count(60)))
    assert code < 100, "more report tests than province codes: widen the scheme"
    return str(code)


@pytest.fixture
def report(ledger_engine, region):
    """``report(kind, as_of, known_at=None, period=None, county=None)`` over this test's province (or a county)."""

    def make(kind: str, as_of: str | dt.date, known_at=None, period=None, county=None, **options) -> Report:
        scope = Scope(county=county) if county else Scope(province=region)
        with UnitOfWork(ledger_engine, read_only=True) as uow:
            return build_report(uow, kind, day(as_of), known_at, scope, period, **options)

    return make
