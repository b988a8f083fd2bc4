"""A covered loan's lifecycle as a pure state machine: each event gives the next loan and the postings it makes.

States: ``active`` → ``overdue`` → ``non_performing`` (90+ days past due, derived from ``overdue_since`` and the
date asked about) → ``compensated`` → ``recovered`` / ``written_off``; or ``repaid``; ``cancelled`` once its
disbursement is reversed. An event that does not fit is refused with :class:`LoanStateError`; events of one loan
must come in value-date order (reverse later events first to insert an earlier one). The same functions serve the
write path, the audit (:func:`replay` of the recorded events) and reversals (replay without the reversed event).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from credit_engine.insurance.waterfall import BPS, recovery_one, split_one
from credit_engine.ledger import accounts
from credit_engine.ledger.errors import LoanStateError
from credit_engine.ledger.journal import Posting


class LoanState(StrEnum):
    ACTIVE = "active"
    OVERDUE = "overdue"
    NON_PERFORMING = "non_performing"
    COMPENSATED = "compensated"
    RECOVERED = "recovered"
    WRITTEN_OFF = "written_off"
    REPAID = "repaid"
    CANCELLED = "cancelled"


STATE_ZH = {
    "active": "正常",
    "overdue": "逾期",
    "non_performing": "不良",
    "compensated": "已代偿",
    "recovered": "已追回",
    "written_off": "已核销",
    "repaid": "已结清",
    "cancelled": "已冲正",
}
NPL_DAYS = 90


@dataclass(frozen=True, slots=True, kw_only=True)
class LoanEvent:
    """The facts of one recorded loan event (a transaction row): enough to replay the loan."""

    event_type: str
    value_date: dt.date
    amount_fen: int | None = None
    days_past_due: int | None = None
    maturity_date: dt.date | None = None
    product: str | None = None
    borrower_ref: str | None = None
    share_bps: int | None = None
    insurer_fen: int | None = None
    households_driven: int | None = None  # a 强农贷 disbursement: the registered poor households it drives


Step = tuple["Loan", tuple[Posting, ...]]


@dataclass(frozen=True, slots=True, kw_only=True)
class LoanFacts:
    """What a disbursement fixes about a loan: fund, loan, product, borrower, dates (an extension moves the
    maturity date). A :class:`Loan` and a :class:`.history.LoanPeriod` both start with them."""

    fund_id: str
    loan_id: str
    product: str
    borrower_ref: str
    disbursed_on: dt.date
    maturity_date: dt.date

    def facts(self) -> dict[str, object]:
        """The facts alone, by name (to build another record of the same loan)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(LoanFacts)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Loan(LoanFacts):
    principal_fen: int
    state: LoanState = LoanState.ACTIVE
    current_fen: int = 0
    overdue_fen: int = 0
    overdue_since: dt.date | None = None
    compensated_fen: int = 0
    recovered_fen: int = 0
    written_off_fen: int = 0
    claimed_fen: int = 0
    paid_fen: int = 0
    share_bps: int | None = None
    last_value_date: dt.date
    insurer_fen: int = 0
    insurer_paid_fen: int = 0
    households_driven: int | None = None  # 带贫户数: set by a 强农贷 disbursement, None for 富民贷

    @property
    def outstanding_fen(self) -> int:
        return self.current_fen + self.overdue_fen

    @property
    def pending_fen(self) -> int:
        """Compensation claimed from the fund and not yet paid."""
        return self.claimed_fen - self.paid_fen

    @property
    def insurer_pending_fen(self) -> int:
        """The insurer's part of the loss not yet paid by the insurer."""
        return self.insurer_fen - self.insurer_paid_fen

    def days_past_due(self, on: dt.date) -> int:
        return (on - self.overdue_since).days if self.overdue_since is not None else 0

    def state_on(self, on: dt.date) -> LoanState:
        """The state on a date: an overdue loan is non-performing from 90 days past due."""
        if self.state is LoanState.OVERDUE and self.days_past_due(on) >= NPL_DAYS:
            return LoanState.NON_PERFORMING
        return self.state

    def _refuse(self, event: str, on: dt.date, why_en: str, why_zh: str) -> LoanStateError:
        state = self.state_on(on).value
        return LoanStateError(
            f"{event} refused for loan {self.loan_id} ({state}): {why_en}",
            f"贷款 {self.loan_id}（{STATE_ZH[state]}）不能{event}：{why_zh}",
            loan_id=self.loan_id,
            state=state,
        )

    def _check(self, event: str, on: dt.date, allowed: tuple[LoanState, ...]) -> None:
        if on < self.last_value_date:
            why = (
                f"value date before its last event of {self.last_value_date}",
                f"起息日早于最近事件日 {self.last_value_date}",
            )
            raise self._refuse(event, on, *why)
        if self.state not in allowed:
            names = "/".join(s.value for s in allowed)
            raise self._refuse(event, on, f"needs state {names}", f"需处于 {'/'.join(STATE_ZH[s] for s in allowed)}")

    def _amount(self, event: str, on: dt.date, amount_fen: int | None, most_fen: int) -> int:
        if amount_fen is None or amount_fen <= 0 or amount_fen > most_fen:
            why = f"amount {amount_fen} fen not in 1..{most_fen}", f"金额 {amount_fen} 分不在 1..{most_fen} 分之内"
            raise self._refuse(event, on, *why)
        return amount_fen

    def repay(self, on: dt.date, amount_fen: int) -> Step:
        self._check("repayment", on, (LoanState.ACTIVE, LoanState.OVERDUE))
        amount = self._amount("repayment", on, amount_fen, self.outstanding_fen)
        postings = accounts.repayment(self.product, amount, self.overdue_since)
        current, overdue = (
            (self.current_fen - amount, 0) if self.overdue_since is None else (0, self.overdue_fen - amount)
        )
        if current + overdue == 0:
            return replace(
                self, state=LoanState.REPAID, current_fen=0, overdue_fen=0, overdue_since=None, last_value_date=on
            ), postings
        return replace(self, current_fen=current, overdue_fen=overdue, last_value_date=on), postings

    def report_delinquency(self, on: dt.date, days_past_due: int) -> Step:
        self._check("delinquency", on, (LoanState.ACTIVE, LoanState.OVERDUE))
        since = on - dt.timedelta(days=days_past_due)
        if days_past_due < 1 or since < self.disbursed_on:
            raise self._refuse(
                "delinquency", on, f"{days_past_due} days past due is impossible", f"逾期 {days_past_due} 天不成立"
            )
        outstanding = self.outstanding_fen
        postings = accounts.to_overdue(self.product, outstanding, since, self.overdue_since)
        loan = replace(
            self,
            state=LoanState.OVERDUE,
            current_fen=0,
            overdue_fen=outstanding,
            overdue_since=since,
            last_value_date=on,
        )
        return loan, postings

    def cure(self, on: dt.date) -> Step:
        self._check("cure", on, (LoanState.OVERDUE,))
        return self._current_again(on, self.maturity_date)

    def _current_again(self, on: dt.date, maturity: dt.date) -> Step:
        postings = ()
        if self.overdue_since is not None:
            postings = accounts.to_current(self.product, self.overdue_fen, self.overdue_since)
        loan = replace(
            self,
            state=LoanState.ACTIVE,
            current_fen=self.outstanding_fen,
            overdue_fen=0,
            overdue_since=None,
            maturity_date=maturity,
            last_value_date=on,
        )
        return loan, postings

    def extend(self, on: dt.date, maturity: dt.date) -> Step:
        self._check("extension", on, (LoanState.ACTIVE, LoanState.OVERDUE))
        if self.state_on(on) is LoanState.NON_PERFORMING:
            raise self._refuse("extension", on, "a non-performing loan cannot be extended", "不良贷款不能展期")
        if maturity <= max(self.maturity_date, on):
            raise self._refuse(
                "extension",
                on,
                f"new maturity {maturity} is not after {self.maturity_date}",
                f"新到期日 {maturity} 不晚于原到期日 {self.maturity_date}",
            )
        return self._current_again(on, maturity)

    def claimable(self, on: dt.date, trigger_days: int) -> LoanStateError | None:
        """Why a compensation claim on ``on`` is refused, or None when the loan qualifies."""
        if self.state is LoanState.OVERDUE and self.days_past_due(on) >= trigger_days:
            return None
        return self._refuse(
            "compensation_claim",
            on,
            f"principal is not {trigger_days} days past due",
            f"本金逾期未满 {trigger_days} 天",
        )

    def claim(self, on: dt.date, share_bps: int, insurer_fen: int = 0) -> Step:
        """The loss waterfall: the insurer's part (decided by its cover, at most the loss) first, then the fund's
        share of the rest; the bank bears what is left."""
        self._check("compensation_claim", on, (LoanState.OVERDUE,))
        assert self.overdue_since is not None
        insurer, share, _ = split_one(self.overdue_fen, share_bps, BPS, insurer_fen)
        postings = accounts.compensation_claim(self.product, self.overdue_fen, self.overdue_since, share, insurer)
        loan = replace(
            self,
            state=LoanState.COMPENSATED,
            compensated_fen=self.overdue_fen,
            overdue_fen=0,
            claimed_fen=share,
            share_bps=share_bps,
            insurer_fen=insurer,
            last_value_date=on,
        )
        return loan, postings

    def pay(self, on: dt.date, amount_fen: int) -> Step:
        done = (LoanState.COMPENSATED, LoanState.RECOVERED, LoanState.WRITTEN_OFF)
        self._check("compensation_payment", on, done)
        amount = self._amount("compensation_payment", on, amount_fen, self.pending_fen)
        postings = accounts.compensation_payment(self.product, amount)
        return replace(self, paid_fen=self.paid_fen + amount, last_value_date=on), postings

    def recover(self, on: dt.date, amount_fen: int) -> Step:
        self._check("recovery", on, (LoanState.COMPENSATED,))
        amount = self._amount("recovery", on, amount_fen, self.compensated_fen)
        loss = self.compensated_fen + self.recovered_fen
        insurer, fund, _ = recovery_one(amount, loss, self.insurer_fen, self.share_bps or 0)
        postings = accounts.recovery(self.product, amount, fund, insurer)
        left = self.compensated_fen - amount
        state = LoanState.RECOVERED if left == 0 else LoanState.COMPENSATED
        loan = replace(
            self, state=state, compensated_fen=left, recovered_fen=self.recovered_fen + amount, last_value_date=on
        )
        return loan, postings

    def insurer_pay(self, on: dt.date, amount_fen: int) -> Step:
        """The insurer pays (part of) its share of the loss."""
        done = (LoanState.COMPENSATED, LoanState.RECOVERED, LoanState.WRITTEN_OFF)
        self._check("insurer_payment", on, done)
        amount = self._amount("insurer_payment", on, amount_fen, self.insurer_pending_fen)
        postings = accounts.insurer_payment(self.product, amount)
        return replace(self, insurer_paid_fen=self.insurer_paid_fen + amount, last_value_date=on), postings

    def write_off(self, on: dt.date) -> Step:
        self._check("write_off", on, (LoanState.COMPENSATED,))
        postings = accounts.write_off(self.product, self.compensated_fen)
        loan = replace(
            self,
            state=LoanState.WRITTEN_OFF,
            compensated_fen=0,
            written_off_fen=self.written_off_fen + self.compensated_fen,
            last_value_date=on,
        )
        return loan, postings


