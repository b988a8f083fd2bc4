"""Interest subsidy due (贴息) for a period, per loan and per fund, as known at a recording time.

Subsidy = principal × subsidised rate × days / 360 over the days a loan was current; it stops the day the unpaid
amount fell due (the ledger's ``overdue_since``) even when the bank reported the delinquency later, and never runs
on compensated or closed loans (:func:`credit_engine.ledger.history.loan_periods`). The rate is the fund's
``subsidy_rate_bps`` in force on each day, as known at the recording time, so a policy change inside the period
splits the days. Each loan's subsidy is rounded half up to the fen once; a fund's is the sum of its loans'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from credit_engine.ledger.domain import FundPolicy, policy_in_force
from credit_engine.ledger.history import LoanPeriod, Segment, loan_periods
from credit_engine.ledger.money import BPS, interest_fen
from credit_engine.ledger.position import FundPosition
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.reports.leverage import county_name
from credit_engine.reports.products import SUBSIDY_KEY, per_product

DAY_COUNT = 360
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SubsidyLoanLine:
    fund_id: str
    loan_id: str
    product: str
    borrower_ref: str
    current_days: int
    overdue_days: int
    principal_days_fen: int
    subsidy_fen: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SubsidyLine:
    """One fund's subsidy due for ``period_from``..``period_to`` (both days included)."""

    fund_id: str
    county_code: str
    county_name: str
    bank: str
    period_from: str
    period_to: str
    subsidy_rate: float
    loans: int
    current_loan_days: int
    overdue_loan_days: int
    subsidy_by_product_fen: dict[str, int]  # JSON: ``subsidy_<code>_fen`` per product
    subsidy_fen: int

    def as_dict(self) -> dict[str, object]:
        return per_product(asdict(self), "subsidy_by_product_fen", SUBSIDY_KEY)


def _rated_principal_days(segment: Segment, versions: list[FundPolicy], known_at: dt.datetime | None) -> int:
    """Σ principal × days × rate (bps) over the segment, the rate taken day by day from the policy in force."""
    cuts = sorted(
        {segment.first_day, segment.last_day + ONE_DAY}
        | {v.effective_from for v in versions if segment.first_day < v.effective_from <= segment.last_day}
    )
    total = 0
    for start, stop in zip(cuts, cuts[1:], strict=False):
        policy = policy_in_force(versions, start, known_at)
        rate = policy.terms.subsidy_rate_bps if policy else 0
        total += segment.principal_fen * (stop - start).days * rate
    return total


def loan_line(period: LoanPeriod, versions: list[FundPolicy], known_at: dt.datetime | None) -> SubsidyLoanLine:
    current = [s for s in period.segments if s.current]
    rated = sum(_rated_principal_days(s, versions, known_at) for s in current)
    return SubsidyLoanLine(
        fund_id=period.fund_id,
        loan_id=period.loan_id,
        product=period.product,
        borrower_ref=period.borrower_ref,
        current_days=period.current_days,
        overdue_days=sum(s.days for s in period.segments if not s.current),
        principal_days_fen=period.current_principal_days,
        subsidy_fen=interest_fen(rated, DAY_COUNT),
    )


def _by_product(position: FundPosition, lines: list[SubsidyLoanLine]) -> dict[str, int]:
    """The fund's subsidy per product (every product of the ledger, in display order)."""
    total = dict.fromkeys((p.code for p in position.products), 0)
    for line in lines:
        total[line.product] = total.get(line.product, 0) + line.subsidy_fen
    return total


def subsidy_lines(
    uow: UnitOfWork,
    positions: list[FundPosition],
    first_day: dt.date,
    last_day: dt.date,
    known_at: dt.datetime | None,
) -> tuple[list[SubsidyLine], list[SubsidyLoanLine]]:
    """Per fund (every fund of ``positions``, even with nothing due) and per loan with days in the period."""
    ids = [p.fund_id for p in positions]
    versions = {fund_id: uow.funds.policies(fund_id) for fund_id in ids}
    loans = [
        loan_line(period, versions[period.fund_id], known_at)
        for period in loan_periods(uow, first_day, last_day, known_at, ids)
    ]
    by_fund: dict[str, list[SubsidyLoanLine]] = {}
    for line in loans:
        by_fund.setdefault(line.fund_id, []).append(line)
    funds = []
    for position in positions:
        mine = by_fund.get(position.fund_id, [])
        in_force = policy_in_force(versions[position.fund_id], last_day, known_at)
        rate = in_force.terms.subsidy_rate_bps / BPS if in_force else 0.0
        funds.append(
            SubsidyLine(
                fund_id=position.fund_id,
                county_code=position.county_code,
                county_name=county_name(position.county_code),
                bank=position.bank_code,
                period_from=first_day.isoformat(),
                period_to=last_day.isoformat(),
                subsidy_rate=rate,
                loans=sum(1 for line in mine if line.current_days),
                current_loan_days=sum(line.current_days for line in mine),
                overdue_loan_days=sum(line.overdue_days for line in mine),
                subsidy_by_product_fen=_by_product(position, mine),
                subsidy_fen=sum(line.subsidy_fen for line in mine),
            )
        )
    return funds, loans
