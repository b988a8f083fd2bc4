"""Loan events as services: disbursement, repayment, delinquency, cure, extension, compensation claim and payment,
the insurer's payment, recovery and write-off. Each takes a unit of work and a command and returns a :class:`Receipt`.

A disbursement is where the fund's limits bite: under the fund's lock it resolves the product against the ledger's
configured products (code, alias or Chinese name) and re-checks that product's limit, the suspension (policy or NPL
ratio as of today above the threshold) and the cap against the fund's current book. The other events build the
recorded facts (:class:`LoanEvent`) and let the loan's state machine refuse what does not fit; a compensation
payment pays what the fund holds and leaves the rest pending. A claim on a loan whose product the fund's insurance
cover takes passes through the loss waterfall: the insurer's part first (its share, or what is left of its
first-loss layer this policy year), then the fund's share of the rest.
"""

from __future__ import annotations

import datetime as dt

from credit_engine.errors import InvalidInput, RowError
from credit_engine.insurance.cover import cover_in_force
from credit_engine.ledger import commands as c
from credit_engine.ledger.commands import Receipt
from credit_engine.ledger.errors import FundWouldGoNegative, LoanStateError, UnknownLoan
from credit_engine.ledger.insurance_store import CoverStore
from credit_engine.ledger.journal import JournalEntry
from credit_engine.ledger.loan import Loan, LoanEvent, apply_event, open_loan
from credit_engine.ledger.product_store import catalog
from credit_engine.ledger.products import UnknownProduct, linkage_problem
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.ledger.writes import (
    Context,
    Outcome,
    cash_available,
    check_value_date,
    execute,
    invalid,
    policy_on,
    require_positive,
    require_pseudonym,
)


def _facts(event: LoanEvent) -> dict[str, object]:
    return {name: getattr(event, name) for name in LoanEvent.__dataclass_fields__}


def _loan_details(loan: Loan, event: LoanEvent) -> dict[str, object]:
    return {
        "loan_id": loan.loan_id,
        "state": loan.state_on(event.value_date).value,
        "outstanding_fen": loan.outstanding_fen,
        "amount_fen": event.amount_fen,
    }


def _existing(ctx: Context, loan_id: str) -> tuple[Loan, int]:
    found = ctx.uow.loans.get(ctx.book.fund_id, loan_id)
    if found is None:
        raise UnknownLoan(ctx.book.fund_id, loan_id)
    return found


def _on_loan(ctx: Context, loan_id: str, event: LoanEvent) -> Outcome:
    """Apply ``event`` to the cached loan: the state machine decides, the entry records its postings."""
    check_value_date(ctx, event.value_date)
    loan, version = _existing(ctx, loan_id)
    new, postings = apply_event(loan, event)
    entry = JournalEntry(ctx.book.fund_id, event.event_type, event.value_date, postings, loan_id, _facts(event))
    return Outcome(entry, _loan_details(new, event), new, version)


def _disburse(ctx: Context, command: c.Disburse) -> Outcome:
    check_value_date(ctx, command.value_date)
    terms = policy_on(ctx, command.value_date).terms
    on_file = ctx.loan_on_file  # read with the lock; a concurrent twin is stopped by the loan's primary key
    if on_file is None:
        on_file = ctx.uow.loans.get(ctx.book.fund_id, command.loan_id) is not None
    if on_file:
        raise LoanStateError(f"loan {command.loan_id} was already disbursed", f"贷款 {command.loan_id} 已放款")
    try:
        product = catalog(ctx.uow.connection).parse(command.product)
    except UnknownProduct as error:
        raise invalid("product", "product", f"one of / 可选: {error.known}", command.product) from None
    linkage = linkage_problem(product, command.households_driven)
    if linkage is not None:
        raise invalid("households_driven", *linkage, command.households_driven)
    npl_fen = ctx.uow.journal.npl_principal_fen(ctx.book.fund_id, ctx.today) if ctx.book.npl_could_suspend(terms) else 0
    ctx.book.check_disbursement(terms, product, command.amount_fen, npl_fen)
    event = LoanEvent(
        event_type="disbursement",
        value_date=command.value_date,
        amount_fen=command.amount_fen,
        maturity_date=command.maturity_date,
        product=product.code,
        borrower_ref=command.borrower_ref.strip(),
        households_driven=command.households_driven,
    )
    loan, postings = open_loan(ctx.book.fund_id, command.loan_id, event)
    entry = JournalEntry(ctx.book.fund_id, "disbursement", event.value_date, postings, loan.loan_id, _facts(event))
    headroom = ctx.book.after(entry).headroom_fen(terms)
    return Outcome(entry, _loan_details(loan, event) | {"headroom_fen": headroom}, loan, None)


