"""One bounded reader of CSV and XLSX tables, shared by every upload and file reader of the project.

:func:`read_rows` hands out a file's rows as lists of text cells — the header row first, then every data row —
and refuses a file the moment it passes one of the caller's :class:`TableLimits`: bytes on disk (before anything is
read), data rows and blank rows (counted while reading), columns holding a value, characters per cell and per CSV
line, and for XLSX the workbook's uncompressed size and shared strings. Blank rows between data rows come back as
``[]`` (a row's position stays its spreadsheet row number); blank rows after the last data row are dropped. The
readers of the application contract (:mod:`credit_engine.contract.tabular`) and of bank event files
(:mod:`credit_engine.ledger.eventfile`) build on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from credit_engine.errors import InvalidInput, RowError
from credit_engine.tablefile.csv_rows import csv_rows
from credit_engine.tablefile.limits import (
    XLSX_MAX_COLUMNS,
    XLSX_MAX_ROWS,
    TableLimits,
    TableTooLarge,
    UnreadableTable,
    too_many_blank_rows,
    too_many_columns,
    too_many_rows,
)
from credit_engine.tablefile.xlsx_rows import xlsx_rows

XLSX_SUFFIXES = (".xlsx", ".xlsm")
SUFFIXES = (".csv", *XLSX_SUFFIXES)

__all__ = [
    "SUFFIXES",
    "XLSX_MAX_COLUMNS",
    "XLSX_MAX_ROWS",
    "TableLimits",
    "TableTooLarge",
    "UnreadableTable",
    "checked_suffix",
    "read_rows",
]


def checked_suffix(filename: str | None, allowed: tuple[str, ...] = SUFFIXES) -> str:
    """The lower-case suffix of an uploaded file's name, if it is one of ``allowed`` (else ``InvalidInput``)."""
    name = filename or ""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix not in allowed:
        shown = suffix[:16] + ("…" if len(suffix) > 16 else "")
        message = f"upload a {' or '.join(allowed)} file / 请上传 {' 或 '.join(allowed)} 文件"
        raise InvalidInput([RowError(None, "file", "file_type", message, shown or "(none)")])
    return suffix


def read_rows(path: Path, limits: TableLimits) -> Iterator[list[str]]:
    """The rows of a CSV or XLSX file (by suffix) as text cells, header first, within ``limits``."""
    path = Path(path)
    size = path.stat().st_size
    if size > limits.max_bytes:
        n = f"{limits.max_bytes:,}"
        raise TableTooLarge("max_bytes", f"the file is over {n} bytes (the limit) / 文件超过 {n} 字节", size)
    source = xlsx_rows if path.suffix.lower() in XLSX_SUFFIXES else csv_rows
    return _bounded(source(path, limits), limits)


def _bounded(rows: Iterator[list[str]], limits: TableLimits) -> Iterator[list[str]]:
    data_rows = blank_rows = pending = 0
    for number, cells in enumerate(rows, start=1):
        while cells and not cells[-1].strip():
            cells.pop()
        if len(cells) > limits.max_columns:
            raise too_many_columns(limits, number, len(cells))
        if number == 1:
            yield cells
            continue
        if not cells:
            blank_rows += 1
            pending += 1
            if blank_rows > limits.max_blank_rows:
                raise too_many_blank_rows(limits, number)
            continue
        data_rows += 1
        if data_rows > limits.max_rows:
            raise too_many_rows(limits, number)
        for _ in range(pending):
            yield []
        pending = 0
        yield cells
