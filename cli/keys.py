"""``credit-engine keys``: API keys — create (the key is printed once, alone on the last line), list, revoke.

Only a hash of each key is stored. Roles: ``officer`` (needs ``--bank`` and ``--county`` or ``--province``),
``fund_admin`` (``--county`` or ``--province``), ``model_admin`` and ``auditor`` (no scope).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from cli.common import console, guarded, settings

app = typer.Typer(no_args_is_help=True, help="API keys / API 密钥.")


@contextmanager
def _engine() -> Iterator:
    """The settings' database with the ledger and service tables (migrated automatically on SQLite)."""
    from credit_engine.ledger.database import open_ledger
    from credit_engine.service_db.database import ensure_migrated

    engine = open_ledger(settings())
    try:
        ensure_migrated(engine)
        yield engine
    finally:
        engine.dispose()


def _scope_text(key) -> str:  # noqa: ANN001 - an ApiKey
    scope = key.scope
    parts = [f"bank {scope.bank_code}" if scope.bank_code else ""]
    parts += [f"counties {','.join(sorted(scope.counties))}" if scope.counties else ""]
    parts += [f"province {scope.province}" if scope.province else ""]
    return "; ".join(p for p in parts if p) or "everywhere / 全部"


@app.command("create")
@guarded
def create(
    role: Annotated[str, typer.Option(help="officer | fund_admin | model_admin | auditor")],
    name: Annotated[str, typer.Option(help="Who holds the key / 持有人.")],
    bank: Annotated[str | None, typer.Option(help="Partner bank code (officers) / 银行.")] = None,
    county: Annotated[list[str] | None, typer.Option(help="County code, repeatable / 县代码.")] = None,
    province: Annotated[str | None, typer.Option(help="2-digit province code / 省代码.")] = None,
) -> None:
    """Create a key; it is shown only now, alone on the last line / 创建密钥（仅显示一次）."""
    from credit_engine import identifiers
    from credit_engine.access.keys import create_key
    from credit_engine.access.principal import Scope

    identifiers.require_text("name", name)
    for field, kind, value in [("bank", "bank_code", bank), ("province", "province_code", province)]:
        if value is not None:
            identifiers.require_code(field, kind, value)
    for code in county or ():
        identifiers.require_code("county", "county_code", code)
    scope = Scope(bank, frozenset(county or ()), province)
    with _engine() as engine:
        key, token = create_key(engine, role, name, scope, created_by="cli")
    console.print(f"key {key.key_id}: {key.name}, {key.role}, {_scope_text(key)}", highlight=False)
    console.print("store it now, it cannot be shown again / 请立即保存，之后无法再次显示:", highlight=False)
    typer.echo(token)


@app.command("list")
@guarded
def list_keys() -> None:
    """Every key with its role and scope (never the secret) / 列出密钥."""
    from credit_engine.access.keys import list_keys as stored_keys

    with _engine() as engine:
        keys = stored_keys(engine)
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        console.print(f"{key.key_id}  {key.role:<11} {key.name}  {_scope_text(key)}  {state}", highlight=False)


@app.command("revoke")
@guarded
def revoke(key_id: Annotated[str, typer.Argument(help="The key id (ce_<key id>_…) / 密钥编号.")]) -> None:
    """Revoke a key: refused everywhere within seconds; it stays on record for the audit log / 吊销密钥."""
    import datetime as dt

    from credit_engine.access.keys import revoke_key
    from credit_engine.workspace.sessions import WebSessions

    with _engine() as engine:
        key = revoke_key(engine, key_id)
        # its workspace sessions end now, each end on the audit log (the lifetime only matters to new sessions)
        ended = WebSessions(engine, dt.timedelta(hours=settings().web_session_hours)).end_for_key(key.key_id)
    console.print(f"key {key.key_id} ({key.name}) revoked / 已吊销 at {key.revoked_at:%Y-%m-%d %H:%M:%S}Z")
    if ended:
        console.print(f"workspace sessions ended / 已结束的工作台会话: {ended}", highlight=False)