def disburse(uow: UnitOfWork, command: c.Disburse) -> Receipt:
    """Lend a covered loan of a configured product (富民贷, 强农贷, …; an unknown product is ``InvalidInput``);
    refused beyond the cap, while suspended or above the product's limit."""
    if not command.loan_id.strip():
        raise InvalidInput([RowError(None, "loan_id", "required", "loan id is required / 贷款编号必填")])
    if not command.product.strip():
        raise invalid("product", "required", "product is required / 贷款产品必填")
    require_positive("amount_fen", command.amount_fen)
    require_pseudonym(command.borrower_ref)
    if command.maturity_date <= command.value_date:
        raise invalid("maturity_date", "after_value_date", "maturity must follow disbursement / 到期日须晚于放款日")
    return execute(uow, command, _disburse)  # type: ignore[arg-type]


def _event_of(command: c.LoanCommand, **facts: object) -> LoanEvent:
    """The loan event a command stands for: its event type and value date, and ``facts``."""
    return LoanEvent(event_type=command.event_type, value_date=command.value_date, **facts)  # type: ignore[arg-type]


def _post(uow: UnitOfWork, command: c.LoanCommand, **facts: object) -> Receipt:
    """Post the command's loan event (:func:`_event_of`) to its loan."""
    event = _event_of(command, **facts)
    return execute(uow, command, lambda ctx, cmd: _on_loan(ctx, cmd.loan_id, event))


def repay(uow: UnitOfWork, command: c.Repay) -> Receipt:
    """Principal repaid by the borrower; the loan is repaid once nothing is outstanding."""
    amount = require_positive("amount_fen", command.amount_fen)
    return _post(uow, command, amount_fen=amount)


def report_delinquency(uow: UnitOfWork, command: c.ReportDelinquency) -> Receipt:
    """The bank reports the loan ``days_past_due`` days overdue on the value date."""
    if not isinstance(command.days_past_due, int) or command.days_past_due < 1:
        raise invalid("days_past_due", "positive_days", "at least 1 day / 至少 1 天", command.days_past_due)
    return _post(uow, command, days_past_due=command.days_past_due)


def cure(uow: UnitOfWork, command: c.Cure) -> Receipt:
    """An overdue loan is current again (arrears paid)."""
    return _post(uow, command)


def extend(uow: UnitOfWork, command: c.Extend) -> Receipt:
    """展期: a new maturity date; an overdue (not yet non-performing) loan becomes current."""
    return _post(uow, command, maturity_date=command.maturity_date)


def _insurer_part(ctx: Context, loan: Loan, on: dt.date, fund_share_bps: int) -> tuple[int, str | None]:
    """The insurer's part of the loan's loss under the cover in force on ``on`` (0 without one), and the insurer."""
    store = CoverStore(ctx.uow.connection)
    cover = cover_in_force(store.versions(ctx.book.fund_id), on)
    if cover is None or not cover.terms.covers(loan.product):
        return 0, None
    if cover.terms.kind != "first_loss":
        return cover.insurer_part(loan.overdue_fen, fund_share_bps, 0), cover.terms.insurer
    start = cover.year_start(on)
    used = store.layer_used_fen(ctx.book.fund_id, start, on)
    insured = store.insured_fen_on(ctx.book.fund_id, start, cover) if cover.terms.layer_bps else 0
    return cover.insurer_part(loan.overdue_fen, fund_share_bps, used, insured), cover.terms.insurer


