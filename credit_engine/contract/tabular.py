"""Reading and writing application tables: CSV, XLSX and Parquet, with 中文 or English headers.

:func:`read_table` returns raw values for :func:`~credit_engine.contract.validation.validate_applications`: CSV and
XLSX cells come back as text exactly as written (empty cells as ``""``, nothing coerced), Parquet keeps its types;
headers are mapped to field names through the contract's aliases. CSV and XLSX go through the project's bounded
reader (:mod:`credit_engine.tablefile`: hard limits on bytes, rows, columns and cells; CSV in UTF-8, with or without
BOM, or GB18030 as Chinese Excel exports often are); :func:`require_contract_headers` refuses, once, a table none
of whose headers is a contract field. :func:`write_table` writes CSV with a BOM (so Excel shows
中文 correctly), XLSX through openpyxl's write-only mode with a bold, frozen header row, and Parquet;
:func:`write_rejects` writes the errors of a validation beside the output.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from credit_engine.cell_text import csv_text, inert_cell, xlsx_value, xml_text
from credit_engine.contract.fields import APPLICATION_FIELDS, FIELD_BY_NAME, normalise_headers
from credit_engine.errors import InvalidInput, RowError
from credit_engine.tablefile import TableLimits, read_rows
from credit_engine.tablefile.limits import too_many_columns, too_many_rows

SUFFIXES = (".csv", ".xlsx", ".parquet")
REJECT_COLUMNS = ("row", "field", "rule", "message", "value")
XLSX_MAX_ROWS = 1_048_576
COLUMN_MARGIN = 100
FILE_LIMITS = TableLimits(max_rows=10_000_000, max_columns=len(APPLICATION_FIELDS) + COLUMN_MARGIN)
"""Limits of a registry file read from disk (``rate``, training): any size a machine can rate, bounded lines,
cells and columns (the contract's width plus a margin for a registry's own columns)."""
_CHUNK_ROWS = 50_000


def read_table(path: str | Path, limits: TableLimits | None = None) -> pd.DataFrame:
    """A table by suffix (``.csv``, ``.xlsx``, ``.parquet``) with contract headers renamed to field names.

    CSV and XLSX are read through the bounded reader (:func:`credit_engine.tablefile.read_rows`) within ``limits``
    (default :data:`FILE_LIMITS`; a file over one raises :class:`~credit_engine.tablefile.TableTooLarge`). Raises
    ``ValueError`` for another suffix, ``FileNotFoundError`` for a missing file and
    :class:`~credit_engine.errors.InvalidInput` (``duplicate_column``) when two headers name the same field.
    """
    path = Path(path)
    suffix = _suffix(path)
    if suffix == ".parquet":
        frame = _read_parquet(path, limits or FILE_LIMITS)
    else:
        frame = _frame(read_rows(path, limits or FILE_LIMITS))
    return frame.set_axis(normalise_headers(frame.columns), axis=1)


def require_contract_headers(columns: Iterable[Any]) -> None:
    """One error (row 1, the header) when no header names a contract field: the file is not an application table.

    Without it, every row of such a file would report every required field as missing."""
    columns = [str(c) for c in columns]
    if any(c in FIELD_BY_NAME for c in columns):
        return
    found = ", ".join(columns[:12]) + (" …" if len(columns) > 12 else "") or "(none)"
    expected = ", ".join(f"{f.name} ({f.zh})" for f in APPLICATION_FIELDS[:6]) + " …"
    message = (
        f"no header names a field of the application contract; found: {found}; expected e.g. {expected} / "
        f"表头中没有任何申请表字段。文件表头：{found}；应有的表头如：{expected}"
    )
    raise InvalidInput([RowError(1, "file", "no_contract_columns", message, found[:200])], message)


def write_table(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    chinese_headers: bool = False,
    column_labels: Mapping[str, str] | None = None,
) -> Path:
    """Write ``frame`` (without its index) by suffix; returns the path.

    ``chinese_headers`` writes contract columns under their 中文 names (read back to the same English names);
    ``column_labels`` gives headers for other columns (or overrides any).
    """
    path = Path(path)
    suffix = _suffix(path)
    given = column_labels or {}
    labels = {column: given.get(column) or _contract_label(column, chinese_headers) for column in frame.columns}
    out = frame.rename(columns=labels).reset_index(drop=True)
    if suffix == ".parquet":
        out.to_parquet(path, index=False)
    elif suffix == ".csv":
        out.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        _write_xlsx(out, path)
    return path


def write_rejects(errors: list[RowError], path: str | Path) -> Path:
    """The errors as CSV (UTF-8 with BOM): row, field, rule, message, value; returns the path."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECT_COLUMNS)
        for error in errors:
            writer.writerow([csv_text("" if getattr(error, c) is None else getattr(error, c)) for c in REJECT_COLUMNS])
    return path


