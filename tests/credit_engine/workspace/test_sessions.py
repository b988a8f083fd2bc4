"""Workspace sessions: only fund administrators and auditors, the token stored as a hash, expiry, sign-out, and a
revoked key's sessions ending at once."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from credit_engine.access.keys import create_key, revoke_key
from credit_engine.access.principal import Principal, Role, Scope
from credit_engine.workspace.sessions import SignInRefused, WebSessions
from credit_engine.workspace.tables import WebSessionRow

START = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def admin(service_engine) -> Principal:
    key, _ = create_key(service_engine, "fund_admin", "ws-admin", Scope(None, frozenset({"140121"})))
    return key.principal


def test_a_session_lives_for_its_lifetime_then_expires(service_engine, admin):
    clock = Clock()
    sessions = WebSessions(service_engine, dt.timedelta(hours=8), clock)
    opened = sessions.open(admin)
    assert opened.expires_at == START + dt.timedelta(hours=8)
    clock.now = START + dt.timedelta(hours=7, minutes=59)
    found = sessions.find(opened.token)
    assert found is not None and found.principal == admin and found.csrf_matches(opened.csrf_token)
    assert not found.csrf_matches("another") and not found.csrf_matches(None)
    clock.now = START + dt.timedelta(hours=8)
    assert sessions.find(opened.token) is None


def test_only_the_hash_of_the_token_is_stored(service_engine, admin):
    opened = WebSessions(service_engine, dt.timedelta(hours=1)).open(admin)
    with service_engine.connect() as connection:
        stored = set(connection.execute(select(WebSessionRow.token_sha256)).scalars())
    assert hashlib.sha256(opened.token.encode()).hexdigest() in stored and opened.token not in stored


def test_sign_out_deletes_the_session(service_engine, admin):
    sessions = WebSessions(service_engine, dt.timedelta(hours=1))
    opened = sessions.open(admin)
    sessions.close(opened.token)
    assert sessions.find(opened.token) is None
    sessions.close("no-such-token")  # nothing to delete: no error


def test_a_revoked_key_ends_its_sessions(service_engine):
    key, _ = create_key(service_engine, "auditor", "ws-auditor", Scope())
    sessions = WebSessions(service_engine, dt.timedelta(hours=1))
    opened = sessions.open(key.principal)
    assert sessions.find(opened.token) is not None
    revoke_key(service_engine, key.key_id)
    assert sessions.find(opened.token) is None


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MODEL_ADMIN])
def test_officers_and_model_administrators_are_refused(service_engine, role):
    principal = Principal("k", "someone", role, Scope("RCC", frozenset({"140121"})))
    with pytest.raises(SignInRefused) as refused:
        WebSessions(service_engine, dt.timedelta(hours=1)).open(principal)
    assert "工作台" in refused.value.message_zh and "fund administrators" in refused.value.message_en


def test_an_unknown_or_empty_token_finds_nothing(service_engine):
    sessions = WebSessions(service_engine, dt.timedelta(hours=1))
    assert sessions.find(None) is None and sessions.find("") is None and sessions.find("nope") is None
