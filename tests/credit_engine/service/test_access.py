"""API keys (stored hashed, recognised from memory, revoked), roles and scopes, and writes admitted once per key."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest
from sqlalchemy import select

from credit_engine.access.keys import KeyRing, UnknownKey, create_key, list_keys, revoke_key
from credit_engine.access.principal import AccessDenied, Permission, Principal, Role, Scope
from credit_engine.access.requests import IdempotencyKeyReused, IdempotentRequests, RequestInFlight
from credit_engine.access.tables import ApiKeyRow
from credit_engine.errors import InvalidInput

OFFICER_SCOPE = Scope("RCC", frozenset({"140121"}))


def test_a_key_is_stored_only_as_a_hash_and_recognised_until_revoked(service_engine):
    key, token = create_key(service_engine, "officer", "王五", OFFICER_SCOPE)
    with service_engine.connect() as connection:
        row = connection.execute(select(ApiKeyRow).where(ApiKeyRow.key_id == key.key_id)).one()
    secret = token.split("_", 2)[2]
    assert secret not in str(tuple(row)) and row.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    ring = KeyRing(service_engine)
    ring.refresh()
    assert ring.principal_for(token) == Principal(key.key_id, "王五", Role.OFFICER, OFFICER_SCOPE)
    assert ring.principal_for(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    revoke_key(service_engine, key.key_id)
    ring.refresh()
    assert ring.principal_for(token) is None
    assert key.key_id in {k.key_id for k in list_keys(service_engine) if k.revoked_at is not None}


def test_a_key_created_after_the_last_refresh_is_found_on_first_use(service_engine):
    ring = KeyRing(service_engine, refresh_seconds=3600)
    ring.refresh()
    ring._loaded_at -= 2  # the last refresh was two seconds ago
    _, token = create_key(service_engine, "auditor", "审计", Scope())
    assert ring.principal_for(token) is None
    assert ring.refresh_for_unknown(token) and ring.principal_for(token) is not None
    assert not ring.refresh_for_unknown("ce_" + "0" * 12 + "_" + "x" * 43)  # at most once a second


def test_revoking_an_unknown_key_says_so(service_engine):
    with pytest.raises(UnknownKey):
        revoke_key(service_engine, "000000000000")


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        ("officer", Scope(None, frozenset({"140121"}))),  # no bank
        ("officer", Scope("RCC")),  # no county or province
        ("fund_admin", Scope()),
        ("auditor", Scope("RCC")),
        ("fund_admin", Scope(None, frozenset({"14012"}))),
        ("chief", Scope()),
    ],
)
def test_a_scope_that_does_not_fit_the_role_is_refused(service_engine, role, scope):
    with pytest.raises(InvalidInput):
        create_key(service_engine, role, "x", scope)


def test_roles_and_scopes_decide_what_and_where():
    officer = Principal("k", "o", Role.OFFICER, OFFICER_SCOPE)
    admin = Principal("a", "p", Role.FUND_ADMIN, Scope(None, frozenset(), "14"))
    auditor = Principal("u", "u", Role.AUDITOR, Scope())
    officer.require_fund(Permission.WRITE_LOANS, "140121", "RCC")
    for county, bank in (("140122", "RCC"), ("140121", "ABC")):
        with pytest.raises(AccessDenied):
            officer.require_fund(Permission.WRITE_LOANS, county, bank)
    admin.require_county(Permission.READ_REPORTS, "140727")
    with pytest.raises(AccessDenied):
        admin.require_county(Permission.READ_REPORTS, "150102")
    with pytest.raises(AccessDenied):
        auditor.require(Permission.WRITE_FUNDS)
    with pytest.raises(AccessDenied):
        officer.require(Permission.READ_REPORTS)


def test_a_write_runs_once_per_key_then_replays_refuses_or_waits(service_engine):
    requests = IdempotentRequests(service_engine)
    key = uuid.uuid4().hex
    assert requests.begin("k1", key, "a" * 64) is None
    with pytest.raises(RequestInFlight):
        requests.begin("k1", key, "a" * 64)
    with pytest.raises(IdempotencyKeyReused):
        requests.begin("k1", key, "b" * 64)
    assert requests.begin("k2", key, "b" * 64) is None  # keys are per API key
    requests.finish("k1", key, 201, '{"ok": true}')
    stored = requests.begin("k1", key, "a" * 64)
    assert (stored.status_code, stored.body) == (201, '{"ok": true}')


def test_a_failed_write_gives_its_key_back_and_an_abandoned_claim_expires(service_engine):
    now = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]
    requests = IdempotentRequests(service_engine, stale_after=dt.timedelta(minutes=2), clock=lambda: now[0])
    key = uuid.uuid4().hex
    assert requests.begin("k1", key, "a" * 64) is None
    requests.abandon("k1", key)
    assert requests.begin("k1", key, "c" * 64) is None  # after a failure the body may change
    now[0] += dt.timedelta(minutes=3)  # the process holding the claim died
    assert requests.begin("k1", key, "c" * 64) is None
