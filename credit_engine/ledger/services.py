"""The ledger's service layer: one function per event, each ``(uow, command) -> Receipt``.

Fund events live here — :func:`create_fund`, :func:`set_policy`, :func:`contribute`, :func:`claw_back`,
:func:`record_fund_interest`, :func:`reverse` — and the loan events are re-exported from :mod:`.loan_services`
(:func:`disburse`, :func:`repay`, :func:`report_delinquency`, :func:`cure`, :func:`extend`,
:func:`claim_compensation`, :func:`pay_compensation`, :func:`recover`, :func:`write_off`,
:func:`record_insurer_payment`) and the insurance events from :mod:`.insurance_services`
(:func:`set_insurance_cover`, :func:`pay_insurance_premium`). Every write runs through
:func:`credit_engine.ledger.writes.execute` (fund lock, idempotency, recording time, commit).
"""

from __future__ import annotations

import re
from dataclasses import replace

from credit_engine.errors import InvalidInput
from credit_engine.ledger import accounts
from credit_engine.ledger import commands as c
from credit_engine.ledger.commands import Receipt
from credit_engine.ledger.domain import Fund, FundBook, FundPolicy
from credit_engine.ledger.errors import FundAlreadyExists, ReversalRefused, UnknownEvent
from credit_engine.ledger.insurance_services import pay_insurance_premium, set_insurance_cover
from credit_engine.ledger.journal import JournalEntry
from credit_engine.ledger.loan import LoanState, replay
from credit_engine.ledger.loan_services import (
    claim_compensation,
    cure,
    disburse,
    extend,
    pay_compensation,
    record_insurer_payment,
    recover,
    repay,
    report_delinquency,
    write_off,
)
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.ledger.writes import Context, Outcome, check_value_date, execute, invalid, pay_out_check

__all__ = [
    "claim_compensation",
    "claw_back",
    "contribute",
    "create_fund",
    "cure",
    "disburse",
    "extend",
    "pay_compensation",
    "pay_insurance_premium",
    "record_fund_interest",
    "record_insurer_payment",
    "recover",
    "repay",
    "report_delinquency",
    "reverse",
    "set_insurance_cover",
    "set_policy",
    "write_off",
]

_COUNTY = re.compile(r"^\d{6}$")


def _create(ctx: Context, command: c.CreateFund) -> Outcome:
    if ctx.uow.funds.get(command.fund_id) is not None:
        raise FundAlreadyExists(command.fund_id)
    check_value_date(ctx, command.value_date)
    fund = Fund(command.fund_id, command.county_code, command.bank_code, command.value_date, ctx.recorded_at)
    ctx.uow.funds.add(fund, command.recorded_by)
    policy = FundPolicy(command.fund_id, command.value_date, ctx.recorded_at, command.terms)
    ctx.uow.funds.add_policy(policy, command.idempotency_key, command.recorded_by)
    book = FundBook(command.fund_id, command.value_date).with_new_policy()
    details = {"county_code": command.county_code, "bank_code": command.bank_code, "amount_fen": command.amount_fen}
    if command.amount_fen == 0:
        return Outcome(None, details, book=book)
    postings = accounts.contribution(command.amount_fen)
    entry = JournalEntry(
        command.fund_id, "contribution", command.value_date, postings, None, {"amount_fen": command.amount_fen}
    )
    return Outcome(entry, details, book=book)


def create_fund(uow: UnitOfWork, command: c.CreateFund) -> Receipt:
    """Open a county's fund at a partner bank with its first policy; the money arrives as a contribution."""
    errors = command.terms.errors()
    if not command.fund_id.strip() or len(command.fund_id) > 64:
        errors.append(invalid("fund_id", "fund_id", "1–64 characters / 1–64 个字符", command.fund_id).errors[0])
    if not _COUNTY.match(command.county_code):
        errors.append(invalid("county_code", "county_code", "6 digits / 6 位数字", command.county_code).errors[0])
    if not command.bank_code.strip():
        errors.append(invalid("bank_code", "required", "bank code is required / 合作银行必填").errors[0])
    if not isinstance(command.amount_fen, int) or command.amount_fen < 0:
        errors.append(
            invalid("amount_fen", "non_negative_fen", "0 or more fen / 不小于 0", command.amount_fen).errors[0]
        )
    if errors:
        raise InvalidInput(errors)
    return execute(uow, command, _create, lock=False)  # type: ignore[arg-type]


def _set_policy(ctx: Context, command: c.SetPolicy) -> Outcome:
    if command.effective_from < ctx.book.opened_on:
        raise invalid("effective_from", "after_opening", "not before the fund opened / 不得早于设立日")
    policy = FundPolicy(command.fund_id, command.effective_from, ctx.recorded_at, command.terms)
    ctx.uow.funds.add_policy(policy, command.idempotency_key, command.recorded_by)
    details = {"effective_from": command.effective_from.isoformat()} | command.terms.as_dict()
    return Outcome(None, details, book=ctx.book.with_new_policy())


