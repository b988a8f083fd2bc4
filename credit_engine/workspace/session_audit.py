"""The audit entries of the workspace's sign-ins: a sign-in (``workspace.sign_in``, outcome ``signed_in`` or why it
was refused), a sign-out (``workspace.sign_out``) and a session that ended by itself (``workspace.session_end``,
outcome ``expired`` or ``key_revoked``).

Like every entry of the log, they name the caller by its API key's public id (``key_id``), never by the key: a
refused attempt keeps only the key id a well-formed key names (``ce_<key id>_***``, the secret masked), or
``unknown`` with the masked form of what was typed; the key's name is written only for a key that exists. A session
is named by the first 16 hex digits of its token's SHA-256 (``session``), so a sign-in, its sign-out or its end can
be read together in ``credit-engine audit`` export without anything that could open the session.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from credit_engine.access.principal import Principal
from credit_engine.audit.entry import AuditEntry, input_sha256

SIGN_IN, SIGN_OUT, SESSION_END = "workspace.sign_in", "workspace.sign_out", "workspace.session_end"
UNKNOWN_KEY = "unknown"
_KEY = re.compile(r"(ce_[0-9a-f]{12})_")


def session_ref(token_sha256: str) -> str:
    """The session's name in the audit log: the start of its token's hash."""
    return token_sha256[:16]


def masked_key(token: str) -> str:
    """What the log may show of a typed key: its public ``ce_<key id>_`` prefix and ``***`` (never the secret)."""
    found = _KEY.match(token)
    return f"{found.group(1)}_***" if found else f"*** ({len(token)} characters / 个字符)"


def key_id_of(token: str) -> str:
    """The public key id a well-formed key names (its id, whether or not such a key exists), else ``unknown``."""
    found = _KEY.match(token)
    return found.group(1)[3:] if found else UNKNOWN_KEY


def _entry(action: str, key_id: str, outcome: str, at: dt.datetime, detail: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        record_id=uuid.uuid4().hex,
        action=action,
        recorded_at=at,
        key_id=key_id,
        input_sha256=input_sha256({"action": action, "key_id": key_id} | detail),
        outcome=outcome,
        resource_id=detail.get("session"),
        detail=detail,
    )


def _who(principal: Principal) -> dict[str, Any]:
    return {"key_name": principal.name, "role": principal.role.value}


def signed_in(principal: Principal, token_sha256: str, expires_at: dt.datetime, at: dt.datetime) -> AuditEntry:
    detail = _who(principal) | {"session": session_ref(token_sha256), "expires_at": expires_at.isoformat()}
    return _entry(SIGN_IN, principal.key_id, "signed_in", at, detail)


def sign_in_refused(
    rule: str, at: dt.datetime, *, token: str | None = None, principal: Principal | None = None
) -> AuditEntry:
    """A refused sign-in: ``rule`` is ``bad_key`` (malformed, unknown, wrong secret or revoked: ``token`` as typed,
    masked here) or ``role`` (a valid key of a role without a workspace: its ``principal``)."""
    if principal is not None:
        detail = {"rule": rule, "key_given": f"ce_{principal.key_id}_***"} | _who(principal)
        return _entry(SIGN_IN, principal.key_id, "refused", at, detail)
    given = token or ""
    return _entry(SIGN_IN, key_id_of(given), "refused", at, {"rule": rule, "key_given": masked_key(given)})


def signed_out(key_id: str, token_sha256: str, at: dt.datetime) -> AuditEntry:
    return _entry(SIGN_OUT, key_id, "signed_out", at, {"session": session_ref(token_sha256)})


def session_ended(key_id: str, token_sha256: str, why: str, expires_at: dt.datetime, at: dt.datetime) -> AuditEntry:
    """A session ended without a sign-out: ``expired`` or ``key_revoked`` (noticed at ``at``)."""
    detail = {"session": session_ref(token_sha256), "expires_at": expires_at.isoformat()}
    return _entry(SESSION_END, key_id, why, at, detail)
