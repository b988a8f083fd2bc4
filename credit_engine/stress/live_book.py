"""A fund's live book as the stress test takes it: its balance and terms, and each open loan as array columns.

:class:`LiveBook` is plain values — integer fen, PDs in (0, 1) — so the simulation is a pure function of it and the
scenario, and a page or the insurance layer can build one in memory. :func:`live_books` reads the books of the
ledger as of a date: fund positions (:mod:`credit_engine.ledger.position`), open loans
(:mod:`credit_engine.ledger.queries.book`) and, for each loan whose disbursement named an assessment in the audit log,
that assessment's PD (:class:`~credit_engine.assessment.audit_record.StoredAssessment`); other loans take their
product's PD from the scenario, and the book says how many had a model PD.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from credit_engine.insurance.cover import CoverTerms
from credit_engine.ledger.domain import PolicyTerms
from credit_engine.stress.scenario import StressScenario

DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True, slots=True)
class PolicyYear:
    """Where a first-loss cover's policy year stands on the book's date, as the ledger counts it: whole months until
    the next policy year starts (years run from the cover's ``effective_from``), this year's layer (fen) and the part
    of it the insurer has already taken (its parts of losses claimed since the year began)."""

    months_to_renewal: int
    layer_fen: int
    used_fen: int


@dataclass(frozen=True, slots=True, eq=False)
class LiveBook:
    """One fund on ``as_of``: balance, pending compensation and terms, and one array element per open loan —
    performing principal (fen), overdue principal (fen) and months since it fell overdue, product index into
    ``products``, months to maturity (≥ 1), 12-month PD and whether the PD came from the loan's assessment; and the
    fund's insurance cover in force on ``as_of`` (None without one)."""

    fund_id: str
    county_code: str
    bank_code: str
    as_of: dt.date
    terms: PolicyTerms
    balance_fen: int
    pending_compensation_fen: int
    products: tuple[str, ...]
    performing_fen: np.ndarray
    overdue_fen: np.ndarray
    months_overdue: np.ndarray
    product_index: np.ndarray
    months_to_maturity: np.ndarray
    pd: np.ndarray
    model_pd: np.ndarray
    cover: CoverTerms | None = None  # the insurance cover (保证保险) in force on ``as_of``, if any
    # a first-loss cover's current policy year (None: the simulation starts a fresh policy year on ``as_of``)
    policy_year: PolicyYear | None = None

    @property
    def loans(self) -> int:
        return int(self.performing_fen.size)

    @property
    def loans_with_model_pd(self) -> int:
        return int(self.model_pd.sum())

    @property
    def covered_fen(self) -> int:
        return int(self.performing_fen.sum() + self.overdue_fen.sum())

    @property
    def multiple(self) -> float | None:
        """Covered principal ÷ fund balance (None for an empty fund)."""
        return self.covered_fen / self.balance_fen if self.balance_fen > 0 else None

    @property
    def province_code(self) -> str:
        return self.county_code[:2]


def months_between(first: dt.date, last: dt.date) -> int:
    """Whole months from ``first`` to ``last``, rounded up (0 when ``last`` is not after ``first``)."""
    days = (last - first).days
    return max(int(np.ceil(days / DAYS_PER_MONTH)), 0)


def _assessment_pd(entry: object) -> float | None:
    from credit_engine.assessment.audit_record import StoredAssessment

    stored = StoredAssessment.from_entry(entry)  # type: ignore[arg-type]
    value = None if stored is None else stored.result.get("pd")
    return float(value) if isinstance(value, int | float) and 0 < value < 1 else None


def book_of(  # noqa: PLR0913
    position,  # noqa: ANN001
    loans: list,
    pds: dict,
    scenario: StressScenario,
    cover: CoverTerms | None = None,
    policy_year: PolicyYear | None = None,
) -> LiveBook:
    """The live book of one fund position and its open loans (and its insurance cover and, for a first-loss cover,
    its current policy year); ``pds`` maps (fund id, loan id) to a model PD."""
    products = tuple(dict.fromkeys([p.code for p in position.products] + [loan.product for loan in loans]))
    index = {code: i for i, code in enumerate(products)}
    model = [pds.get((loan.fund_id, loan.loan_id)) for loan in loans]
    as_of = position.as_of
    return LiveBook(
        fund_id=position.fund_id,
        county_code=position.county_code,
        bank_code=position.bank_code,
        as_of=as_of,
        terms=position.terms,
        balance_fen=position.fund_balance_fen,
        pending_compensation_fen=position.compensation_pending_fen,
        products=products,
        performing_fen=np.array([loan.current_fen for loan in loans], dtype=np.int64),
        overdue_fen=np.array([loan.overdue_fen for loan in loans], dtype=np.int64),
        months_overdue=np.array(
            [(as_of - loan.overdue_since).days // 30 if loan.overdue_since else 0 for loan in loans], dtype=np.int64
        ),
        product_index=np.array([index[loan.product] for loan in loans], dtype=np.int64),
        months_to_maturity=np.array(
            [max(months_between(as_of, loan.maturity_date), 1) for loan in loans], dtype=np.int64
        ),
        pd=np.array(
            [
                m if m is not None else scenario.product(loan.product).default_pd
                for m, loan in zip(model, loans, strict=True)
            ],
            dtype=float,
        ),
        model_pd=np.array([m is not None for m in model], dtype=bool),
        cover=cover,
        policy_year=policy_year,
    )


def live_books(
    engine,  # noqa: ANN001 - a SQLAlchemy engine on the ledger's database
    as_of: dt.date,
    scenario: StressScenario,
    *,
    fund_id: str | None = None,
    county_code: str | None = None,
    known_at: dt.datetime | None = None,
) -> list[LiveBook]:
    """The books of every fund (or the one fund, or the county's funds) open on ``as_of``, as known at
    ``known_at``."""
    from credit_engine.audit.disbursements import approving_assessments
    from credit_engine.insurance.cover import cover_in_force
    from credit_engine.ledger.insurance_store import CoverStore
    from credit_engine.ledger.position import fund_positions
    from credit_engine.ledger.queries.book import open_loans
    from credit_engine.ledger.unit_of_work import UnitOfWork

    with UnitOfWork(engine, read_only=True) as uow:
        ids = [fund_id] if fund_id is not None else None
        positions = fund_positions(uow, as_of, known_at, ids, county_code)
        loans = open_loans(uow, [p.fund_id for p in positions], as_of, known_at)
        store = CoverStore(uow.connection)
        covers = store.by_fund([p.fund_id for p in positions]) if positions else {}
        in_force = {p.fund_id: cover_in_force(covers.get(p.fund_id, []), as_of, known_at) for p in positions}
        years = {
            f: _policy_year(store, c, as_of, known_at)
            for f, c in in_force.items()
            if c and c.terms.kind == "first_loss"
        }
    entries = approving_assessments(engine, [p.fund_id for p in positions])
    pds = {key: pd for key, entry in entries.items() if (pd := _assessment_pd(entry)) is not None}
    by_fund: dict[str, list] = {}
    for loan in loans:
        by_fund.setdefault(loan.fund_id, []).append(loan)
    return [
        book_of(
            p,
            by_fund.get(p.fund_id, []),
            pds,
            scenario,
            c.terms if (c := in_force[p.fund_id]) else None,
            years.get(p.fund_id),
        )
        for p in positions
    ]


def _policy_year(
    store,  # noqa: ANN001 - a CoverStore
    cover,  # noqa: ANN001 - an InsuranceCover
    as_of: dt.date,
    known_at: dt.datetime | None,
) -> PolicyYear:
    """The first-loss cover's policy year on ``as_of``, counted as the ledger's compensation counts it: the layer
    (an amount, or its share of the insured principal on the year's first day) and the insurer's parts of losses
    claimed since that day — both from postings known at ``known_at`` (None: everything recorded), as the rest of
    the book."""
    start = cover.year_start(as_of)
    insured = store.insured_fen_on(cover.fund_id, start, cover, known_at) if cover.terms.layer_bps else 0
    used = store.layer_used_fen(cover.fund_id, start, as_of, known_at)
    renewal = cover.year_start(start + dt.timedelta(days=366))  # the next policy year's first day
    return PolicyYear(max(months_between(as_of, renewal), 1), cover.terms.layer_of(insured), used)
