"""Hostile callers and faults: a key reverses only what it may post, the audit never misses a ledger write, a
database that is down at start-up locks no valid key out, and a fund left over its cap refuses loans.

Every test runs against an app on each backend (SQLite always, PostgreSQL when configured) with its own database
objects (funds and keys of their own), so the tests do not depend on one another.
"""

from __future__ import annotations

import contextlib
import io
import os
import uuid

import pytest

pytestmark = pytest.mark.xdist_group("test_rights_and_faults")  # one worker: the module shares its apps
PG_ENV = "CREDIT_ENGINE_TEST_DATABASE_URL"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    *([pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)] if os.environ.get(PG_ENV) else []),
]


@pytest.fixture(scope="module", params=BACKENDS)
def api(request, api_for, settings_factory, mlflow_store, empty_database, tmp_path_factory):
    """The app on a database of its own per backend (overrides the SQLite-only ``api`` of tests/api/conftest.py;
    not the ledger suite's database, which must hold only the ledger's tables)."""
    with empty_database(request.param, "hostile") as url:
        settings = settings_factory(tmp_path_factory.mktemp("hostile"), mlflow_store[0], url)
        with api_for(settings) as api:
            yield api


def _fund(api, yuan="100000") -> str:
    fund_id = f"F-{uuid.uuid4().hex[:8]}"
    api.open_fund(fund_id, yuan=yuan)  # cap 10× the balance
    return fund_id


def _loan(fund_id: str, loan_id: str, yuan=30000) -> dict:
    body = {"fund_id": fund_id, "loan_id": loan_id, "product": "fumin", "borrower_ref": f"hh-{loan_id}"}
    return body | {"amount_yuan": yuan, "value_date": "2025-02-01", "maturity_date": "2026-02-01"}


def _reverse(api, token: str, fund_id: str, event_id: str):
    body = {"reverses_event_id": event_id}
    return api.post(token, f"/v1/funds/{fund_id}/reversals", body, key=f"rev-{uuid.uuid4().hex[:8]}")


def _balance(api, fund_id: str) -> float:
    return api.get(api.keys.auditor, f"/v1/funds/{fund_id}").json()["fund_balance_yuan"]


# ------------------------------------------------------------------------------------------ item 3: reversals
@pytest.mark.parametrize("kind", ["clawbacks", "contributions"])
def test_an_officer_cannot_reverse_a_fund_administrators_event(api, kind):
    fund_id = _fund(api)
    money, event = {"value_date": "2025-03-01", "amount_yuan": 1000}, f"money-{fund_id}"
    assert api.post(api.keys.fund_admin, f"/v1/funds/{fund_id}/{kind}", money, key=event).status_code == 201
    before = _balance(api, fund_id)
    refused = _reverse(api, api.keys.officer, fund_id, event)
    assert refused.status_code == 403 and refused.json()["error"] == "Forbidden"
    assert _balance(api, fund_id) == before
    assert _reverse(api, api.keys.fund_admin, fund_id, event).status_code == 201


def test_a_fund_administrator_cannot_reverse_an_officers_disbursement(api):
    fund_id = _fund(api)
    assert api.post(api.keys.officer, "/v1/loans", _loan(fund_id, "RL-1"), key=f"RL-1-{fund_id}").status_code == 201
    refused = _reverse(api, api.keys.fund_admin, fund_id, f"RL-1-{fund_id}")
    assert refused.status_code == 403
    assert api.get(api.keys.officer, f"/v1/funds/{fund_id}/loans/RL-1").json()["state"] == "active"
    reversed_ = _reverse(api, api.keys.officer, fund_id, f"RL-1-{fund_id}")
    assert reversed_.status_code == 201, reversed_.text


