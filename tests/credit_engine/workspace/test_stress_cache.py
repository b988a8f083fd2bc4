"""The fund page's stress test: the stress service on the fund's live book, kept per fund, date and recording time;
"everything recorded" is recomputed once it is older than its freshness."""

from __future__ import annotations

import datetime as dt

import pytest

from credit_engine.ledger.errors import UnknownFund
from credit_engine.workspace import stress as page_stress
from credit_engine.workspace.stress import FundStressCache
from credit_engine.workspace.views import Moment

DAY = dt.date(2026, 6, 30)


class Counting:
    """Stands in for the stress run and counts the runs (the cache is what is tested here)."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, Moment]] = []

    def __call__(self, fund_id: str, moment: Moment) -> object:
        self.runs.append((fund_id, moment))
        return object()


def test_a_result_as_known_at_a_moment_is_kept_and_one_for_everything_recorded_goes_stale():
    cache = FundStressCache(engine=None, fresh_seconds=0.0, max_entries=2)
    counting = Counting()
    cache._run = counting  # type: ignore[method-assign]
    fixed = Moment(DAY, dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    assert cache.result("F-1", fixed) is cache.result("F-1", fixed)
    live = Moment(DAY)
    assert cache.result("F-1", live) is not cache.result("F-1", live)  # fresh for 0 s: recomputed
    assert len(counting.runs) == 3
    cache.result("F-2", fixed)
    cache.result("F-3", fixed)  # at most two entries: F-1 (as known then) is pushed out
    cache.result("F-1", fixed)
    assert [fund for fund, _ in counting.runs].count("F-1") == 4


def test_the_run_is_the_stress_service_on_the_funds_live_book(monkeypatch):
    seen = {}

    def books(engine, as_of, scenario, *, fund_id, known_at):
        seen.update(as_of=as_of, fund_id=fund_id, known_at=known_at)
        return ["book"]

    def run(found, scenario, options):
        seen.update(books=found, scenarios=options.scenarios)
        return "result"

    monkeypatch.setattr(page_stress, "live_books", books)
    monkeypatch.setattr(page_stress, "stress_test", run)
    assert FundStressCache(engine=None).result("F-9", Moment(DAY)) == "result"
    assert seen == {"as_of": DAY, "fund_id": "F-9", "known_at": None, "books": ["book"], "scenarios": 5_000}
    monkeypatch.setattr(page_stress, "live_books", lambda *a, **k: [])
    with pytest.raises(UnknownFund):
        FundStressCache(engine=None).result("F-0", Moment(DAY))
