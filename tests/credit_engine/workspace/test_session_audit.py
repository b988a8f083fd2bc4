"""The audit log of the workspace's sessions: a sign-in, a refused sign-in (the key masked, never its secret), a
sign-out, and a session's end — expired or its key revoked — each recorded once, with the key's public id."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from credit_engine.access.keys import create_key, revoke_key
from credit_engine.access.principal import Principal, Role, Scope
from credit_engine.audit.repository import entry_from_row
from credit_engine.audit.tables import AuditRow
from credit_engine.workspace.session_audit import SESSION_END, SIGN_IN, SIGN_OUT, masked_key
from credit_engine.workspace.sessions import SignInRefused, WebSessions

START = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def log(service_engine):
    """``log(key_id)``: the workspace entries of that key recorded since the test began, oldest first (the audit
    table is append-only: earlier entries stay, and are left out)."""
    actions = (SIGN_IN, SIGN_OUT, SESSION_END)
    query = select(AuditRow).where(AuditRow.action.in_(actions)).order_by(AuditRow.recorded_at, AuditRow.action)
    with service_engine.connect() as connection:
        before = set(connection.execute(select(AuditRow.record_id)).scalars())

    def read(key_id: str):
        with service_engine.connect() as connection:
            rows = connection.execute(query.where(AuditRow.key_id == key_id))
            return [e for e in map(entry_from_row, rows) if e.record_id not in before]

    return read


@pytest.fixture
def admin_key(service_engine):
    return create_key(service_engine, "fund_admin", "ws-audit-admin", Scope(None, frozenset({"140121"})))


def test_sign_in_and_sign_out_are_recorded_with_the_key_id_and_the_same_session(service_engine, admin_key, log):
    key, token = admin_key
    clock = Clock()
    sessions = WebSessions(service_engine, dt.timedelta(hours=8), clock)
    opened = sessions.open(key.principal)
    clock.now = START + dt.timedelta(hours=1)
    sessions.close(opened.token)
    sessions.close(opened.token)  # signed out already: nothing more to record
    entries = log(key.key_id)
    assert [(e.action, e.outcome, e.key_id) for e in entries] == [
        (SIGN_IN, "signed_in", key.key_id),
        (SIGN_OUT, "signed_out", key.key_id),
    ]
    assert entries[0].detail["key_name"] == "ws-audit-admin" and entries[0].detail["role"] == "fund_admin"
    assert entries[0].detail["expires_at"] == (START + dt.timedelta(hours=8)).isoformat()
    assert entries[0].resource_id == entries[1].resource_id == entries[0].detail["session"]
    assert [e.recorded_at for e in entries] == [START, START + dt.timedelta(hours=1)]
    text = json.dumps([e.as_json() for e in entries], ensure_ascii=False)
    assert opened.token not in text and token.split("_", 2)[2] not in text


def test_an_expired_session_is_recorded_once_when_its_cookie_comes_back(service_engine, admin_key, log):
    key, _ = admin_key
    clock = Clock()
    sessions = WebSessions(service_engine, dt.timedelta(hours=8), clock)
    opened = sessions.open(key.principal)
    clock.now = START + dt.timedelta(hours=9)
    assert sessions.find(opened.token) is None
    assert sessions.find(opened.token) is None
    ends = [e for e in log(key.key_id) if e.action == SESSION_END]
    assert [(e.outcome, e.key_id, e.recorded_at) for e in ends] == [("expired", key.key_id, clock.now)]
    assert ends[0].detail["expires_at"] == (START + dt.timedelta(hours=8)).isoformat()


def test_a_later_sign_in_sweeps_and_records_the_sessions_that_expired_unattended(service_engine, admin_key, log):
    key, _ = admin_key
    clock = Clock()
    sessions = WebSessions(service_engine, dt.timedelta(hours=1), clock)
    first = sessions.open(key.principal)
    clock.now = START + dt.timedelta(hours=2)
    sessions.open(key.principal)
    outcomes = [(e.action, e.outcome, e.resource_id) for e in log(key.key_id)]
    first_ref = outcomes[0][2]
    assert (SESSION_END, "expired", first_ref) in outcomes and len(outcomes) == 3
    assert sessions.find(first.token) is None and len(log(key.key_id)) == 3  # already ended and recorded


def test_a_revoked_keys_session_ends_as_key_revoked(service_engine, log):
    key, _ = create_key(service_engine, "auditor", "ws-audit-auditor", Scope())
    sessions = WebSessions(service_engine, dt.timedelta(hours=8))
    opened = sessions.open(key.principal)
    revoke_key(service_engine, key.key_id)
    assert sessions.find(opened.token) is None
    assert [(e.action, e.outcome, e.key_id) for e in log(key.key_id)][-1] == (SESSION_END, "key_revoked", key.key_id)


def test_a_refused_key_is_recorded_masked_never_with_its_secret(service_engine, log):
    sessions = WebSessions(service_engine, dt.timedelta(hours=1))
    secret = "S" * 43
    sessions.refuse(f"ce_0123456789ab_{secret}")
    sessions.refuse("my password")
    entries = log("0123456789ab") + log("unknown")
    assert [(e.outcome, e.key_id, e.detail["key_given"]) for e in entries] == [
        ("refused", "0123456789ab", "ce_0123456789ab_***"),
        ("refused", "unknown", "*** (11 characters / 个字符)"),
    ]
    assert all(e.detail["rule"] == "bad_key" for e in entries)
    text = json.dumps([e.as_json() for e in entries])
    assert secret not in text and "my password" not in text


def test_a_role_without_a_workspace_is_refused_and_recorded_with_its_key_id(service_engine, log):
    principal = Principal("0000aaaa1111", "an officer", Role.OFFICER, Scope("RCC", frozenset({"140121"})))
    with pytest.raises(SignInRefused):
        WebSessions(service_engine, dt.timedelta(hours=1)).open(principal)
    (entry,) = log("0000aaaa1111")
    assert (entry.outcome, entry.key_id, entry.detail["rule"], entry.detail["role"]) == (
        "refused",
        "0000aaaa1111",
        "role",
        "officer",
    )


def test_masking_keeps_only_the_public_prefix():
    assert masked_key("ce_abcdef012345_" + "x" * 43) == "ce_abcdef012345_***"
    assert masked_key("") == "*** (0 characters / 个字符)"