def test_an_officers_event_file_cannot_reverse_a_contribution(api):
    fund_id = _fund(api)
    money = {"value_date": "2025-03-01", "amount_yuan": 1000}
    event = f"money-{fund_id}"
    assert api.post(api.keys.fund_admin, f"/v1/funds/{fund_id}/contributions", money, key=event).status_code == 201
    before = _balance(api, fund_id)
    csv = (
        "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,reverses_event_id\n"
        f"EV-R1,reversal,2025-03-01,{fund_id},,,,,{event}\n"
    )
    files = {"file": ("events.csv", io.BytesIO(csv.encode()), "text/csv")}
    response = api.post(api.keys.officer, "/v1/ledger/event-files", files=files, key=f"file-{fund_id}")
    assert response.status_code == 403, response.text
    assert _balance(api, fund_id) == before


def test_an_officers_event_file_may_reverse_a_loan_it_disburses_in_the_same_file(api):
    fund_id = _fund(api)
    csv = (
        "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,maturity_date,"
        "reverses_event_id\n"
        f"EV-D1,disbursement,2025-03-01,{fund_id},FL-R1,fumin,hh-1,20000,2026-03-01,\n"
        f"EV-R2,reversal,2025-03-01,{fund_id},,,,,,EV-D1\n"
    )
    files = {"file": ("events.csv", io.BytesIO(csv.encode()), "text/csv")}
    response = api.post(api.keys.officer, "/v1/ledger/event-files", files=files, key=f"file-{fund_id}")
    assert response.status_code == 200, response.text
    assert response.json()["posted"] == 2


# ------------------------------------------------------------------------------------- item 11: over the cap
def test_a_fund_a_clawback_left_over_its_cap_says_over_cap_and_refuses_loans_with_409(api):
    fund_id = _fund(api, yuan="10000")  # cap 100,000 yuan
    for loan in ("OC-1", "OC-2"):
        response = api.post(api.keys.officer, "/v1/loans", _loan(fund_id, loan, 45000), key=f"{loan}-{fund_id}")
        assert response.status_code == 201
    money = {"value_date": "2025-03-01", "amount_yuan": 2000}
    assert (
        api.post(api.keys.fund_admin, f"/v1/funds/{fund_id}/clawbacks", money, key=f"claw-{fund_id}").status_code == 201
    )
    position = api.get(api.keys.auditor, f"/v1/funds/{fund_id}").json()
    assert (position["status"], position["over_cap_yuan"], position["headroom_yuan"]) == ("over_cap", 10000, 0)
    refused = api.post(api.keys.officer, "/v1/loans", _loan(fund_id, "OC-3", 1000), key=f"OC-3-{fund_id}")
    assert refused.status_code == 409 and refused.json()["error"] == "FundOverCap"
    assert "超上限" in refused.json()["message_zh"]


# -------------------------------------------------------------------------- item 8: the audit of ledger writes
_FAILING_AUDIT = {
    "sqlite": [
        "CREATE TRIGGER audit_fails BEFORE INSERT ON audit_record WHEN NEW.resource_id LIKE 'BOOM-%' "
        "BEGIN SELECT RAISE(ABORT, 'audit append failed'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION audit_fails() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF left(NEW.resource_id, 5) = 'BOOM-' THEN RAISE EXCEPTION 'audit append failed'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER audit_fails BEFORE INSERT ON audit_record FOR EACH ROW EXECUTE FUNCTION audit_fails()",
    ],
}
_WORKING_AUDIT = {
    "sqlite": ["DROP TRIGGER audit_fails"],
    "postgresql": ["DROP TRIGGER audit_fails ON audit_record", "DROP FUNCTION audit_fails()"],
}


def _run_sql(api, statements: list[str]) -> None:
    with api.services.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def _audit_outcomes(api, resource_id: str) -> list[str]:
    from sqlalchemy import select

    from credit_engine.audit.tables import AuditRow

    query = select(AuditRow.outcome).where(AuditRow.resource_id == resource_id, AuditRow.action.like("ledger.%"))
    with api.services.engine.connect() as connection:
        return sorted(connection.scalars(query))


