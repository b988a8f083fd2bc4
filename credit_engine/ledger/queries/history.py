"""A fund's recorded events with who recorded them and when: the event history of the workspace's fund page.

:func:`fund_history` reads the fund's transactions (or one loan's) with value dates up to ``as_of`` and, with
``known_at``, recorded by then — the newest first, at most ``limit`` — as :class:`HistoryEvent` values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from credit_engine.ledger.tables import TransactionRow
from credit_engine.ledger.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    id: int
    event_type: str
    value_date: dt.date
    recorded_at: dt.datetime
    recorded_by: str
    loan_id: str | None
    amount_fen: int | None
    reverses_id: int | None


def fund_history(
    uow: UnitOfWork,
    fund_id: str,
    as_of: dt.date,
    known_at: dt.datetime | None = None,
    *,
    loan_id: str | None = None,
    limit: int = 200,
) -> list[HistoryEvent]:
    """The newest ``limit`` events of the fund (of one loan when ``loan_id`` is given), newest first."""
    t = TransactionRow
    query = select(t).where(t.fund_id == fund_id, t.value_date <= as_of)
    if known_at is not None:
        query = query.where(t.recorded_at <= known_at)
    if loan_id is not None:
        query = query.where(t.loan_id == loan_id)
    query = query.order_by(t.id.desc()).limit(limit)
    return [
        HistoryEvent(
            row.id,
            row.event_type,
            row.value_date,
            row.recorded_at,
            row.recorded_by,
            row.loan_id,
            row.amount_fen,
            row.reverses_id,
        )
        for row in uow.connection.execute(query)
    ]
