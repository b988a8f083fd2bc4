"""One chunk of scenarios stepped month by month (the loop of :mod:`.simulation`), arrays shaped (cases, scenarios).

:class:`ChunkState` holds what changes: each pool's book and re-lent principal, this block's monthly default
hazard, the defaulted principal by month (the prehistory of loans already overdue first), the non-performing and
unclaimed principal, the fund's balance and the running figures. Each function below is one rule of a month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from credit_engine.insurance.waterfall import BPS, split_loss, split_recovery
from credit_engine.stress.correlation import Z_GRID
from credit_engine.stress.live_book import LiveBook
from credit_engine.stress.scenario import StressScenario


@dataclass(slots=True)
class ChunkState:
    book: list[np.ndarray]  # per pool: the as-of book's performing principal left
    new: list[np.ndarray]  # per pool: principal re-lent before this block
    fresh: list[np.ndarray]  # per pool: principal re-lent during this block
    hazard: list[np.ndarray]  # per pool: this block's monthly default hazard of the loans it started with
    fresh_hazard: list[np.ndarray]  # per pool: that of loans lent during the block (the pool's PD given Z)
    defaults: np.ndarray  # (prehistory + horizon, cases, scenarios): principal defaulted by month
    npl: np.ndarray
    unclaimed: np.ndarray  # defaulted principal not yet claimed (still covered)
    balance: np.ndarray
    paid_pv: np.ndarray  # discounted net payments so far
    required: np.ndarray  # their running maximum: the balance the fund needed
    net_loss: np.ndarray
    exhausted_month: np.ndarray
    suspended_now: np.ndarray
    suspended_ever: np.ndarray
    insured_defaults: np.ndarray | None = None  # like ``defaults``, of the products the cover takes (None: no cover)
    insurer_part: np.ndarray | None = None  # like ``defaults``: the insurer's part of that month's defaults
    layer_used: np.ndarray | None = None  # the first-loss layer used this policy year
    layer: np.ndarray | None = None  # this policy year's first-loss layer (fen)


def _start(book: LiveBook, pools: list, lags, targets: np.ndarray, histories: tuple, horizon: int, size: int):  # noqa: ANN001, ANN202
    """Month 0's state: the as-of book, the overdue principal as defaults of months −prehistory..0."""
    history, insured = histories
    shape = (targets.size, size)
    window = np.arange(history.size) - lags.prehistory  # default month of each prehistory entry
    covered = window > -1 - lags.claim
    unclaimed = history[(window <= -1) & covered].sum()
    npl = history[(window <= -1 - lags.trigger) & covered].sum()
    defaults = np.zeros((lags.prehistory + horizon, *shape))
    defaults[: history.size] += history[:, None, None]
    suspended = np.full(shape, bool(book.terms.lending_suspended))
    return ChunkState(
        book=[np.full(shape, p.book_fen) for p in pools],
        new=[np.zeros(shape) for _ in pools],
        fresh=[np.zeros(shape) for _ in pools],
        hazard=[np.zeros(shape) for _ in pools],
        fresh_hazard=[np.zeros(shape) for _ in pools],
        defaults=defaults,
        npl=np.full(shape, npl),
        unclaimed=np.full(shape, unclaimed),
        balance=np.full(shape, float(book.balance_fen)),
        paid_pv=np.zeros(shape),
        required=np.zeros(shape),
        net_loss=np.zeros(shape),
        exhausted_month=np.full(shape, -1, dtype=np.int32),
        suspended_now=suspended,
        suspended_ever=suspended.copy(),
        **(_insured_start(insured, defaults.shape) if insured is not None else {}),
    )


