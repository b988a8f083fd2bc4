"""How every write runs: lock the fund's book, honour the idempotency key, let the event decide, record, commit.

:func:`execute` is the one path for all events: (1) lock the fund's book (``FOR UPDATE``; ``BEGIN IMMEDIATE`` on
SQLite) so writers of one fund queue up, and (2) look up the idempotency key in the same statement — same body:
the first receipt, nothing posted; other body: ``IdempotencyConflict``; (3) stamp the recording time; (4) run the
event's handler, which validates against the locked book, the policy in force and the loan, and returns an
:class:`Outcome`; (5) write the transaction, its postings, the updated caches and the command record (the same
call on every database, :meth:`.command_repository.CommandRepository.close_write`; PostgreSQL makes it one
statement), let the unit of work's ``on_write`` hook add its rows (the audit entry), and commit.
On PostgreSQL the key read in (2) comes from the statement's snapshot, taken before any wait for the lock, so a
duplicate of the writer it waited for can slip past: a refusal re-reads the key first (the duplicate gets its
receipt), and a post hits the command's primary key and is retried once, when the key is seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from credit_engine.contract import idnumber
from credit_engine.errors import InvalidInput, RowError
from credit_engine.ledger.command_repository import command_values
from credit_engine.ledger.commands import Command, Receipt, body_hash
from credit_engine.ledger.domain import FundBook, FundPolicy, ledger_date, policy_in_force
from credit_engine.ledger.errors import FundWouldGoNegative, IdempotencyConflict, LedgerError, ValueDateOutOfRange
from credit_engine.ledger.journal import JournalEntry
from credit_engine.ledger.loan import Loan
from credit_engine.ledger.repository import Recorded
from credit_engine.ledger.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an event decided: the entry to post (if any), receipt details and the loan to cache."""

    entry: JournalEntry | None
    details: dict[str, object] = field(default_factory=dict)
    loan: Loan | None = None
    loan_version: int | None = None  # None: a new loan row
    reverses_id: int | None = None
    book: FundBook | None = None  # the fund's book as the handler changed it (before the entry)


@dataclass(frozen=True, slots=True)
class Context:
    uow: UnitOfWork
    book: FundBook
    recorded_at: dt.datetime
    loan_on_file: bool | None = None  # whether the command's loan exists, when read with the lock (else None)

    @property
    def today(self) -> dt.date:
        return ledger_date(self.recorded_at)


Handler = Callable[[Context, Command], Outcome]


def execute(uow: UnitOfWork, command: Command, handler: Handler, *, lock: bool = True) -> Receipt:
    """Run ``command`` through ``handler`` in its own unit of work (see the module docstring)."""
    for attempt in (1, 2):
        try:
            with uow:
                receipt = _execute_once(uow, command, handler, lock)
                if not receipt.duplicate:
                    uow.written(receipt)
                    uow.commit()
                return receipt
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _replayed(prior, command: Command) -> Receipt:  # noqa: ANN001 - a command row or PriorCommand
    """The first receipt of a repeated key (same body), or ``IdempotencyConflict`` (another body)."""
    if prior.body_hash != body_hash(command):
        raise IdempotencyConflict(command.fund_id, command.idempotency_key)
    result = dict(prior.result)
    recorded_at = dt.datetime.fromisoformat(str(result.pop("recorded_at")))
    return Receipt(**result, recorded_at=recorded_at, duplicate=True)  # type: ignore[arg-type]


