"""Signing in to the workspace: an API key of a fund administrator or an auditor exchanged for a session.

:meth:`WebSessions.open` takes the caller an API key names and returns a :class:`OpenedSession` — a random token for
the cookie (only its SHA-256 is stored), a CSRF token for the session's forms and the expiry. :meth:`WebSessions.find`
gives the session of a token while it has not expired *and* its key is not revoked (the key is read again with the
session, so a revocation ends every session at once); :meth:`WebSessions.close` signs out. Officers and model
administrators are refused (:class:`SignInRefused`): the workspace is for the people who manage and audit funds.

Every sign-in, refused sign-in (:meth:`WebSessions.refuse`), sign-out and end of a session — expired, or its key
revoked, recorded when ``keys revoke`` runs (:meth:`WebSessions.end_for_key`), else noticed when its cookie comes
back or when a later sign-in sweeps the ended sessions — is an entry of the
audit log (:mod:`.session_audit`), written in the same transaction as the session row when the log shares the
database, so an end is recorded exactly once even when two processes notice it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, or_, select

from credit_engine.access.principal import Principal, Role, Scope
from credit_engine.access.tables import ApiKeyRow
from credit_engine.audit.entry import AuditEntry
from credit_engine.audit.repository import AuditRepository
from credit_engine.audit.sink import AuditSink
from credit_engine.clock import Clock, utc_now
from credit_engine.errors import BilingualError
from credit_engine.workspace import session_audit
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
    def __init__(
        self, engine: Engine, lifetime: dt.timedelta, clock: Clock = utc_now, audit: AuditSink | None = None
    ) -> None:
        self.engine = engine
        self.lifetime = lifetime
        self.clock = clock
        self.audit = audit if audit is not None else AuditRepository(engine)
        self.audit_in_write = self.audit.shares_database(engine)

    def open(self, principal: Principal) -> OpenedSession:
        """A new session for the key (``SignInRefused`` for a role without a workspace, audited); ended sessions
        are swept (each end audited)."""
        if principal.role not in WORKSPACE_ROLES:
            self.audit.record(session_audit.sign_in_refused("role", self.clock(), principal=principal))
            raise SignInRefused()
        now = self.clock()
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        values = {"token_sha256": _digest(token), "key_id": principal.key_id, "csrf_token": csrf}
        values |= {"created_at": now, "expires_at": now + self.lifetime}

        def work(connection: Connection) -> list[AuditEntry]:
            ended = self._end(connection, _ended(now), now)
            connection.execute(insert(WebSessionRow), values)
            return [*ended, session_audit.signed_in(principal, values["token_sha256"], values["expires_at"], now)]

        self._write(work)
        return OpenedSession(token, csrf, values["expires_at"])

    def refuse(self, token: str) -> None:
        """Audit a sign-in refused for its key (malformed, unknown, wrong secret or revoked), ``token`` masked."""
        self.audit.record(session_audit.sign_in_refused("bad_key", self.clock(), token=token))

    def find(self, token: str | None) -> WebSession | None:
        """The live session of a cookie's token: not expired, its key not revoked, its role still a workspace's.
        A session found ended is deleted and its end audited."""
        if not token:
            return None
        now, digest = self.clock(), _digest(token)
        s, k = WebSessionRow, ApiKeyRow
        query = select(s.csrf_token, s.expires_at, k).join(k, k.key_id == s.key_id).where(s.token_sha256 == digest)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        if row.expires_at > now and row.revoked_at is None and Role(row.role) in WORKSPACE_ROLES:
            return WebSession(_principal(row), row.csrf_token, row.expires_at)
        self._write(lambda connection: self._end(connection, s.token_sha256 == digest, now))
        return None

    def close(self, token: str | None) -> None:
        """Sign out: the session is deleted and the sign-out audited (a token that names none changes nothing)."""
        if not token:
            return
        digest, now = _digest(token), self.clock()

        def work(connection: Connection) -> list[AuditEntry]:
            key_id = connection.scalar(select(WebSessionRow.key_id).where(WebSessionRow.token_sha256 == digest))
            deleted = connection.execute(delete(WebSessionRow).where(WebSessionRow.token_sha256 == digest))
            return [session_audit.signed_out(key_id, digest, now)] if key_id and deleted.rowcount == 1 else []

        self._write(work)

    def end_for_key(self, key_id: str) -> int:
        """End every session of a key now (its revocation): deleted, each end audited as it would be when its cookie
        came back; the number ended."""
        ended: list[AuditEntry] = []

        def work(connection: Connection) -> list[AuditEntry]:
            ended.extend(self._end(connection, WebSessionRow.key_id == key_id, self.clock()))
            return ended

        self._write(work)
        return len(ended)

    def _end(self, connection: Connection, which, now: dt.datetime) -> list[AuditEntry]:
        """Delete the sessions ``which`` selects; one entry for each this transaction deleted (``expired`` or
        ``key_revoked``, whichever came first)."""
        s, k = WebSessionRow, ApiKeyRow
        query = select(s.token_sha256, s.key_id, s.expires_at, k.revoked_at).join(k, k.key_id == s.key_id, isouter=True)
        entries = []
        for row in connection.execute(query.where(which)).all():
            if connection.execute(delete(s).where(s.token_sha256 == row.token_sha256)).rowcount != 1:
                continue  # another process ended it first, and recorded it
            revoked = row.revoked_at is not None and (row.expires_at > now or row.revoked_at < row.expires_at)
            why = "key_revoked" if revoked else "expired"
            entries.append(session_audit.session_ended(row.key_id, row.token_sha256, why, row.expires_at, now))
        return entries

    def _write(self, work: Callable[[Connection], list[AuditEntry]]) -> None:
        """Run ``work`` in one transaction with its audit entries (or through the sink after it, when the log is in
        another database)."""
        with self.engine.begin() as connection:
            entries = work(connection)
            if self.audit_in_write:
                AuditRepository.append_in(connection, entries)
        if entries and not self.audit_in_write:
            self.audit.record_many(entries)


def _ended(now: dt.datetime):  # noqa: ANN202 - a SQL condition
    """Sessions past their expiry or whose key was revoked."""
    return or_(WebSessionRow.expires_at <= now, ApiKeyRow.revoked_at.is_not(None))
