"""The Monte-Carlo of one fund: monthly steps over the horizon, vectorised over scenarios and leverage cases.

Cases: the fund as it stands (re-lending keeps the performing principal of the as-of date) and one per tested
leverage (re-lending keeps covered principal at the multiple × the fund's balance on the as-of date). Each month:

1. the bank re-lends, product by product in the book's mix, up to the case's target unless lending is suspended;
2. at the start of each 12-month block the province and county factors are drawn (shared by every case, so cases
   compare on the same economy); a product pool's default rate for the block is Binomial(loans, PD(Z)) / loans,
   PD(Z) the pool's exposure-weighted Vasicek PD (:mod:`.correlation`), spread evenly over the block's months;
3. defaulted principal leaves the pool, matured principal repays (the book by its maturities, re-lent loans at
   1/term a month);
4. the bank claims ``claim_delay_months`` after the policy's trigger days; the fund pays its share within the
   payment deadline, earns its monthly interest and gets its share of recoveries ``recovery_lag_months`` after;
   with an insurance cover (``book.cover``) the losses of the products it takes pass the loss waterfall of
   :mod:`credit_engine.insurance.waterfall` at payment — the insurer's share, or its first-loss layer while it lasts
   (the current policy year's layer, less what the insurer took since it began — ``book.policy_year``, as the
   ledger counts it — then a fresh layer on each anniversary of the cover; a book built without its policy year
   starts a fresh one on the as-of date), then the fund's share of the rest — and recoveries come back in
   the proportions the loss was borne;
5. as in the ledger, principal past the trigger and not yet claimed is non-performing, and covered principal is
   performing plus unclaimed overdue principal: above the policy's NPL ratio new lending is suspended next month.

Default losses do not depend on the fund's balance, so one run gives for each scenario the balance the fund needed
(the running maximum of discounted net payments): exhaustion is that maximum above the balance, and the top-up that
restores a target follows from its quantile. Scenarios run in chunks, so memory is scenarios-per-chunk × months,
never × loans.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

from credit_engine.stress.correlation import basel_retail_correlation, conditional_pd_curve, period_pd
from credit_engine.stress.live_book import LiveBook
from credit_engine.stress.scenario import StressOptions, StressScenario


@dataclass(frozen=True, slots=True)
class Pool:
    """One product of a fund: book principal (fen), its monthly runoff, loan sizes, re-lending term and mix, and the
    conditional PD curve per block length (months → curve on :data:`Z_GRID`)."""

    book_fen: float
    runoff: np.ndarray
    book_loan_fen: float
    new_loan_fen: float
    new_term_months: int
    mix: float
    curves: dict[int, np.ndarray]
    insured: bool = False  # the fund's insurance cover takes this product


@dataclass(frozen=True, slots=True)
class Paths:
    """Per case (rows) and scenario (columns): first month exhausted (``horizon`` if never), suspended at any time,
    balance at the horizon (fen, negative: unpaid claims), the fund's net loss (fen), the balance it needed (fen,
    present value) and the principal defaulted (fen)."""

    exhausted_month: np.ndarray
    suspended: np.ndarray
    end_balance_fen: np.ndarray
    net_loss_fen: np.ndarray
    required_fen: np.ndarray
    defaulted_fen: np.ndarray


def _rho(scenario: StressScenario, code: str, pd: np.ndarray) -> np.ndarray:
    fixed = scenario.product(code).asset_correlation
    return basel_retail_correlation(pd) if fixed is None else np.full(pd.shape, fixed)


def _pool(book: LiveBook, scenario: StressScenario, index: int, horizon: int, blocks: set[int]) -> Pool:
    code = book.products[index]
    settings = scenario.product(code)
    mine = book.product_index == index
    principal = book.performing_fen[mine].astype(float)
    pd, months = book.pd[mine], book.months_to_maturity[mine]
    if principal.sum() <= 0:  # no book: re-lent loans carry the product's PD
        pd, principal, months = np.array([settings.default_pd]), np.array([1.0]), np.array([horizon + 1])
    maturing = np.bincount(np.minimum(months, horizon + 1) - 1, weights=principal, minlength=horizon + 1)
    remaining = maturing[::-1].cumsum()[::-1]
    runoff = np.divide(maturing[:horizon], remaining[:horizon], out=np.zeros(horizon), where=remaining[:horizon] > 0)
    rho = _rho(scenario, code, pd)
    curves = {k: conditional_pd_curve(period_pd(pd, k), rho, principal) for k in blocks}
    count = max(int(mine.sum()), 1)
    return Pool(
        book_fen=float(book.performing_fen[mine].sum()),
        runoff=runoff,
        book_loan_fen=max(float(book.performing_fen[mine].sum()) / count, 1.0),
        new_loan_fen=float(settings.average_loan_fen),
        new_term_months=settings.new_loan_term_months,
        mix=0.0,
        curves=curves,
        insured=book.cover is not None and book.cover.covers(code),
    )


def pools(book: LiveBook, scenario: StressScenario, horizon: int) -> list[Pool]:
    """One pool per product of the book, re-lending mix by performing principal (all to the first product when
    the book is empty)."""
    blocks = {min(12, horizon - start) for start in range(0, horizon, 12)}
    found = [_pool(book, scenario, i, horizon, blocks) for i in range(len(book.products))]
    total = sum(p.book_fen for p in found)
    mixes = [p.book_fen / total for p in found] if total > 0 else [1.0] + [0.0] * (len(found) - 1)
    return [Pool(**{**{f: getattr(p, f) for f in Pool.__slots__}, "mix": m}) for p, m in zip(found, mixes, strict=True)]


def targets_fen(book: LiveBook, leverages: tuple[float, ...]) -> np.ndarray:
    """Performing principal each case re-lends up to: the book's own, then multiple × balance per leverage."""
    balance = max(book.balance_fen, 0)
    return np.array([float(book.performing_fen.sum())] + [x * balance for x in leverages])