def open_loan(fund_id: str, loan_id: str, event: LoanEvent) -> Step:
    """A disbursement: a new active loan and its postings."""
    assert event.product and event.borrower_ref is not None and event.maturity_date and event.amount_fen
    loan = Loan(
        fund_id=fund_id,
        loan_id=loan_id,
        product=event.product,
        borrower_ref=event.borrower_ref,
        disbursed_on=event.value_date,
        maturity_date=event.maturity_date,
        principal_fen=event.amount_fen,
        current_fen=event.amount_fen,
        last_value_date=event.value_date,
        households_driven=event.households_driven,
    )
    return loan, accounts.disbursement(event.product, event.amount_fen)


def apply_event(loan: Loan, event: LoanEvent) -> Step:
    """Dispatch a recorded (non-disbursement) event to the loan's transition."""
    on, kind = event.value_date, event.event_type
    if kind == "repayment":
        return loan.repay(on, event.amount_fen or 0)
    if kind == "delinquency":
        return loan.report_delinquency(on, event.days_past_due or 0)
    if kind == "cure":
        return loan.cure(on)
    if kind == "extension":
        assert event.maturity_date is not None
        return loan.extend(on, event.maturity_date)
    if kind == "compensation_claim":
        return loan.claim(on, event.share_bps or 0, event.insurer_fen or 0)
    if kind == "insurer_payment":
        return loan.insurer_pay(on, event.amount_fen or 0)
    if kind == "compensation_payment":
        return loan.pay(on, event.amount_fen or 0)
    if kind == "recovery":
        return loan.recover(on, event.amount_fen or 0)
    if kind == "write_off":
        return loan.write_off(on)
    raise ValueError(f"not a loan event: {kind}")


def replay(fund_id: str, loan_id: str, events: list[LoanEvent]) -> tuple[Loan | None, list[tuple[Posting, ...]]]:
    """Fold a loan's events (disbursement first) into its state; also returns each event's postings."""
    if not events:
        return None, []
    loan, first = open_loan(fund_id, loan_id, events[0])
    made = [first]
    for event in events[1:]:
        loan, postings = apply_event(loan, event)
        made.append(postings)
    return loan, made
