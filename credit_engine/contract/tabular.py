"""Reading and writing application tables: CSV, XLSX and Parquet, with 中文 or English headers.

:func:`read_table` returns raw values for :func:`~credit_engine.contract.validation.validate_applications`: CSV and
XLSX cells come back as text exactly as written (empty cells as ``""``, nothing coerced), Parquet keeps its types;
headers are mapped to field names through the contract's aliases. CSV is read as UTF-8 (with or without BOM), or as
GB18030 when that fails, as Chinese Excel exports often are. :func:`write_table` writes CSV with a BOM (so Excel shows
中文 correctly), XLSX through openpyxl's write-only mode with a bold, frozen header row, and Parquet;
:func:`write_rejects` writes the errors of a validation beside the output.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from credit_engine.cell_text import csv_text, inert_cell, xlsx_value, xml_text
from credit_engine.contract.fields import FIELD_BY_NAME, normalise_headers
from credit_engine.errors import RowError

SUFFIXES = (".csv", ".xlsx", ".parquet")
REJECT_COLUMNS = ("row", "field", "rule", "message", "value")
XLSX_MAX_ROWS = 1_048_576


def read_table(path: str | Path) -> pd.DataFrame:
    """A table by suffix (``.csv``, ``.xlsx``, ``.parquet``) with contract headers renamed to field names.

    Raises ``ValueError`` for another suffix and :class:`~credit_engine.errors.InvalidInput` (``duplicate_column``)
    when two headers name the same field.
    """
    path = Path(path)
    suffix = _suffix(path)
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif suffix == ".csv":
        frame = _read_csv(path)
    else:
        frame = _read_xlsx(path)
    return frame.set_axis(normalise_headers(frame.columns), axis=1)


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


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return _read_csv_as(path, "utf-8-sig")
    except UnicodeDecodeError:
        return _read_csv_as(path, "gb18030")


def _read_csv_as(path: Path, encoding: str) -> pd.DataFrame:
    with path.open(encoding=encoding, newline="") as handle:
        header = next(csv.reader(handle), [])
    if not header:
        return pd.DataFrame()
    frame = pd.read_csv(
        path,
        encoding=encoding,
        header=0,
        names=list(range(len(header))),  # positions: pandas would rename a repeated header ("x.1")
        dtype=str,
        keep_default_na=False,
        na_filter=False,
    )
    return frame.set_axis(header, axis=1)


def _read_xlsx(path: Path) -> pd.DataFrame:
    cells = pd.read_excel(path, header=None, dtype=str, keep_default_na=False, na_filter=False, engine="calamine")
    if cells.empty:
        return pd.DataFrame()
    return cells.iloc[1:].reset_index(drop=True).set_axis([str(h) for h in cells.iloc[0]], axis=1)


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
