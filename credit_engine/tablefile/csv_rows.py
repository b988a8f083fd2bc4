"""CSV files as rows of text cells, read line by line within the limits (a 1 GB line or a million columns is
refused, never held in memory).

The text is UTF-8 (with or without BOM) or, when that fails, GB18030 as Chinese Excel exports often are; the whole
file is checked for its encoding first (a streaming decode, nothing kept), so no row is handed out before the
encoding is known. Lines are read with a bounded ``readline``; the ``csv`` module then splits them (quoted newlines
join lines, as Excel writes them).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

from credit_engine.tablefile.limits import TableLimits, TableTooLarge, UnreadableTable, too_long_cell

_CHUNK = 1024 * 1024


def csv_rows(path: Path, limits: TableLimits) -> Iterator[list[str]]:
    """Every record of the file as a list of text cells (the header first), each within ``limits``."""
    encoding = _encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        try:
            for cells in csv.reader(_lines(handle, limits)):
                if any(len(cell) > limits.max_cell_chars for cell in cells):
                    raise too_long_cell(limits, None)
                yield cells
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise too_long_cell(limits, None) from None
            raise UnreadableTable(f"not a readable CSV file ({error}) / 无法读取该 CSV 文件") from None


def _encoding(path: Path) -> str:
    """``utf-8-sig`` if the whole file decodes as UTF-8, else ``gb18030`` if it decodes as that."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnreadableTable("the file is neither UTF-8 nor GB18030 text / 文件编码不是 UTF-8 或 GB18030")


def _lines(handle, limits: TableLimits) -> Iterator[str]:
    """The file's lines, each at most ``limits.max_line_chars`` characters (else :class:`TableTooLarge`)."""
    number = 0
    while line := handle.readline(limits.max_line_chars + 1):
        number += 1
        if len(line) > limits.max_line_chars:
            n = f"{limits.max_line_chars:,}"
            message = f"line {number:,} is longer than {n} characters (the limit) / 该行超过 {n} 个字符"
            raise TableTooLarge("max_line_chars", message, None, number)
        yield line
