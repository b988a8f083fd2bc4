"""Exporting the audit log for a period: every record from one date to another, as JSON lines or CSV.

Dates are calendar days in China time (the bank's day), both inclusive. Records come out in the order they were
recorded. CSV puts ``detail`` in one JSON column and makes cells a spreadsheet would run as formulas inert. Nothing
in the log holds a raw ID number, so the export holds none either.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine

from credit_engine.audit.entry import AuditEntry
from credit_engine.audit.repository import AuditRepository
from credit_engine.cell_text import csv_text
from credit_engine.errors import InvalidInput, RowError
from credit_engine.ledger.domain import CHINA

COLUMNS = tuple(AuditEntry.__dataclass_fields__)
FORMATS = ("jsonl", "csv")


def _bounds(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    if last_day < first_day:
        raise InvalidInput([RowError(None, "to", "not_before_from", "--to is before --from / 结束日期早于开始日期")])
    start = dt.datetime.combine(first_day, dt.time(0), CHINA)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), CHINA)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def audit_records(engine: Engine, first_day: dt.date, last_day: dt.date) -> Iterator[AuditEntry]:
    """Every record of the days ``first_day``..``last_day`` (China time), oldest first."""
    start, end = _bounds(first_day, last_day)
    yield from AuditRepository(engine).between(start, end)


def write_records(entries: Iterator[AuditEntry], handle: TextIO, fmt: str) -> int:
    """Write ``entries`` to an open text file as ``jsonl`` or ``csv``; returns how many were written."""
    count = 0
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
    for entry in entries:
        if writer is None:
            handle.write(json.dumps(entry.as_json(), ensure_ascii=False) + "\n")
        else:
            values = entry.as_json() | {"detail": json.dumps(dict(entry.detail), ensure_ascii=False, sort_keys=True)}
            writer.writerow({key: csv_text(value) for key, value in values.items()})
        count += 1
    return count


def export_audit(engine: Engine, first_day: dt.date, last_day: dt.date, out: Path, fmt: str | None = None) -> int:
    """Write the records of a period to ``out`` (format from ``fmt`` or the suffix: ``.csv``, else JSON lines)."""
    fmt = fmt or ("csv" if Path(out).suffix.lower() == ".csv" else "jsonl")
    if fmt not in FORMATS:
        raise InvalidInput([RowError(None, "format", "choice", "jsonl or csv / 须为 jsonl 或 csv", fmt)])
    records = audit_records(engine, first_day, last_day)
    with Path(out).open("w", newline="", encoding="utf-8-sig" if fmt == "csv" else "utf-8") as handle:
        return write_records(records, handle, fmt)
