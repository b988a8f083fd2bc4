"""Tables of access control: API keys (only the hash of each secret is stored) and idempotent requests.

``access_api_key`` holds a key's role and scope; a revoked key keeps its row (``revoked_at``), so every audit record
still names a key that can be looked up. ``access_request`` remembers each write admitted under an
``Idempotency-Key`` (per API key): the hash of the request, whether it is still running, and the response to
replay. Times are naive UTC in the database, aware UTC in Python (the ledger's ``UtcDateTime``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from credit_engine.ledger.tables import UtcDateTime
from credit_engine.service_db.base import ServiceBase


class ApiKeyRow(ServiceBase):
    __tablename__ = "access_api_key"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    bank_code: Mapped[str | None] = mapped_column(String(64))
    counties: Mapped[list] = mapped_column(JSON)
    province: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(128))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class RequestRow(ServiceBase):
    """One write admitted under an idempotency key: ``state`` is ``running`` until its response is stored."""

    __tablename__ = "access_request"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