def test_a_ledger_write_whose_audit_entry_cannot_be_stored_is_not_posted_and_a_retry_posts_both(api):
    fund_id, backend = _fund(api), api.services.engine.dialect.name
    loan_id = f"BOOM-{fund_id}"
    _run_sql(api, _FAILING_AUDIT[backend])
    try:
        failed = api.post(api.keys.officer, "/v1/loans", _loan(fund_id, loan_id), key=loan_id)
    finally:
        _run_sql(api, _WORKING_AUDIT[backend])
    assert failed.status_code == 503, failed.text
    assert api.get(api.keys.officer, f"/v1/funds/{fund_id}/loans/{loan_id}").status_code == 404
    assert _audit_outcomes(api, loan_id) == []
    retried = api.post(api.keys.officer, "/v1/loans", _loan(fund_id, loan_id), key=loan_id)
    assert retried.status_code == 201, retried.text
    assert _audit_outcomes(api, loan_id) == ["posted"]


def test_a_posted_write_is_on_record_even_if_the_audit_writer_never_gets_to_it(api):
    """A process killed right after the ledger commit: the audit writer thread never runs (here: it is stopped)."""
    fund_id = _fund(api)
    audit = api.services.audit
    audit.close()
    try:
        posted = api.post(api.keys.officer, "/v1/loans", _loan(fund_id, "CR-1"), key=f"CR-1-{fund_id}")
    finally:
        audit.start()
    assert posted.status_code == 201, posted.text
    assert _audit_outcomes(api, "CR-1") == ["posted"]
    replayed = api.post(api.keys.officer, "/v1/loans", _loan(fund_id, "CR-1"), key=f"CR-1-{fund_id}")
    assert replayed.status_code == 201 and _audit_outcomes(api, "CR-1") == ["posted"]


