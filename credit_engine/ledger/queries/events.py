"""The recorded events of the journal in replay order: what the audit and the subsidy's loan history replay.

:func:`recorded_events` reads transactions (every one, or the loans' only), ordered by fund, loan and recording
order, as :class:`RecordedEvent` values: the event's facts as the loan's state machine takes them
(:class:`~credit_engine.ledger.loan.LoanEvent`) with the transaction's id and the id of the one it reverses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from credit_engine.ledger.loan import LoanEvent
from credit_engine.ledger.repository import event_from_row
from credit_engine.ledger.tables import TransactionRow
from credit_engine.ledger.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """One recorded transaction: ids, fund, loan (None for a fund event) and the event's facts."""

    id: int
    fund_id: str
    loan_id: str | None
    reverses_id: int | None
    event: LoanEvent

    @property
    def event_type(self) -> str:
        return self.event.event_type

    @property
    def value_date(self) -> dt.date:
        return self.event.value_date


def recorded_events(
    uow: UnitOfWork,
    fund_ids: list[str] | None = None,
    *,
    loans_only: bool = False,
    last_day: dt.date | None = None,
    known_at: dt.datetime | None = None,
) -> list[RecordedEvent]:
    """Transactions of the funds listed (None: all), of loans only if asked, with value dates up to ``last_day``
    and recorded by ``known_at`` when given; ordered by fund, loan and transaction id."""
    t = TransactionRow
    query = select(t)
    if loans_only:
        query = query.where(t.loan_id.is_not(None))
    if last_day is not None:
        query = query.where(t.value_date <= last_day)
    if known_at is not None:
        query = query.where(t.recorded_at <= known_at)
    if fund_ids is not None:
        query = query.where(t.fund_id.in_(list(fund_ids)))
    query = query.order_by(t.fund_id, t.loan_id, t.id)
    return [
        RecordedEvent(row.id, row.fund_id, row.loan_id, row.reverses_id, event_from_row(row))
        for row in uow.connection.execute(query)
    ]
