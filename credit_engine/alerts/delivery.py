"""Handing the outbox of status changes to a sender, with retries, each change sent by one process at a time.

A change is due when it is neither delivered nor given up and its ``next_attempt_at`` has come. A process takes it
with a conditional update that moves ``next_attempt_at`` a lease ahead (only one process's update matches), then
calls the sender outside any transaction. Success marks it delivered; a failure schedules the next attempt after an
exponentially growing delay, and after ``max_attempts`` the change is given up (``failed_at``) with its last error
kept. The receiver gets the change's id with every attempt, so a retry after a lost answer is recognisable: the
delivery is idempotent per change.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from credit_engine.alerts.tables import ChangeRow

log = logging.getLogger(__name__)
Sender = Callable[[str, dict, int], None]
"""``send(change_id, body, attempt)``; raises when the receiver did not take it."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    first_delay_seconds: float = 30.0
    max_delay_seconds: float = 3600.0
    lease_seconds: float = 60.0
    batch: int = 100

    def delay(self, attempts: int) -> dt.timedelta:
        """The wait after the ``attempts``-th failed attempt: 30 s, 60 s, 120 s … at most an hour."""
        return dt.timedelta(seconds=min(self.first_delay_seconds * 2 ** (attempts - 1), self.max_delay_seconds))


def _pending():  # noqa: ANN202 - a SQLAlchemy clause
    return ChangeRow.delivered_at.is_(None) & ChangeRow.failed_at.is_(None)


def deliver_due(engine: Engine, send: Sender, now: dt.datetime, retry: RetryPolicy = RetryPolicy()) -> dict[str, int]:
    """Attempt every change due at ``now``; counts of ``delivered``, ``retry`` and ``failed`` attempts."""
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    with engine.begin() as connection:
        due = (
            connection.execute(
                select(ChangeRow.change_id)
                .where(_pending(), ChangeRow.next_attempt_at <= now)
                .order_by(ChangeRow.detected_at, ChangeRow.change_id)
                .limit(retry.batch)
            )
            .scalars()
            .all()
        )
    for change_id in due:
        taken = _take(engine, change_id, now, retry)
        if taken is not None:
            counts[_attempt(engine, send, change_id, *taken, now, retry)] += 1
    return counts


def _take(engine: Engine, change_id: str, now: dt.datetime, retry: RetryPolicy) -> tuple[dict, int] | None:
    """The change's body and attempts so far, if this process took it (its lease moved ``next_attempt_at``)."""
    with engine.begin() as connection:
        taken = connection.execute(
            update(ChangeRow)
            .where(ChangeRow.change_id == change_id, _pending(), ChangeRow.next_attempt_at <= now)
            .values(next_attempt_at=now + dt.timedelta(seconds=retry.lease_seconds))
        ).rowcount
        if taken != 1:
            return None
        row = connection.execute(select(ChangeRow.body, ChangeRow.attempts).where(ChangeRow.change_id == change_id))
        body, attempts = row.one()
    return body, attempts


def _attempt(
    engine: Engine, send: Sender, change_id: str, body: dict, attempts: int, now: dt.datetime, retry: RetryPolicy
) -> str:
    attempt = attempts + 1
    try:
        send(change_id, body, attempt)
    except Exception as error:  # whatever the sender raises, the change stays in the outbox
        outcome = "failed" if attempt >= retry.max_attempts else "retry"
        values = {"attempts": attempt, "last_error": f"{type(error).__name__}: {error}"[:500]}
        if outcome == "failed":
            values["failed_at"] = now
        else:
            values["next_attempt_at"] = now + retry.delay(attempt)
        log.warning("alert %s attempt %d not delivered (%s): %s", change_id, attempt, outcome, values["last_error"])
    else:
        outcome, values = "delivered", {"attempts": attempt, "delivered_at": now, "last_error": None}
    with engine.begin() as connection:
        connection.execute(update(ChangeRow).where(ChangeRow.change_id == change_id).values(**values))
    return outcome