def _execute_once(uow: UnitOfWork, command: Command, handler: Handler, lock: bool) -> Receipt:
    loan_id, on_file = getattr(command, "loan_id", None), None
    if lock:  # one statement locks the book, finds the key and the loan (FundRepository.lock_book_with_command)
        book, prior, on_file = uow.funds.lock_book_with_command(command.fund_id, command.idempotency_key, loan_id)
    else:
        book, prior = FundBook(command.fund_id, dt.date.min), uow.commands.get(command.fund_id, command.idempotency_key)
    if prior is not None:
        return _replayed(prior, command)
    recorded = Recorded(uow.now(), command.recorded_by, command.idempotency_key)
    try:
        outcome = handler(Context(uow, book, recorded.recorded_at, on_file if loan_id else None), command)
    except (LedgerError, InvalidInput):
        prior = uow.commands.get(command.fund_id, command.idempotency_key)
        if prior is not None:  # the key was recorded meanwhile (by the writer whose lock we waited for)
            return _replayed(prior, command)
        raise
    transaction_id, new_book = None, outcome.book or book
    if outcome.entry is not None:
        transaction_id = uow.journal.add(outcome.entry, recorded, outcome.reverses_id)
        new_book = new_book.after(outcome.entry) if outcome.entry.postings else new_book
    receipt = Receipt(
        command.fund_id,
        command.idempotency_key,
        command.event_type,
        transaction_id,
        recorded.recorded_at,
        outcome.details,
    )
    name, key = type(command).__name__, command.idempotency_key
    record = command_values(command.fund_id, key, name, body_hash(command), receipt.as_dict(), recorded)
    changed = new_book if new_book is not book else None
    uow.commands.close_write(record, changed, book.version, outcome.loan, outcome.loan_version)
    return receipt


def invalid(field_name: str, rule: str, message: str, value: object = None) -> InvalidInput:
    shown = None if value is None else str(value)
    return InvalidInput([RowError(None, field_name, rule, message, shown)])


def require_positive(name: str, amount: int | None) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise invalid(name, "positive_fen", "must be a positive whole number of fen / 须为正整数（分）", amount)
    return amount


def require_pseudonym(borrower_ref: str) -> str:
    """Refuse a raw ID number where a pseudonymous reference belongs (it would be stored and shown)."""
    text = borrower_ref.strip()
    if not text:
        raise invalid("borrower_ref", "required", "borrower reference is required / 借款人编号必填")
    if idnumber.violation(idnumber.normalise(text)) in (None, "id_checksum", "id_birth_date"):
        raise invalid(
            "borrower_ref", "raw_id_number", "pseudonymise ID numbers first / 身份证号须先假名化", idnumber.mask(text)
        )
    return text


def check_value_date(ctx: Context, value_date: dt.date) -> None:
    """Value dates lie between the fund's opening and today (China time)."""
    if value_date > ctx.today:
        raise ValueDateOutOfRange(f"value date {value_date} is in the future", f"起息日 {value_date} 晚于今天")
    if value_date < ctx.book.opened_on:
        raise ValueDateOutOfRange(
            f"value date {value_date} is before fund {ctx.book.fund_id} opened on {ctx.book.opened_on}",
            f"起息日 {value_date} 早于风险补偿金 {ctx.book.fund_id} 设立日 {ctx.book.opened_on}",
        )


def policy_on(ctx: Context, value_date: dt.date) -> FundPolicy:
    """The fund's policy in force on ``value_date`` as known now."""
    policy = policy_in_force(ctx.uow.funds.policies(ctx.book.fund_id, ctx.book.policy_version), value_date)
    if policy is None:
        raise ValueDateOutOfRange(
            f"fund {ctx.book.fund_id} has no policy on {value_date}",
            f"风险补偿金 {ctx.book.fund_id} 在 {value_date} 无有效政策",
        )
    return policy


def cash_available(ctx: Context, value_date: dt.date) -> int:
    """The most the fund can pay out on ``value_date``: its lowest balance on that date or any later one."""
    balance, lowest = 0, None
    for day, delta in ctx.uow.journal.fund_cash_by_date(ctx.book.fund_id):
        if day > value_date and lowest is None:
            lowest = balance  # the balance on value_date itself
        balance += delta
        if day > value_date:
            lowest = min(lowest, balance)
    return max(balance if lowest is None else lowest, 0)


def pay_out_check(ctx: Context, value_date: dt.date, amount_fen: int) -> None:
    available = cash_available(ctx, value_date)
    if amount_fen > available:
        raise FundWouldGoNegative(ctx.book.fund_id, amount_fen, available)