def test_every_event_of_an_event_file_posted_has_its_audit_entry_in_the_same_transaction(api):
    fund_id = _fund(api)
    csv = (
        "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,maturity_date\n"
        f"EV-A1,disbursement,2025-03-01,{fund_id},BOOM-F{fund_id},fumin,hh-1,20000,2026-03-01\n"
        f"EV-A2,disbursement,2025-03-01,{fund_id},FA-{fund_id},fumin,hh-2,20000,2026-03-01\n"
    )
    backend = api.services.engine.dialect.name
    _run_sql(api, _FAILING_AUDIT[backend])
    try:
        files = {"file": ("events.csv", io.BytesIO(csv.encode()), "text/csv")}
        failed = api.post(api.keys.officer, "/v1/ledger/event-files", files=files, key=f"file-{fund_id}")
    finally:
        _run_sql(api, _WORKING_AUDIT[backend])
    assert failed.status_code == 503
    assert api.get(api.keys.officer, f"/v1/funds/{fund_id}/loans/BOOM-F{fund_id}").status_code == 404
    files = {"file": ("events.csv", io.BytesIO(csv.encode()), "text/csv")}
    retried = api.post(api.keys.officer, "/v1/ledger/event-files", files=files, key=f"file-{fund_id}")
    assert retried.status_code == 200 and retried.json()["posted"] == 2
    assert _audit_outcomes(api, f"BOOM-F{fund_id}") == _audit_outcomes(api, f"FA-{fund_id}") == ["posted"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_audit_spool_is_drained_only_into_the_database_it_was_written_for(backend, empty_database, tmp_path):
    import datetime as dt

    from api.audit_writer import AuditWriter
    from credit_engine.audit.entry import AuditEntry
    from credit_engine.audit.repository import AuditRepository
    from credit_engine.ledger.database import make_engine
    from credit_engine.service_db.database import migrate

    def entry() -> AuditEntry:
        at = dt.datetime.now(dt.UTC)
        return AuditEntry(
            record_id=uuid.uuid4().hex,
            action="assessment",
            recorded_at=at,
            key_id="k",
            input_sha256="0" * 64,
            outcome="refer",
        )

    def recorded(engine, made: AuditEntry) -> None:
        log = AuditWriter(AuditRepository(engine), tmp_path)
        log.start()
        try:
            log.record(made)
        finally:
            log.close()

    with empty_database(backend, "spool_a") as url_a, empty_database(backend, "spool_b") as url_b:
        engine_a, engine_b = make_engine(url_a), make_engine(url_b)
        try:
            migrate(engine_b)
            for_a, for_b, later_a = entry(), entry(), entry()
            recorded(engine_a, for_a)  # A has no audit table yet: the entry goes to A's spool
            assert [p.name for p in tmp_path.iterdir()] and for_a.record_id in next(tmp_path.iterdir()).read_text()
            recorded(engine_b, for_b)  # B is up: it must leave A's spool alone
            b_log = AuditRepository(engine_b)
            assert (b_log.get(for_a.record_id), b_log.get(for_b.record_id)) == (None, for_b)
            assert len(list(tmp_path.iterdir())) == 1
            migrate(engine_a)
            recorded(engine_a, later_a)  # A is up again: its spool is drained into A
            a_log = AuditRepository(engine_a)
            assert (a_log.get(for_a.record_id), a_log.get(later_a.record_id)) == (for_a, later_a)
            assert list(tmp_path.iterdir()) == []
        finally:
            engine_a.dispose()
            engine_b.dispose()


# ------------------------------------------------------------------- item 9: the database down at start-up
@contextlib.contextmanager
def _unreachable(backend: str, url: str, home):
    """Make the database of ``url`` unreachable under the same URL (SQLite: its file moved away and something that
    is not a database in its place; PostgreSQL: the database renamed), and bring it back afterwards."""
    if backend == "sqlite":
        path = home / "db" / "engine.db"
        path.rename(path.with_suffix(".away"))
        path.write_bytes(b"not a database " * 100)
        try:
            yield
        finally:
            path.with_suffix(".away").replace(path)
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    admin = create_engine(os.environ[PG_ENV], isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" RENAME TO "{name}_away"')
        try:
            yield
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'ALTER DATABASE "{name}_away" RENAME TO "{name}"')
    finally:
        admin.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_started_with_the_database_down_valid_keys_still_work_from_the_last_known_key_table(
    backend, api_for, settings_factory, mlflow_store, empty_database, tmp_path, api_application
):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.services import ApiOptions
    from credit_engine.access.keys import revoke_key

    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            (tmp_path / "db").mkdir()
            url = f"sqlite:///{tmp_path / 'db' / 'engine.db'}"
        else:
            url = stack.enter_context(empty_database(backend, "keysdown"))
        settings = settings_factory(tmp_path, mlflow_store[0], url)
        with api_for(settings) as api:  # the keys are loaded once: the cache is written
            keys = api.keys
            revoke_key(api.services.engine, keys.other_officer.split("_")[1])
            api.services.keys.refresh()
        cached = list(settings.data_dir.glob("api-keys-*.json"))
        assert len(cached) == 1 and cached[0].stat().st_mode & 0o777 == 0o600
        assert keys.officer.split("_", 2)[2] not in cached[0].read_text()  # hashes only, never a secret
        options = ApiOptions(key_refresh_seconds=0.5, fund_refresh_seconds=0.5)
        with _unreachable(backend, url, tmp_path), TestClient(create_app(settings, options)) as client:
            header = lambda token: {"Authorization": f"Bearer {token}"}  # noqa: E731
            assessed = client.post("/v1/fumin/assessments", json=api_application, headers=header(keys.officer))
            revoked = client.post("/v1/fumin/assessments", json=api_application, headers=header(keys.other_officer))
            unknown = client.get("/v1/funds", headers=header(f"ce_{'0' * 12}_{'A' * 43}"))
            malformed = client.get("/v1/funds", headers=header("ce_not_a_key"))
        assert assessed.status_code == 200, assessed.text
        assert assessed.json()["fund"]["status"] == "unknown" and assessed.json()["decision"] in ("refer", "decline")
        assert (revoked.status_code, unknown.status_code, malformed.status_code) == (401, 503, 401)
        assert unknown.json()["error"] == "KeysUnavailable"
