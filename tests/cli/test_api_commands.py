"""``credit-engine keys`` (the key alone on the last line, only its hash stored), ``audit export`` and ``migrate``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CREDIT_ENGINE_DATABASE_URL", "CREDIT_ENGINE_CONFIG", "MLFLOW_TRACKING_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    return tmp_path


def test_a_created_key_is_printed_alone_on_the_last_line_and_only_its_hash_is_kept(home: Path):
    args = ["keys", "create", "--role", "officer", "--name", "王五", "--bank", "RCC", "--county", "140121"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("ce_") and " " not in token
    assert token.split("_", 2)[2].encode() not in (home / "data" / "ledger.db").read_bytes()
    listed = runner.invoke(app, ["keys", "list"])
    assert token.split("_")[1] in listed.output and "active" in listed.output


def test_a_key_can_be_revoked_and_a_bad_scope_is_exit_2(home: Path):
    token = (
        runner.invoke(app, ["keys", "create", "--role", "auditor", "--name", "审计"]).output.strip().splitlines()[-1]
    )
    key_id = token.split("_")[1]
    assert runner.invoke(app, ["keys", "revoke", key_id]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["keys", "list"]).output
    assert runner.invoke(app, ["keys", "revoke", "000000000000"]).exit_code == 1
    assert runner.invoke(app, ["keys", "create", "--role", "officer", "--name", "x"]).exit_code == 2


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--name", "王五\x00"),
        ("--name", "王五\u202e"),
        ("--bank", "R\u200bCC"),
        ("--bank", "rcc"),
        ("--county", "14012x"),
    ],
)
def test_a_key_name_or_scope_with_hidden_characters_or_a_bad_code_is_exit_2(home: Path, option: str, value: str):
    options = {"--name": "王五", "--bank": "RCC", "--county": "140121", option: value}
    result = runner.invoke(app, ["keys", "create", "--role", "officer", *[t for kv in options.items() for t in kv]])
    assert (result.exit_code, "ce_" in result.output) == (2, False)


def test_migrate_then_an_empty_audit_export(home: Path):
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    out = home / "audit.jsonl"
    result = runner.invoke(app, ["audit", "export", "--from", "2025-01-01", "--to", "2025-01-31", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text() == ""
    bad = runner.invoke(app, ["audit", "export", "--from", "2025-02-01", "--to", "2025-01-01"])
    assert bad.exit_code == 2


def test_revoking_a_key_ends_its_workspace_sessions_at_once_on_the_audit_log(home: Path):
    import datetime as dt

    from sqlalchemy import select

    from credit_engine.access.keys import list_keys
    from credit_engine.audit.repository import entry_from_row
    from credit_engine.audit.tables import AuditRow
    from credit_engine.ledger.database import make_engine
    from credit_engine.workspace.session_audit import SESSION_END
    from credit_engine.workspace.sessions import WebSessions

    created = runner.invoke(app, ["keys", "create", "--role", "fund_admin", "--name", "管理员", "--county", "140121"])
    token = created.output.strip().splitlines()[-1]
    engine = make_engine(f"sqlite:///{home}/data/ledger.db")
    try:
        sessions = WebSessions(engine, dt.timedelta(hours=8))
        (caller,) = [key.principal for key in list_keys(engine) if key.key_id == token.split("_")[1]]
        first, second = sessions.open(caller), sessions.open(caller)
        revoked = runner.invoke(app, ["keys", "revoke", token.split("_")[1]])
        assert revoked.exit_code == 0 and "sessions ended" in revoked.output, revoked.output
        with engine.connect() as connection:
            rows = connection.execute(select(AuditRow).where(AuditRow.action == SESSION_END))
            ends = [entry_from_row(row) for row in rows]
        assert sorted(e.outcome for e in ends) == ["key_revoked", "key_revoked"]  # recorded by the revocation
        assert sessions.find(first.token) is None and sessions.find(second.token) is None
        with engine.connect() as connection:  # nothing left for the workspace to notice later: recorded once
            assert len(connection.execute(select(AuditRow).where(AuditRow.action == SESSION_END)).all()) == 2
    finally:
        engine.dispose()
