"""The fund page's stress test: :func:`credit_engine.stress.service.stress_test` on the fund's live book with a
modest number of scenarios (5,000 by default), kept per fund, value date and recording time.

A result as known at a fixed moment never changes, so it is kept until pushed out by newer ones (at most
``max_entries``); a result of "everything recorded" is recomputed after ``fresh_seconds``, when the ledger may have
moved on. The scenario is the shipped one (``ledger/stress_scenario.yaml``); the caller checks the key's scope first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import Engine

from credit_engine.ledger.errors import UnknownFund
from credit_engine.stress.live_book import live_books
from credit_engine.stress.scenario import StressOptions, StressScenario, load_scenario
from credit_engine.stress.service import StressResult, stress_test
from credit_engine.workspace.views import Moment

PAGE_SCENARIOS = 5_000


class FundStressCache:
    def __init__(
        self,
        engine: Engine,
        scenarios: int = PAGE_SCENARIOS,
        max_entries: int = 256,
        fresh_seconds: float = 300.0,
        scenario: Callable[[], StressScenario] = load_scenario,
    ) -> None:
        self.engine = engine
        self.options = StressOptions(scenarios=scenarios)
        self.max_entries = max_entries
        self.fresh_seconds = fresh_seconds
        self._scenario = scenario
        self._results: OrderedDict[tuple, tuple[float, StressResult]] = OrderedDict()
        self._lock = threading.Lock()

    def result(self, fund_id: str, moment: Moment) -> StressResult:
        """The fund's stress test as of ``moment`` (from the cache when it holds a result still valid)."""
        key = (fund_id, moment.as_of, moment.known_at)
        with self._lock:
            found = self._results.get(key)
            if found is not None and (moment.known_at is not None or time.monotonic() - found[0] < self.fresh_seconds):
                self._results.move_to_end(key)
                return found[1]
        result = self._run(fund_id, moment)
        with self._lock:
            self._results[key] = (time.monotonic(), result)
            while len(self._results) > self.max_entries:
                self._results.popitem(last=False)
        return result

    def _run(self, fund_id: str, moment: Moment) -> StressResult:
        scenario = self._scenario()
        books = live_books(self.engine, moment.as_of, scenario, fund_id=fund_id, known_at=moment.known_at)
        if not books:
            raise UnknownFund(fund_id)
        return stress_test(books, scenario, self.options)
