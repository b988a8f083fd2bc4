"""The stress test as one pure function: live books + scenario settings + run options → results per fund.

:func:`stress_test` simulates each fund independently (a fund's figures depend only on its own book and factors,
and the random streams are keyed by province, county, fund and chunk, so results are the same whatever the number
of processes) and gives a :class:`StressResult`. With ``options.workers`` > 1 funds run in a process pool. The CLI
calls it on books read from the ledger; a web page or the insurance layer can call it on books built in memory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from credit_engine.errors import InvalidInput
from credit_engine.stress.figures import FundStress, fund_stress, without_cover
from credit_engine.stress.live_book import LiveBook
from credit_engine.stress.scenario import StressOptions, StressScenario
from credit_engine.stress.simulation import run_paths

Progress = Callable[[int, int], None]  # (funds done, funds in all)


@dataclass(frozen=True, slots=True)
class StressResult:
    as_of: dt.date | None
    scenario: StressScenario
    options: StressOptions
    funds: tuple[FundStress, ...]

    @property
    def loans(self) -> int:
        return sum(f.loans for f in self.funds)

    @property
    def loans_with_model_pd(self) -> int:
        return sum(f.loans_with_model_pd for f in self.funds)


def stress_fund(book: LiveBook, scenario: StressScenario, options: StressOptions) -> FundStress:
    """One fund's figures; an insured fund is also run without its cover (same seed), side by side."""
    paths = run_paths(book, scenario, options)
    target = scenario.target_exhaustion_probability
    found = fund_stress(book, paths, options.leverages, options.horizon_months, target)
    if book.cover is None:
        return found
    bare = run_paths(dataclasses.replace(book, cover=None), scenario, options)
    return without_cover(found, book, bare, options.leverages, options.horizon_months)


def stress_test(
    books: Sequence[LiveBook],
    scenario: StressScenario,
    options: StressOptions,
    progress: Progress | None = None,
) -> StressResult:
    """Every fund of ``books`` stressed under ``scenario`` with ``options`` (``InvalidInput`` for bad options)."""
    errors = options.errors()
    if errors:
        raise InvalidInput(errors, f"{len(errors)} invalid stress option(s) / 压力测试参数有误")
    report = progress or (lambda done, total: None)
    results: dict[str, FundStress] = {}
    if options.workers > 1 and len(books) > 1:
        results = _in_processes(books, scenario, options, report)
    else:
        for done, book in enumerate(books, start=1):
            results[book.fund_id] = stress_fund(book, scenario, options)
            report(done, len(books))
    as_of = books[0].as_of if books else None
    return StressResult(as_of, scenario, options, tuple(results[b.fund_id] for b in books))


def _in_processes(
    books: Sequence[LiveBook], scenario: StressScenario, options: StressOptions, report: Progress
) -> dict[str, FundStress]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("spawn")  # no threads or connections of the parent carried over
    results: dict[str, FundStress] = {}
    with ProcessPoolExecutor(max_workers=options.workers, mp_context=context) as pool:
        futures = {pool.submit(stress_fund, book, scenario, options): book.fund_id for book in books}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            report(done, len(books))
    return results
