"""Signing in to the workspace: an API key of a fund administrator or an auditor exchanged for a session.

:meth:`WebSessions.open` takes the caller an API key names and returns a :class:`OpenedSession` — a random token for
the cookie (only its SHA-256 is stored), a CSRF token for the session's forms and the expiry. :meth:`WebSessions.find`
gives the session of a token while it has not expired *and* its key is not revoked (the key is read again with the
session, so a revocation ends every session at once); :meth:`WebSessions.close` signs out. Officers and model
administrators are refused (:class:`SignInRefused`): the workspace is for the people who manage and audit funds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select

from credit_engine.access.principal import Principal, Role, Scope
from credit_engine.access.tables import ApiKeyRow
from credit_engine.clock import Clock, utc_now
from credit_engine.errors import BilingualError
from credit_engine.workspace.tables import WebSessionRow

WORKSPACE_ROLES = frozenset({Role.FUND_ADMIN, Role.AUDITOR})


class SignInRefused(BilingualError):
    """The key is valid but its role has no workspace (bank officers, model administrators)."""

    code = "sign_in_refused"
    message_en = "only fund administrators and auditors can sign in to the workspace; this key's role cannot"
    message_zh = "工作台仅供风险补偿金管理员和审计员登录，此密钥的角色无权登录"


@dataclass(frozen=True, slots=True)
class OpenedSession:
    token: str  # goes into the cookie, never stored
    csrf_token: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class WebSession:
    principal: Principal
    csrf_token: str
    expires_at: dt.datetime

    def csrf_matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(self.csrf_token.encode(), given.encode())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _principal(row: object) -> Principal:
    scope = Scope(row.bank_code, frozenset(row.counties or ()), row.province)  # type: ignore[attr-defined]
    return Principal(row.key_id, row.name, Role(row.role), scope)  # type: ignore[attr-defined]


class WebSessions:
    def __init__(self, engine: Engine, lifetime: dt.timedelta, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.lifetime = lifetime
        self.clock = clock

    def open(self, principal: Principal) -> OpenedSession:
        """A new session for the key (``SignInRefused`` for a role without a workspace); expired ones are swept."""
        if principal.role not in WORKSPACE_ROLES:
            raise SignInRefused()
        now = self.clock()
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        values = {"token_sha256": _digest(token), "key_id": principal.key_id, "csrf_token": csrf}
        values |= {"created_at": now, "expires_at": now + self.lifetime}
        with self.engine.begin() as connection:
            connection.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
            connection.execute(insert(WebSessionRow), values)
        return OpenedSession(token, csrf, values["expires_at"])

    def find(self, token: str | None) -> WebSession | None:
        """The live session of a cookie's token: not expired, its key not revoked, its role still a workspace's."""
        if not token:
            return None
        s, k = WebSessionRow, ApiKeyRow
        query = select(s.csrf_token, s.expires_at, k).join(k, k.key_id == s.key_id)
        query = query.where(s.token_sha256 == _digest(token), s.expires_at > self.clock(), k.revoked_at.is_(None))
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None or Role(row.role) not in WORKSPACE_ROLES:
            return None
        return WebSession(_principal(row), row.csrf_token, row.expires_at)

    def close(self, token: str | None) -> None:
        """Sign out: the session is deleted (a token that names none changes nothing)."""
        if token:
            with self.engine.begin() as connection:
                connection.execute(delete(WebSessionRow).where(WebSessionRow.token_sha256 == _digest(token)))
