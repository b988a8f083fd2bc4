"""The alerts' background work in a serving process: every few seconds, record the changes of status among what
the process sees and deliver what is due (:mod:`.changes`, :mod:`.delivery`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from credit_engine.alerts.changes import SeenStatus, record_changes
from credit_engine.alerts.delivery import RetryPolicy, Sender, deliver_due
from credit_engine.clock import Clock, utc_now
from credit_engine.refresher import PeriodicRefresh

log = logging.getLogger(__name__)


class FundAlerts(PeriodicRefresh):
    def __init__(
        self,
        engine: Engine,
        seen: Callable[[], list[SeenStatus]],
        send: Sender,
        *,
        refresh_seconds: float = 10.0,
        retry: RetryPolicy = RetryPolicy(),
        clock: Clock = utc_now,
    ) -> None:
        self.engine = engine
        self.seen = seen
        self.send = send
        self.refresh_seconds = refresh_seconds
        self.retry = retry
        self.clock = clock

    def start(self) -> None:
        self._keep_refreshing("fund-alerts")

    def refresh(self) -> bool:
        """One round: changes recorded, due alerts attempted; False when the database did not answer."""
        try:
            record_changes(self.engine, self.seen(), self.clock())
            deliver_due(self.engine, self.send, self.clock(), self.retry)
        except SQLAlchemyError as error:
            log.warning("fund alerts could not run: %s", type(error).__name__)
            return False
        return True