def rejects_path(output: str | Path) -> Path:
    """Where the rejects of ``output`` go: ``<stem>.rejects.csv`` beside it."""
    output = Path(output)
    return output.with_name(f"{output.stem}.rejects.csv")


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"{path}: unsupported file type {suffix or '(none)'!r}; use {', '.join(SUFFIXES)}")
    return suffix


def _contract_label(column: Any, chinese_headers: bool) -> Any:
    definition = FIELD_BY_NAME.get(column) if isinstance(column, str) else None
    return definition.zh if chinese_headers and definition is not None else column


def _read_parquet(path: Path, limits: TableLimits) -> pd.DataFrame:
    import pyarrow.parquet as pq

    shape = pq.ParquetFile(path).metadata
    if shape.num_columns > limits.max_columns:
        raise too_many_columns(limits, 1, shape.num_columns)
    if shape.num_rows > limits.max_rows:
        raise too_many_rows(limits, shape.num_rows + 1)
    return pd.read_parquet(path)


def _frame(rows: Iterator[list[str]]) -> pd.DataFrame:
    """Text cells as a frame of ``str`` columns, built a chunk of rows at a time (never a million lists at once)."""
    header = next(rows, None)
    if not header:
        for _ in rows:  # the rest is still read within the limits
            pass
        return pd.DataFrame()
    width = len(header)
    parts: list[pd.DataFrame] = []
    chunk: list[list[str]] = []
    for number, cells in enumerate(rows, start=2):
        if len(cells) > width:
            message = f"a value in column {len(cells)}, which has no header / 第 {len(cells)} 列有数据但没有表头"
            raise InvalidInput([RowError(number, "file", "cell_without_header", message, cells[-1][:64])])
        chunk.append(cells + [""] * (width - len(cells)))
        if len(chunk) == _CHUNK_ROWS:
            parts.append(_chunk_frame(chunk, width))
            chunk = []
    if chunk or not parts:
        parts.append(_chunk_frame(chunk, width))
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return frame.set_axis(header, axis=1)  # positions first: a repeated header must reach normalise_headers


def _chunk_frame(chunk: list[list[str]], width: int) -> pd.DataFrame:
    columns = list(zip(*chunk, strict=True)) if chunk else [()] * width
    return pd.DataFrame({i: pd.Series(column, dtype="str") for i, column in enumerate(columns)})


def _display_width(text: str) -> int:
    """Columns a text takes on screen: CJK and other wide characters count two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _column_width(header: Any, column: pd.Series) -> float:
    sample = [str(v) for v in column.head(200).tolist() if v is not None and not pd.isna(v)]
    widest = max([_display_width(str(header)), *map(_display_width, sample)])
    return float(min(max(widest + 2, 8), 60))


def _cell_values(column: pd.Series) -> list[Any]:
    """Python values openpyxl can write: None for missing, dates for midnight timestamps, text for categories."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        midnight = bool((column.dropna() == column.dropna().dt.normalize()).all())
        return [None if pd.isna(v) else (v.date() if midnight else v.to_pydatetime()) for v in column]
    values = column.astype(object)
    return values.where(values.notna(), None).tolist()


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    if len(frame) >= XLSX_MAX_ROWS:
        raise ValueError(f"{path}: {len(frame):,} rows do not fit in one XLSX sheet; write .parquet or .csv")
    workbook = Workbook(write_only=True)  # streams rows: a big frame never sits in memory as cells
    sheet = workbook.create_sheet("applications")
    sheet.freeze_panes = "A2"
    _write_header(sheet, frame)
    columns = [_cell_values(column) for _, column in frame.items()]
    text_columns = {i for i, (_, column) in enumerate(frame.items()) if not _is_plain(column)}
    for row in zip(*columns, strict=True):
        if text_columns:
            row = tuple(xlsx_value(sheet, v) if i in text_columns else v for i, v in enumerate(row))
        sheet.append(row)
    workbook.save(path)


def _write_header(sheet: Any, frame: pd.DataFrame) -> None:
    """Column widths (set before any row in write-only mode) and the bold header row."""
    for position, (header, column) in enumerate(frame.items(), start=1):
        sheet.column_dimensions[get_column_letter(position)].width = _column_width(header, column)
    bold = Font(bold=True)
    cells = []
    for header in frame.columns:
        cell = inert_cell(WriteOnlyCell(sheet, value=xml_text(str(header))))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _is_plain(column: pd.Series) -> bool:
    """Numbers, booleans and dates: nothing that needs a text check before Excel sees it."""
    dtype = column.dtype
    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype)
