"""API keys: created with a role and a scope, stored only as a hash, recognised from ``Bearer`` tokens, revoked.

A key reads ``ce_<key_id>_<secret>``: the key id is public (it names the key in audit records and in ``keys
revoke``), the secret is 32 random bytes shown once at creation. Only SHA-256 of the secret is stored — a fast hash
is right for a random 256-bit secret (a slow password hash earns nothing there). :class:`KeyRing` keeps the keys in
memory, refreshed from the database every few seconds, so recognising a key costs no query and works while the
database is briefly unreachable; a key created since the last refresh is looked up on first use, and a revocation
takes effect everywhere within one refresh interval. Every load is also written to a local cache (hashes only,
:mod:`.key_cache`); a ring that starts while the database is down answers from that cache (revoked keys stay
revoked), and a token it cannot decide — a key id it does not know while the database does not answer — is
:meth:`KeyRing.undecided`: the caller answers 503 (:class:`KeysUnavailable`), never 401 to a key that may be valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from credit_engine.access.key_cache import read_key_cache, write_key_cache
from credit_engine.access.principal import Principal, Role, Scope, check_scope
from credit_engine.access.tables import ApiKeyRow
from credit_engine.errors import BilingualError, InvalidInput, RowError
from credit_engine.refresher import PeriodicRefresh

PREFIX = "ce"
_TOKEN = re.compile(r"ce_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
_MISS_REFRESH_SECONDS = 1.0  # an unknown key id reloads the keys at most this often (new keys, not a flood)
log = logging.getLogger(__name__)


class UnknownKey(BilingualError):
    code = "unknown_key"

    def __init__(self, key_id: str) -> None:
        super().__init__(f"no API key {key_id}", f"没有 API 密钥 {key_id}")


class KeysUnavailable(BilingualError):
    """The key cannot be checked now: unknown to the keys held, and the database does not answer (HTTP 503)."""

    code = "keys_unavailable"
    message_en = "the API key cannot be checked right now (database unavailable); try again shortly"
    message_zh = "数据库暂时不可用，暂时无法核验 API 密钥，请稍后重试"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key as stored (never its secret)."""

    key_id: str
    name: str
    role: Role
    scope: Scope
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None

    @property
    def principal(self) -> Principal:
        return Principal(self.key_id, self.name, self.role, self.scope)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _key(row: object) -> ApiKey:
    scope = Scope(row.bank_code, frozenset(row.counties or ()), row.province)  # type: ignore[attr-defined]
    return ApiKey(row.key_id, row.name, Role(row.role), scope, row.created_at, row.revoked_at)  # type: ignore[attr-defined]


def _record(row: Any) -> dict[str, Any]:
    """A key row as the cache stores it (the hash of the secret, never the secret)."""
    moment = lambda value: None if value is None else value.isoformat()  # noqa: E731
    return {
        "key_id": row.key_id,
        "secret_sha256": row.secret_sha256,
        "name": row.name,
        "role": row.role,
        "bank_code": row.bank_code,
        "counties": sorted(row.counties or ()),
        "province": row.province,
        "created_at": moment(row.created_at),
        "revoked_at": moment(row.revoked_at),
    }


def _cached_key(record: dict[str, Any]) -> tuple[str, ApiKey]:
    moment = lambda text: None if text is None else dt.datetime.fromisoformat(text)  # noqa: E731
    scope = Scope(record["bank_code"], frozenset(record["counties"]), record["province"])
    key = ApiKey(
        record["key_id"],
        record["name"],
        Role(record["role"]),
        scope,
        moment(record["created_at"]),
        moment(record["revoked_at"]),
    )
    return record["secret_sha256"], key