@dataclass(frozen=True, slots=True)
class Lags:
    """Months from a default to each of its steps."""

    trigger: int  # non-performing: the policy's trigger days overdue
    claim: int  # the bank claims (the scenario's delay after the trigger): it leaves covered principal
    payment: int  # the fund pays its share (the policy's payment deadline after the claim)
    recovery: int  # recoveries come back (the scenario's lag after the payment)

    @classmethod
    def of(cls, book: LiveBook, scenario: StressScenario) -> Lags:
        trigger = math.ceil(book.terms.trigger_days / 30)
        claim = trigger + scenario.claim_delay_months
        payment = claim + math.ceil(book.terms.payment_deadline_days / 30)
        return cls(trigger, claim, payment, payment + scenario.recovery_lag_months)

    @property
    def prehistory(self) -> int:
        """Months of defaults before month 0 kept: loans overdue longer are claimed in month 0."""
        return max(self.claim - 1, 0)


def prehistory(book: LiveBook, lags: Lags, insured: bool = False) -> np.ndarray:
    """Overdue principal on the as-of date by default month −prehistory..0 (older ones as if claimed now); with
    ``insured``, only that of the products the fund's cover takes."""
    months = np.minimum(book.months_overdue, lags.prehistory)
    weights = book.overdue_fen.astype(float)
    if insured:
        taken = [book.cover is not None and book.cover.covers(code) for code in book.products]
        weights = weights * np.asarray(taken, dtype=bool)[book.product_index] if book.loans else weights
    found = np.bincount(lags.prehistory - months, weights=weights, minlength=lags.prehistory + 1)
    return found.astype(float)  # a book without loans gives integer zeros: the simulation adds floats to them


def case_keys(leverages: tuple[float, ...]) -> tuple[int, ...]:
    """A stream key per case: 0 for the fund as it stands, the tested multiple in thousandths + 1 otherwise — so a
    case's draws depend neither on the other cases nor on the order they are listed in."""
    return (0, *(round(x * 1000) + 1 for x in leverages))


def generators(book: LiveBook, seed: int, chunk: int, cases: tuple[int, ...]):  # noqa: ANN201
    """The random streams of one chunk: the province's and the county's (every fund of a province draws the same
    province factor, every fund of a county the same county factor) and one per case of this fund."""
    province = np.random.default_rng([seed, 0, int(book.province_code or 0), chunk])
    county = np.random.default_rng([seed, 1, int(book.county_code or 0), chunk])
    fund = zlib.crc32(book.fund_id.encode())
    return province, county, [np.random.default_rng([seed, 2, fund, chunk, case]) for case in cases]


def run_paths(book: LiveBook, scenario: StressScenario, options: StressOptions) -> Paths:
    """Every scenario of ``options`` for ``book``, chunk by chunk."""
    from credit_engine.stress.steps import simulate_chunk

    horizon = options.horizon_months
    fund_pools = pools(book, scenario, horizon)
    lags = Lags.of(book, scenario)
    targets = targets_fen(book, options.leverages)
    history = (prehistory(book, lags), prehistory(book, lags, insured=True) if book.cover is not None else None)
    parts = []
    for chunk, start in enumerate(range(0, options.scenarios, options.chunk_scenarios)):
        size = min(options.chunk_scenarios, options.scenarios - start)
        streams = generators(book, options.seed, chunk, case_keys(options.leverages))
        parts.append(simulate_chunk(book, scenario, horizon, fund_pools, lags, targets, history, streams, size))
    return Paths(*(np.concatenate([getattr(p, f) for p in parts], axis=1) for f in Paths.__slots__))
