"""Journal entries and postings: immutable values; an entry whose postings do not sum to zero cannot exist.

Sign convention: a positive ``amount_fen`` is a debit, a negative one a credit. A posting names its account (see
:mod:`.accounts`), the loan product for loan accounts, and — on ``principal_overdue`` only — the date the loan fell
overdue, which is what lets the overdue buckets of any as-of date be summed straight from the postings. A reversal
is the same postings negated (:meth:`JournalEntry.reversed_postings`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from credit_engine.ledger.errors import UnbalancedEntry


@dataclass(frozen=True, slots=True)
class Posting:
    """One leg of an entry: ``amount_fen`` > 0 debits ``account``, < 0 credits it."""

    account: str
    amount_fen: int
    product: str | None = None
    overdue_since: dt.date | None = None

    def negated(self) -> Posting:
        return Posting(self.account, -self.amount_fen, self.product, self.overdue_since)


def balanced(postings: tuple[Posting, ...]) -> int:
    """The sum of the postings (zero when balanced)."""
    return sum(p.amount_fen for p in postings)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """What one event writes: its postings (balanced) and the event's own facts."""

    fund_id: str
    event_type: str
    value_date: dt.date
    postings: tuple[Posting, ...]
    loan_id: str | None = None
    facts: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        total = balanced(self.postings)
        if total != 0:
            raise UnbalancedEntry(self.event_type, total)
        for posting in self.postings:
            if not isinstance(posting.amount_fen, int) or isinstance(posting.amount_fen, bool):
                raise TypeError(f"amount_fen must be int fen, got {posting.amount_fen!r}")

    def reversed_postings(self) -> tuple[Posting, ...]:
        return tuple(p.negated() for p in self.postings)

    def total(self, account: str) -> int:
        """Net amount posted to ``account`` (all products)."""
        return sum(p.amount_fen for p in self.postings if p.account == account)
