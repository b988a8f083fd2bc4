"""Tables of fund alerts: each fund's status as last seen, and the outbox of status changes to deliver.

``alert_fund_status`` holds one row per fund: the status the alerts last saw and since when. ``alert_change`` is
the outbox: one row per change (``change_id`` is unique, so a change is recorded once), with its delivery state —
``attempts``, ``next_attempt_at`` (also the lease a process takes while it sends), ``delivered_at`` or
``failed_at`` once retries are exhausted, and the last error. Times are naive UTC in the database, aware in Python.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from credit_engine.ledger.tables import UtcDateTime
from credit_engine.service_db.base import ServiceBase


class FundStatusRow(ServiceBase):
    __tablename__ = "alert_fund_status"
    fund_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    since: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ChangeRow(ServiceBase):
    __tablename__ = "alert_change"
    change_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    fund_id: Mapped[str] = mapped_column(String(64), index=True)
    previous_status: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    detected_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    body: Mapped[dict] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