def _insured_start(history: np.ndarray, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    insured = np.zeros(shape)
    insured[: history.size] += history[:, None, None]
    found = {"insured_defaults": insured, "insurer_part": np.zeros(shape)}
    return found | {"layer_used": np.zeros(shape[1:]), "layer": np.zeros(shape[1:])}


def _renews(book: LiveBook, month: int) -> bool:
    """Whether a first-loss cover's policy year starts at ``month``: on its anniversaries when the book knows where
    the current year stands (the ledger's), else every 12 months from the as-of date."""
    first = book.policy_year.months_to_renewal if book.policy_year is not None else 0
    return month >= first and (month - first) % 12 == 0


def _current_policy_year(state: ChunkState, book: LiveBook) -> None:
    """Month 0 inside a policy year already running: its layer and the part of it the insurer has already taken."""
    if state.layer_used is None or state.layer is None or book.cover is None or book.policy_year is None:
        return
    state.layer[:] = float(book.policy_year.layer_fen)
    state.layer_used[:] = float(book.policy_year.used_fen)


def _policy_year(state: ChunkState, book: LiveBook, pools: list) -> None:
    """A new policy year of a first-loss cover: its layer is fresh — the amount, or its share of the insured
    performing principal now."""
    if state.layer_used is None or state.layer is None or book.cover is None:
        return
    state.layer_used[:] = 0.0
    if book.cover.layer_fen:
        state.layer[:] = float(book.cover.layer_fen)
        return
    insured = [b + n + f for p, b, n, f in zip(pools, state.book, state.new, state.fresh, strict=True) if p.insured]
    state.layer[:] = book.cover.layer_bps / BPS * sum(insured, np.zeros_like(state.balance))


def _relend(state: ChunkState, pools: list, targets: np.ndarray) -> None:
    """Re-lend each product up to its share of the case's target, unless lending is suspended."""
    open_ = ~state.suspended_now
    for i, pool in enumerate(pools):
        if pool.mix <= 0:
            continue
        gap = targets[:, None] * pool.mix - state.book[i]
        gap -= state.new[i]
        gap -= state.fresh[i]
        np.maximum(gap, 0.0, out=gap)
        gap *= open_
        state.fresh[i] += gap


def _draw_block(state: ChunkState, pools: list, factor: np.ndarray, months: int, streams: list) -> None:
    """This block's default rate per pool and scenario: Binomial(loans, PD(Z)) / loans, as a monthly hazard, for
    the loans the block starts with; loans lent during the block default at the pool's PD given Z."""
    for i, pool in enumerate(pools):
        state.new[i] += state.fresh[i]
        state.fresh[i][:] = 0.0
        curve = pool.curves[months]
        if not curve.any():
            state.hazard[i] = state.fresh_hazard[i] = np.zeros_like(state.book[i])
            continue
        pd = np.interp(factor, Z_GRID, curve)[None, :]
        state.fresh_hazard[i] = -np.expm1(np.log1p(-np.minimum(pd, 1.0 - 1e-15)) / months)
        loans = np.rint(state.book[i] / pool.book_loan_fen + state.new[i] / pool.new_loan_fen).astype(np.int64)
        drawn = np.stack([stream.binomial(n, pd[0]) for stream, n in zip(streams, loans, strict=True)])
        rate = drawn / np.maximum(loans, 1)
        state.hazard[i] = -np.expm1(np.log1p(-np.minimum(rate, 1.0 - 1e-15)) / months)
        state.hazard[i][rate >= 1.0] = 1.0


def _defaults_and_repayments(state: ChunkState, pools: list, month: int, offset: int) -> np.ndarray:
    """Principal defaulted this month (that of insured products noted apart); matured principal repaid."""
    defaulted = np.zeros_like(state.balance)
    for i, pool in enumerate(pools):
        if pool.mix <= 0 and pool.book_fen <= 0:
            continue
        for principal, hazard in (
            (state.book[i], state.hazard[i]),
            (state.new[i], state.hazard[i]),
            (state.fresh[i], state.fresh_hazard[i]),
        ):
            hit = hazard * principal
            principal -= hit
            defaulted += hit
            if pool.insured and state.insured_defaults is not None:
                state.insured_defaults[month + offset] += hit
        state.book[i] *= 1.0 - pool.runoff[month]
        state.new[i] *= 1.0 - 1.0 / pool.new_term_months
        state.fresh[i] *= 1.0 - 1.0 / pool.new_term_months
    return defaulted


def _defaulted_in(state: ChunkState, index: int, by_month: np.ndarray | None = None) -> np.ndarray | float:
    by_month = state.defaults if by_month is None else by_month
    return by_month[index] if 0 <= index < by_month.shape[0] else 0.0


def _borne(state: ChunkState, book: LiveBook, scenario: StressScenario, paid_at: int, back_at: int) -> tuple:
    """The fund's part of the defaults paid now (index ``paid_at``) and of the recoveries of those of ``back_at``.
    Without a cover: its share of both. With one: the loss waterfall of :mod:`credit_engine.insurance.waterfall`
    (``split_loss``) on the insured products' defaults, the insurer's part kept for their recoveries
    (``split_recovery``)."""
    share, cover = book.terms.fund_share_bps, book.cover
    if state.insured_defaults is None or cover is None:
        fraction = share / BPS
        recovered = fraction * scenario.recovery_rate * _defaulted_in(state, back_at)
        return fraction * _defaulted_in(state, paid_at), recovered
    assert state.insurer_part is not None and state.layer_used is not None and state.layer is not None
    loss, insured = _defaulted_in(state, paid_at), _defaulted_in(state, paid_at, state.insured_defaults)
    if cover.kind == "share":
        parts = split_loss(insured, share, cover.share_bps)
    else:
        parts = split_loss(insured, share, BPS, state.layer - state.layer_used)
        state.layer_used += parts.insurer
    if 0 <= paid_at < state.insurer_part.shape[0]:
        state.insurer_part[paid_at] = parts.insurer
    paid = parts.fund + split_loss(np.asarray(loss) - insured, share).fund
    lost = np.asarray(_defaulted_in(state, back_at), dtype=float)
    insurer_lost = _defaulted_in(state, back_at, state.insurer_part)
    return paid, split_recovery(scenario.recovery_rate * lost, lost, insurer_lost, share).fund


def _fund(state: ChunkState, book: LiveBook, scenario: StressScenario, lags, month: int, offset: int) -> None:
    """The fund's month: interest, its share of defaults due, its share of recoveries; exhaustion recorded."""
    paid, recovered = _borne(state, book, scenario, month - lags.payment + offset, month - lags.recovery + offset)
    net = paid - recovered + (book.pending_compensation_fen if month == 0 else 0.0)
    growth = 1.0 + scenario.fund_interest_rate / 12
    state.balance = state.balance * growth - net
    state.net_loss += net
    state.paid_pv += net * growth ** -(month + 1)
    np.maximum(state.required, state.paid_pv, out=state.required)
    newly = (state.exhausted_month < 0) & (state.balance < 0)
    state.exhausted_month[newly] = month


def _npl(state: ChunkState, book: LiveBook, lags, month: int, offset: int) -> None:
    """Non-performing principal (trigger reached, not yet claimed) against covered principal: suspension."""
    leaving = _defaulted_in(state, month - lags.claim + offset)
    state.npl += _defaulted_in(state, month - lags.trigger + offset) - leaving
    state.unclaimed += state.defaults[month + offset] - leaving
    performing = sum(b + n + f for b, n, f in zip(state.book, state.new, state.fresh, strict=True))
    over = state.npl * BPS > book.terms.npl_suspension_bps * (performing + state.unclaimed)
    state.suspended_now = over | book.terms.lending_suspended
    state.suspended_ever |= state.suspended_now


def simulate_chunk(book, scenario, horizon, pools, lags, targets, history, streams, size):  # noqa: ANN001, ANN201, PLR0913
    """``size`` scenarios of ``book`` over ``horizon`` months: a :class:`~credit_engine.stress.simulation.Paths`."""
    from credit_engine.stress.simulation import Paths

    province, county, cases = streams
    state = _start(book, pools, lags, targets, history, horizon, size)
    history = history[0]
    offset = lags.prehistory
    share = scenario.province_factor_share
    blocks = range(0, horizon, 12)
    factors = np.sqrt(share) * province.standard_normal((len(blocks), size))
    factors += np.sqrt(1.0 - share) * county.standard_normal((len(blocks), size))
    _current_policy_year(state, book)
    for month in range(horizon):
        _relend(state, pools, targets)
        if _renews(book, month):
            _policy_year(state, book, pools)
        if month % 12 == 0:
            _draw_block(state, pools, factors[month // 12], min(12, horizon - month), cases)
        state.defaults[month + offset] += _defaults_and_repayments(state, pools, month, offset)
        _fund(state, book, scenario, lags, month, offset)
        _npl(state, book, lags, month, offset)
    exhausted = np.where(state.exhausted_month < 0, horizon, state.exhausted_month)
    defaulted = state.defaults[offset:].sum(axis=0) - history[offset]  # this horizon's defaults only
    return Paths(exhausted, state.suspended_ever, state.balance, state.net_loss, state.required, defaulted)
