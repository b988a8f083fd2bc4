"""The service table of the workspace's sign-ins: ``web_session``, one row per open session.

``token_sha256`` is the hash of the cookie's random token (the token itself is never stored), ``key_id`` the API key
it was opened with (checked again on every request: a revoked key ends its sessions), ``csrf_token`` the token every
form of the session carries. Times are naive UTC in the database, aware in Python.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from credit_engine.ledger.tables import UtcDateTime
from credit_engine.service_db.base import ServiceBase


class WebSessionRow(ServiceBase):
    __tablename__ = "web_session"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