def _claim(ctx: Context, command: c.ClaimCompensation) -> Outcome:
    terms = policy_on(ctx, command.value_date).terms
    loan, _ = _existing(ctx, command.loan_id)
    refusal = loan.claimable(command.value_date, terms.trigger_days)
    if refusal is not None:
        raise refusal
    insurer, name = _insurer_part(ctx, loan, command.value_date, terms.fund_share_bps)
    event = _event_of(command, share_bps=terms.fund_share_bps, insurer_fen=insurer or None)
    outcome = _on_loan(ctx, command.loan_id, event)
    new = outcome.loan
    assert new is not None
    deadline = command.value_date.toordinal() + terms.payment_deadline_days
    details = {"claimed_fen": new.claimed_fen, "principal_fen": new.compensated_fen}
    details["pay_by"] = type(command.value_date).fromordinal(deadline).isoformat()
    if name is not None:  # the waterfall's parts: insurer, fund, bank
        bank = new.compensated_fen - new.insurer_fen - new.claimed_fen
        details |= {"insurer": name, "insurer_fen": new.insurer_fen, "fund_fen": new.claimed_fen, "bank_fen": bank}
    return Outcome(outcome.entry, outcome.details | details, new, outcome.loan_version)


def claim_compensation(uow: UnitOfWork, command: c.ClaimCompensation) -> Receipt:
    """代偿申请: the bank claims the fund's share of a loan at least ``trigger_days`` past due."""
    return execute(uow, command, _claim)  # type: ignore[arg-type]


def _pay(ctx: Context, command: c.PayCompensation) -> Outcome:
    loan, _ = _existing(ctx, command.loan_id)
    requested = loan.pending_fen if command.amount_fen is None else command.amount_fen
    loan.pay(command.value_date, requested)  # refuses a wrong state or more than is pending
    paid = min(requested, cash_available(ctx, command.value_date))
    if paid <= 0:
        raise FundWouldGoNegative(ctx.book.fund_id, requested, 0)
    outcome = _on_loan(ctx, command.loan_id, _event_of(command, amount_fen=paid))
    assert outcome.loan is not None
    details = {"requested_fen": requested, "paid_fen": paid, "pending_fen": outcome.loan.pending_fen}
    return Outcome(outcome.entry, outcome.details | details, outcome.loan, outcome.loan_version)


def pay_compensation(uow: UnitOfWork, command: c.PayCompensation) -> Receipt:
    """代偿支付: the fund pays its pending share — as much as it holds; the rest stays pending, never overdrawn."""
    if command.amount_fen is not None:
        require_positive("amount_fen", command.amount_fen)
    return execute(uow, command, _pay)  # type: ignore[arg-type]


def _insurer_pays(ctx: Context, command: c.RecordInsurerPayment) -> Outcome:
    loan, _ = _existing(ctx, command.loan_id)
    requested = loan.insurer_pending_fen if command.amount_fen is None else command.amount_fen
    outcome = _on_loan(ctx, command.loan_id, _event_of(command, amount_fen=requested))
    assert outcome.loan is not None
    details = {"paid_fen": requested, "insurer_pending_fen": outcome.loan.insurer_pending_fen}
    return Outcome(outcome.entry, outcome.details | details, outcome.loan, outcome.loan_version)


def record_insurer_payment(uow: UnitOfWork, command: c.RecordInsurerPayment) -> Receipt:
    """保险理赔: the insurer pays its part of a compensated loan's loss (all of it unless the amount says less)."""
    if command.amount_fen is not None:
        require_positive("amount_fen", command.amount_fen)
    return execute(uow, command, _insurer_pays)  # type: ignore[arg-type]


def recover(uow: UnitOfWork, command: c.Recover) -> Receipt:
    """追偿: principal recovered after compensation; shared as the loss was borne (insurer pro rata, then fund:bank
    at the fund's share, :func:`credit_engine.insurance.waterfall.split_recovery`)."""
    amount = require_positive("amount_fen", command.amount_fen)
    return _post(uow, command, amount_fen=amount)


def write_off(uow: UnitOfWork, command: c.WriteOff) -> Receipt:
    """核销: the remaining principal of a compensated loan is written off."""

    def step(ctx: Context, cmd: c.WriteOff) -> Outcome:
        loan, _ = _existing(ctx, cmd.loan_id)
        return _on_loan(ctx, cmd.loan_id, _event_of(cmd, amount_fen=loan.compensated_fen))

    return execute(uow, command, step)  # type: ignore[arg-type]
