"""``credit-engine audit export``: the audit log of a period — every assessment and ledger write, who, when, with
which model and policy, on which input, with which outcome — as JSON lines or CSV (ID numbers never raw)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.common import err_console, guarded, settings
from cli.options import day

app = typer.Typer(no_args_is_help=True, help="Audit log / 审计日志.")


@app.command("export")
@guarded
def export(
    first: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (China time) / 起始日.")],
    last: Annotated[str, typer.Option("--to", help="Last day, inclusive / 截止日.")],
    out: Annotated[Path | None, typer.Option("--out", help="Output file (.jsonl or .csv); default stdout.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="jsonl | csv (default: by suffix)")] = None,
) -> None:
    """Write the audit records of the days --from..--to / 导出审计日志."""
    from credit_engine.audit.export import audit_records, export_audit, write_records
    from credit_engine.ledger.database import open_ledger
    from credit_engine.service_db.database import ensure_migrated

    first_day, last_day = day("--from", first), day("--to", last)
    engine = open_ledger(settings())
    try:
        ensure_migrated(engine)
        if out is None:
            count = write_records(audit_records(engine, first_day, last_day), sys.stdout, fmt or "jsonl")
        else:
            count = export_audit(engine, first_day, last_day, out, fmt)
    finally:
        engine.dispose()
    err_console.print(f"{count} audit records / 条审计记录 {first_day}..{last_day}", highlight=False)