def set_policy(uow: UnitOfWork, command: c.SetPolicy) -> Receipt:
    """A new version of the fund's terms from ``effective_from`` on; reports before that date keep the old one."""
    errors = command.terms.errors()
    if errors:
        raise InvalidInput(errors)
    return execute(uow, command, _set_policy)  # type: ignore[arg-type]


def _fund_event(command: c.Contribute | c.ClawBack | c.RecordFundInterest, recipe, pays_out: bool):
    def handle(ctx: Context, cmd: c.Contribute) -> Outcome:
        check_value_date(ctx, cmd.value_date)
        if pays_out:
            pay_out_check(ctx, cmd.value_date, cmd.amount_fen)
        facts = {"amount_fen": cmd.amount_fen}
        entry = JournalEntry(cmd.fund_id, cmd.event_type, cmd.value_date, recipe(cmd.amount_fen), None, facts)
        return Outcome(entry, {"amount_fen": cmd.amount_fen})

    if not isinstance(command.amount_fen, int) or command.amount_fen <= 0:
        raise invalid("amount_fen", "positive_fen", "must be a positive whole number of fen / 须为正整数（分）")
    return handle


def contribute(uow: UnitOfWork, command: c.Contribute) -> Receipt:
    """注入/补充: money paid into the fund."""
    return execute(uow, command, _fund_event(command, accounts.contribution, False))


def claw_back(uow: UnitOfWork, command: c.ClawBack) -> Receipt:
    """收回/核减: money taken back out of the fund; refused if the fund would go negative on any date."""
    return execute(uow, command, _fund_event(command, accounts.clawback, True))


def record_fund_interest(uow: UnitOfWork, command: c.RecordFundInterest) -> Receipt:
    """Interest earned on the fund's special account (it stays in the fund)."""
    return execute(uow, command, _fund_event(command, accounts.fund_interest, False))


def _reverse(ctx: Context, command: c.Reverse) -> Outcome:
    prior = ctx.uow.commands.get(command.fund_id, command.reverses_key)
    if prior is None:
        raise UnknownEvent(command.fund_id, command.reverses_key)
    original = ctx.uow.journal.get(prior.transaction_id) if prior.transaction_id is not None else None
    refuse = _reversal_refusal(ctx, command, original)
    if refuse:
        raise ReversalRefused(*refuse)
    postings = tuple(p.negated() for p in ctx.uow.journal.postings(original.id))
    cash = sum(p.amount_fen for p in postings if p.account == accounts.FUND_CASH)
    if cash < 0:
        pay_out_check(ctx, original.value_date, -cash)
    facts = {"amount_fen": original.amount_fen}
    entry = JournalEntry(command.fund_id, "reversal", original.value_date, postings, original.loan_id, facts)
    details = {"reverses": command.reverses_key, "reversed_event_type": original.event_type}
    if original.loan_id is None:
        return Outcome(entry, details, reverses_id=original.id)
    loan, version = _loan_without(ctx, original)
    return Outcome(entry, details | {"loan_id": loan.loan_id, "state": loan.state.value}, loan, version, original.id)


def _reversal_refusal(ctx: Context, command: c.Reverse, original) -> tuple[str, str] | None:
    if original is None:
        return "nothing was posted under that key", "该事件没有记账分录"
    if original.event_type == "reversal":
        return "a reversal cannot be reversed", "冲正分录不能再冲正"
    if ctx.uow.journal.reversal_of(original.id) is not None:
        return f"event {command.reverses_key} is already reversed", f"事件 {command.reverses_key} 已冲正"
    if command.value_date is not None and command.value_date != original.value_date:
        return (
            f"a reversal takes the value date of the event it reverses ({original.value_date})",
            f"冲正须与原事件同一起息日（{original.value_date}）",
        )
    return None


def _loan_without(ctx: Context, original):
    """The loan replayed without ``original``, which must be its latest standing event."""
    found = ctx.uow.loans.get(ctx.book.fund_id, original.loan_id)
    assert found is not None
    current, version = found
    history = ctx.uow.loans.events(ctx.book.fund_id, original.loan_id)
    reversed_ids = {rev for _, rev, _ in history if rev is not None}
    standing = [(tid, e) for tid, rev, e in history if e.event_type != "reversal" and tid not in reversed_ids]
    if standing[-1][0] != original.id:
        raise ReversalRefused(
            f"reverse the later events of loan {original.loan_id} first", f"请先冲正贷款 {original.loan_id} 的后续事件"
        )
    loan, _ = replay(ctx.book.fund_id, original.loan_id, [e for _, e in standing[:-1]])
    if loan is None:
        empty = dict.fromkeys(("current_fen", "overdue_fen", "compensated_fen", "claimed_fen", "paid_fen"), 0)
        loan = replace(current, state=LoanState.CANCELLED, overdue_since=None, **empty)
    return loan, version


def reverse(uow: UnitOfWork, command: c.Reverse) -> Receipt:
    """冲正: post the negation of an earlier event (loan events: only the loan's latest standing one)."""
    return execute(uow, command, _reverse)  # type: ignore[arg-type]
