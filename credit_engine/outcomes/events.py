"""A loan's recorded history as the outcome sees it, and the part of it that stands as known at a moment.

:class:`LoanHistory` is one disbursed loan (fund, county, product, borrower pseudonym, disbursement facts) with its
recorded events as :class:`LedgerEvent` values — both axes kept: the value date (when it happened) and the
recording time (when the ledger learned it). :func:`standing_events` is the history as known at a moment: events
recorded later or dated later are not known yet, and an event reversed by a reversal known by then never happened
(the reversal itself carries no facts of its own). Plain values, no SQL: the ledger's read model
(:mod:`credit_engine.ledger.queries.outcomes`) builds them, monitoring and retraining may build them too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

REVERSAL = "reversal"
DISBURSEMENT = "disbursement"


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    """One recorded transaction of a loan: its id, type, value date, recording time (UTC) and loan facts."""

    id: int
    event_type: str
    value_date: dt.date
    recorded_at: dt.datetime
    amount_fen: int | None = None
    days_past_due: int | None = None
    reverses_id: int | None = None


@dataclass(frozen=True, slots=True)
class LoanHistory:
    """A disbursed loan and every recorded event of it (disbursement included), in recording order."""

    fund_id: str
    loan_id: str
    county_code: str
    product: str
    borrower_ref: str
    disbursed_on: dt.date
    maturity_date: dt.date
    principal_fen: int
    events: tuple[LedgerEvent, ...]


def standing_events(events: Iterable[LedgerEvent], as_of: dt.date, known_at: dt.datetime) -> list[LedgerEvent]:
    """The events that stand as of ``as_of`` as known at ``known_at``: recorded by then, dated by ``as_of``, not
    reversed by a reversal known by then, and no reversal itself; in value-date, then recording order."""
    known = [e for e in events if e.recorded_at <= known_at and e.value_date <= as_of]
    reversed_ids = {e.reverses_id for e in known if e.event_type == REVERSAL and e.reverses_id is not None}
    standing = [e for e in known if e.event_type != REVERSAL and e.id not in reversed_ids]
    return sorted(standing, key=lambda e: (e.value_date, e.id))


def disbursement_stands(history: LoanHistory, as_of: dt.date, known_at: dt.datetime) -> bool:
    """Whether the loan's disbursement is known and not reversed as of ``as_of`` at ``known_at``."""
    return any(e.event_type == DISBURSEMENT for e in standing_events(history.events, as_of, known_at))
