"""From simulated paths to what a fund administrator reads: exhaustion and suspension probabilities, balance
quantiles, expected shortfall, the safe multiple and the top-up.

Amounts stay integer fen here (rounded from the simulation's floats: a top-up is rounded up). A
:class:`CaseFigures` is one leverage case of one fund; :class:`FundStress` holds a fund's cases, its safe multiple
(the highest tested multiple whose probability of exhaustion within the horizon is below the target) and the top-up
that brings that probability under the target with the current book.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from credit_engine.stress.live_book import LiveBook
from credit_engine.stress.simulation import Paths

EXHAUSTION_MONTHS = (12, 24, 36)
BALANCE_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95)
TAIL = 0.99


@dataclass(frozen=True, slots=True)
class CaseFigures:
    """One case: ``leverage`` None is the fund as it stands (its current multiple in ``multiple``)."""

    leverage: float | None
    multiple: float | None
    exhaustion_by_month: dict[int, float]  # months → P(exhausted by then), for 12/24/36 within the horizon
    exhaustion_within_horizon: float
    exhaustion_curve: tuple[float, ...]  # P(exhausted by the end of month m), m = 1..horizon
    suspension: float
    balance_quantiles_fen: dict[float, int]
    expected_net_loss_fen: int
    expected_shortfall_99_fen: int  # mean net loss of the fund in the worst 1 % of scenarios
    expected_unpaid_fen: int  # mean claims the fund could not pay by the horizon


@dataclass(frozen=True, slots=True)
class FundStress:
    fund_id: str
    county_code: str
    bank_code: str
    balance_fen: int
    covered_fen: int
    loans: int
    loans_with_model_pd: int
    current: CaseFigures
    tested: tuple[CaseFigures, ...]
    safe_multiple: float | None  # None: no tested multiple meets the target
    top_up_fen: int  # 0: the fund as it stands meets the target
    target: float
    insurer: str | None = None  # the insurance cover's insurer (None: no cover)
    uninsured: tuple[CaseFigures, ...] = ()  # an insured fund's cases (current, then tested) without its cover

    @property
    def cases(self) -> tuple[CaseFigures, ...]:
        return (self.current, *self.tested)


def expected_shortfall(values: np.ndarray, level: float = TAIL) -> float:
    """Mean of the worst ``1 − level`` of ``values`` (largest losses), at least one scenario."""
    worst = max(math.ceil(values.size * (1.0 - level)), 1)
    return float(np.partition(values, values.size - worst)[values.size - worst :].mean())


def case_figures(paths: Paths, row: int, leverage: float | None, multiple: float | None, horizon: int) -> CaseFigures:
    months = paths.exhausted_month[row]
    counts = np.bincount(np.minimum(months, horizon), minlength=horizon + 1)[:horizon]
    curve = np.cumsum(counts) / months.size
    balance = np.maximum(paths.end_balance_fen[row], 0.0)
    quantiles = np.quantile(balance, BALANCE_QUANTILES)
    loss = paths.net_loss_fen[row]
    return CaseFigures(
        leverage=leverage,
        multiple=multiple,
        exhaustion_by_month={m: float(curve[m - 1]) for m in EXHAUSTION_MONTHS if m <= horizon},
        exhaustion_within_horizon=float(curve[-1]),
        exhaustion_curve=tuple(float(x) for x in curve),
        suspension=float(paths.suspended[row].mean()),
        balance_quantiles_fen={q: round(v) for q, v in zip(BALANCE_QUANTILES, quantiles, strict=True)},
        expected_net_loss_fen=round(float(loss.mean())),
        expected_shortfall_99_fen=round(expected_shortfall(loss)),
        expected_unpaid_fen=round(float(np.maximum(-paths.end_balance_fen[row], 0.0).mean())),
    )


def top_up_fen(required_fen: np.ndarray, balance_fen: int, target: float) -> int:
    """The smallest contribution after which fewer than ``target`` of the scenarios need more than the balance."""
    allowed = max(math.ceil(target * required_fen.size) - 1, 0)  # scenarios that may still exhaust the fund
    needed = float(np.sort(required_fen)[::-1][allowed])
    return max(math.ceil(needed - balance_fen), 0)


def safe_multiple(cases: tuple[CaseFigures, ...], target: float) -> float | None:
    passing = [c.leverage for c in cases if c.leverage is not None and c.exhaustion_within_horizon < target]
    return max(passing) if passing else None


def fund_stress(book: LiveBook, paths: Paths, leverages: tuple[float, ...], horizon: int, target: float) -> FundStress:
    current = case_figures(paths, 0, None, book.multiple, horizon)
    tested = tuple(case_figures(paths, i + 1, x, x, horizon) for i, x in enumerate(leverages))
    return FundStress(
        fund_id=book.fund_id,
        county_code=book.county_code,
        bank_code=book.bank_code,
        balance_fen=book.balance_fen,
        covered_fen=book.covered_fen,
        loans=book.loans,
        loans_with_model_pd=book.loans_with_model_pd,
        current=current,
        tested=tested,
        safe_multiple=safe_multiple(tested, target),
        top_up_fen=top_up_fen(paths.required_fen[0], book.balance_fen, target),
        target=target,
    )


def without_cover(
    found: FundStress, book: LiveBook, bare: Paths, leverages: tuple[float, ...], horizon: int
) -> FundStress:
    """An insured fund's figures with its cases as they would be without the cover (``bare``: the same run,
    cover removed), for the side-by-side view."""
    plain = fund_stress(book, bare, leverages, horizon, found.target)
    insurer = book.cover.insurer if book.cover is not None else None
    return dataclasses.replace(found, insurer=insurer, uninsured=plain.cases)