def create_key(
    engine: Engine,
    role: str,
    name: str,
    scope: Scope,
    created_by: str = "cli",
    now: dt.datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its token (shown once, never stored)."""
    try:
        role_ = Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput([RowError(None, "role", "choice", f"one of {choices} / 须为其一", role)]) from None
    if not name.strip():
        raise InvalidInput([RowError(None, "name", "required", "a key needs a name / 密钥须有名称")])
    check_scope(role_, scope)
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    created_at = now or dt.datetime.now(dt.UTC)
    values = {"key_id": key_id, "secret_sha256": _digest(secret), "name": name.strip(), "role": role_.value}
    values |= {"bank_code": scope.bank_code, "counties": sorted(scope.counties), "province": scope.province}
    values |= {"created_at": created_at, "created_by": created_by, "revoked_at": None}
    with engine.begin() as connection:
        connection.execute(insert(ApiKeyRow), values)
    return ApiKey(key_id, name.strip(), role_, scope, created_at), f"{PREFIX}_{key_id}_{secret}"


def revoke_key(engine: Engine, key_id: str, now: dt.datetime | None = None) -> ApiKey:
    """Revoke a key (it stays on record for the audit log); revoking twice keeps the first time."""
    with engine.begin() as connection:
        row = connection.execute(select(ApiKeyRow).where(ApiKeyRow.key_id == key_id)).first()
        if row is None:
            raise UnknownKey(key_id)
        if row.revoked_at is None:
            revoked = now or dt.datetime.now(dt.UTC)
            connection.execute(update(ApiKeyRow).where(ApiKeyRow.key_id == key_id).values(revoked_at=revoked))
            row = connection.execute(select(ApiKeyRow).where(ApiKeyRow.key_id == key_id)).one()
    return _key(row)


def list_keys(engine: Engine) -> list[ApiKey]:
    with engine.connect() as connection:
        return [_key(row) for row in connection.execute(select(ApiKeyRow).order_by(ApiKeyRow.created_at))]


class KeyRing(PeriodicRefresh):
    """The live keys in memory: :meth:`principal_for` answers from memory (no query, never blocks); a background
    thread refreshes them every ``refresh_seconds``; :meth:`refresh_for_unknown` loads a key created since."""

    def __init__(self, engine: Engine, refresh_seconds: float = 5.0, cache_path: Path | None = None) -> None:
        self.engine = engine
        self.refresh_seconds = refresh_seconds
        self.cache_path = cache_path
        self._keys: dict[str, tuple[str, ApiKey]] = {}
        self._loaded_at = float("-inf")
        self._answered = False  # whether the last load from the database succeeded
        self._cached: list[dict[str, Any]] | None = None  # what the cache file holds, as last written or read
        self._lock = threading.Lock()

    def start(self) -> None:
        self.refresh()
        self._keep_refreshing("api-keys")

    def refresh(self) -> None:
        """Reload every key and cache them; on a database error keep the keys already known (none yet: the
        cached ones)."""
        with self._lock:
            try:
                with self.engine.connect() as connection:
                    rows = list(connection.execute(select(ApiKeyRow)))
            except SQLAlchemyError as error:
                log.warning("API keys could not be refreshed: %s", type(error).__name__)
                self._answered = False
                if not self._keys:
                    self._load_cache()
                return
            finally:
                self._loaded_at = time.monotonic()
            self._keys = {row.key_id: (row.secret_sha256, _key(row)) for row in rows}
            self._answered = True
            self._save_cache([_record(row) for row in rows])

    def _load_cache(self) -> None:
        records = None if self.cache_path is None else read_key_cache(self.cache_path)
        if records:
            self._keys = {record["key_id"]: _cached_key(record) for record in records}
            self._cached = records
            log.warning("API keys: database unreachable, %d keys from the last known key table", len(records))

    def _save_cache(self, records: list[dict[str, Any]]) -> None:
        records.sort(key=lambda record: record["key_id"])
        if self.cache_path is None or records == self._cached:
            return
        try:
            write_key_cache(self.cache_path, records)
        except OSError as error:
            log.warning("API key cache could not be written: %s", type(error).__name__)
            return
        self._cached = records

    def undecided(self, token: str) -> bool:
        """A well-formed token whose key id is not known while the database does not answer: it may be a key
        created since the keys were last loaded, so it is neither accepted nor refused (503, not 401)."""
        match = _TOKEN.fullmatch(token)
        return match is not None and match.group(1) not in self._keys and not self._answered

    def principal_for(self, token: str) -> Principal | None:
        """The caller a bearer token names, or None (malformed, unknown, wrong secret or revoked)."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            return None
        key_id, secret = match.groups()
        found = self._keys.get(key_id)
        if found is None or found[1].revoked_at is not None:
            return None
        if not hmac.compare_digest(found[0], _digest(secret)):
            return None
        return found[1].principal

    def refresh_for_unknown(self, token: str) -> bool:
        """Reload the keys for a well-formed token whose key id is not known yet (a key created since the last
        refresh), at most once a second; True when the keys were reloaded."""
        match = _TOKEN.fullmatch(token)
        if match is None or match.group(1) in self._keys:
            return False
        if time.monotonic() - self._loaded_at < _MISS_REFRESH_SECONDS:
            return False
        self.refresh()
        return True
