"""The outcome file: the table as Parquet, the build's definition and summary in its schema metadata.

:func:`write_outcomes` writes the rows with one Arrow type per column kind (:data:`credit_engine.outcomes.table.
COLUMNS`; an empty table still has every column) and puts under the schema metadata key :data:`METADATA_KEY` one
JSON document (:func:`build_metadata`): the effective definition with its version and fingerprint, the as-of date
and recording time, and the summary. :func:`read_metadata` reads it back from a file without reading the rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from credit_engine.outcomes.definition import OutcomeDefinition
from credit_engine.outcomes.table import COLUMNS

METADATA_KEY = b"credit_engine.outcomes"
ARROW_TYPES = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}
NOTES = {
    "label": "bad: a bad event within the window; good: the window ended by as_of without one; censored: neither "
    "yet (kept, never trained on) / 坏：表现期内发生坏事件；好：表现期已满且未发生；"
    "未成熟：尚未确定（保留，不用于训练）",
    "reject_inference": "declined and referred applications have no outcome; reject inference is out of scope, "
    "their counts are reported / 拒绝与转人工的申请没有贷后表现；未做拒绝推断，仅报告数量",
}


def build_metadata(
    definition: OutcomeDefinition, shipped: OutcomeDefinition, as_of: dt.date, known_at: dt.datetime, summary: dict
) -> dict[str, Any]:
    """The file's metadata: the effective definition (and which values the command overrode), when, and counts."""
    overridden = {
        name: {"file": shipped.canonical()[name], "effective": value}
        for name, value in definition.canonical().items()
        if shipped.canonical()[name] != value
    }
    return {
        "definition": definition.canonical(),
        "definition_version": definition.version,
        "definition_fingerprint": definition.fingerprint(),
        "file_fingerprint": shipped.fingerprint(),
        "overridden": overridden,
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat(),
        "summary": summary,
        "notes": NOTES,
    }


def write_outcomes(rows: Sequence[Mapping[str, Any]], metadata: Mapping[str, Any], out: Path) -> Path:
    """Write ``rows`` and ``metadata`` to the Parquet file ``out`` (its folder created); returns the path."""
    schema = pa.schema([pa.field(name, ARROW_TYPES[kind]) for name, kind in COLUMNS.items()])
    columns = {name: [row.get(name) for row in rows] for name in COLUMNS}
    table = pa.Table.from_pydict(columns, schema=schema)
    text = json.dumps(metadata, ensure_ascii=False, sort_keys=True)
    table = table.replace_schema_metadata({METADATA_KEY: text.encode("utf-8")})
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out)
    return out


def read_metadata(path: Path) -> dict[str, Any]:
    """The build's metadata of an outcome file."""
    found = pq.read_schema(path).metadata or {}
    return json.loads(found[METADATA_KEY].decode("utf-8"))
