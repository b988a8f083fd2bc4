"""The hard limits of a table read from a file, and the error a file over one of them raises.

Every reader of an uploaded or local table (batch assessments, bank event files, ``rate``, ``ledger import``) states
its limits: bytes on disk, data rows (checked while reading, so a file with a million rows is refused after the
first rows over the limit, never loaded), columns, characters in one CSV line, and for XLSX the uncompressed size
of the workbook's parts (read from the zip directory before anything is decompressed) and the number of shared
strings. A file over a limit raises :class:`TableTooLarge`, an ``InvalidInput`` whose one error names the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from credit_engine.errors import InvalidInput, RowError

XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_COLUMNS = 16_384


@dataclass(frozen=True, slots=True)
class TableLimits:
    """What a reader accepts; ``max_rows`` counts data rows (the header is not one), blank rows aside."""

    max_rows: int
    max_columns: int
    max_bytes: int = 2 * 1024**3
    max_line_chars: int = 1_000_000
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    max_unzipped_bytes: int = 4 * 1024**3
    max_zip_members: int = 1_000
    max_blank_rows: int = 10_000
    max_shared_strings: int = 2_000_000


class TableTooLarge(InvalidInput):
    """The file is over one of the reader's limits; ``limit`` is the rule's name (``max_rows`` …)."""

    def __init__(self, limit: str, message: str, value: object | None = None, row: int | None = None) -> None:
        self.limit = limit
        shown = None if value is None else str(value)[:64]
        super().__init__([RowError(row, "file", limit, message, shown)], message)


class UnreadableTable(InvalidInput):
    """The file is not a table the reader understands (broken zip, bad XML, undecodable text …)."""

    def __init__(self, message: str, rule: str = "file_unreadable") -> None:
        super().__init__([RowError(None, "file", rule, message)], message)


def too_many_rows(limits: TableLimits, row: int) -> TableTooLarge:
    n = f"{limits.max_rows:,}"
    message = f"more than {n} data rows (the limit) / 数据行超过上限 {n} 行"
    return TableTooLarge("max_rows", message, None, row)


def too_many_blank_rows(limits: TableLimits, row: int) -> TableTooLarge:
    n = f"{limits.max_blank_rows:,}"
    message = f"more than {n} blank rows (the limit) / 空行超过上限 {n} 行"
    return TableTooLarge("max_blank_rows", message, None, row)


def too_many_columns(limits: TableLimits, row: int, column: int) -> TableTooLarge:
    n = f"{limits.max_columns:,}"
    message = f"a value in column {column:,}: at most {n} columns (the limit) / 列数超过上限 {n} 列"
    return TableTooLarge("max_columns", message, column, row)


def too_long_cell(limits: TableLimits, row: int) -> TableTooLarge:
    n = f"{limits.max_cell_chars:,}"
    message = f"a cell longer than {n} characters (the limit) / 单元格超过 {n} 个字符"
    return TableTooLarge("max_cell_chars", message, None, row)
