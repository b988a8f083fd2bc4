"""XLSX workbooks as rows of text cells: the first sheet's XML streamed cell by cell, within the limits.

Nothing in the file is trusted for sizes: the ``<dimension>`` a sheet declares is ignored (openpyxl's read-only
mode and calamine allocate by it, so a 2 KB file declaring ``A1:XFD1048576`` costs gigabytes), the zip directory's
uncompressed sizes are checked before any part is opened (and ``zipfile`` never inflates a part past its declared
size), shared strings are counted as they are read, and a cell is looked at only when it arrives — a value beyond
the last accepted column is refused, an empty one skipped, and each cell's XML is dropped once read. Rows missing
from the XML come back as empty rows, so a row's position stays its spreadsheet row number.

Cells come back as text: shared and inline strings as written, numbers as written (integral values without a
decimal point), booleans ``True``/``False``, date-formatted numbers as ISO dates (``2025-01-02``, or
``2025-01-02 08:30:00`` with a time of day), cached formula results as their value.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from credit_engine.tablefile.limits import (
    TableLimits,
    TableTooLarge,
    UnreadableTable,
    too_long_cell,
    too_many_columns,
)

WORKBOOK = "xl/workbook.xml"
RELATIONSHIPS = "xl/_rels/workbook.xml.rels"
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_INTEGER = re.compile(r"^-?\d+$")
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAX_STYLES = 65_536
_DAMAGED = (
    zipfile.BadZipFile, zlib.error, KeyError, etree.XMLSyntaxError, ValueError, IndexError, EOFError, OverflowError,
    NotImplementedError,
)  # fmt: skip


def xlsx_rows(path: Path, limits: TableLimits) -> Iterator[list[str]]:
    """The first sheet's rows as text cells (row 1 first; missing rows as ``[]``), each within ``limits``."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableTable("not an XLSX workbook (not a zip file) / 不是有效的 XLSX 文件") from None
    with archive:
        try:
            _check_directory(archive, limits)
            sheet, epoch = _first_sheet(archive)
            strings = _shared_strings(archive, limits)
            dates = _date_styles(archive)
            with archive.open(sheet) as source:
                yield from _sheet_rows(source, strings, dates, epoch, limits)
        except _DAMAGED as error:
            message = f"the workbook is damaged ({type(error).__name__}) / XLSX 文件已损坏"
            raise UnreadableTable(message) from None


def _check_directory(archive: zipfile.ZipFile, limits: TableLimits) -> None:
    members = archive.infolist()
    if len(members) > limits.max_zip_members:
        n = f"{limits.max_zip_members:,}"
        raise TableTooLarge("max_zip_members", f"more than {n} parts in the workbook / 工作簿部件超过 {n} 个")
    unzipped = sum(member.file_size for member in members)
    if unzipped > limits.max_unzipped_bytes:
        n = f"{limits.max_unzipped_bytes:,}"
        message = f"the workbook unpacks to more than {n} bytes (the limit) / 解压后超过 {n} 字节"
        raise TableTooLarge("max_unzipped_bytes", message, unzipped)
    if any(member.flag_bits & 0x1 for member in members):
        raise UnreadableTable("the workbook is encrypted / 工作簿已加密")


def _elements(source: IO[bytes], wanted: tuple[str, ...], kept_inside: tuple[str, ...] = ()):
    """(event, element) of the ``wanted`` elements (by local name) as a part streams by: no DTD, no entities, no
    network. Any other element is dropped the moment it ends, unless it lies inside one of ``kept_inside`` (a cell's
    value until the cell is read): whatever else a hostile part holds, the tree stays one row deep."""
    inside = 0
    parser = etree.iterparse(
        source, events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    for event, element in parser:
        name = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
        if name in kept_inside:
            inside += 1 if event == "start" else -1
        if name in wanted:
            yield event, element
        elif event == "end" and not inside:
            _drop(element)


def _first_sheet(archive: zipfile.ZipFile) -> tuple[str, dt.datetime]:
    """The path of the workbook's first sheet, and the workbook's date epoch (1900 or 1904)."""
    first, epoch = None, CALENDAR_WINDOWS_1900
    with archive.open(WORKBOOK) as source:
        for event, element in _elements(source, ("sheet", "workbookPr")):
            if event == "start":
                continue
            if element.tag.endswith("workbookPr") and element.get("date1904", "0").lower() in ("1", "true"):
                epoch = CALENDAR_MAC_1904
            elif element.tag.endswith("sheet") and first is None:
                first = element.get(_R_ID)
            element.clear()
    target = None
    if first is not None and RELATIONSHIPS in archive.namelist():
        with archive.open(RELATIONSHIPS) as source:
            for event, element in _elements(source, ("Relationship",)):
                if event == "end" and element.get("Id") == first:
                    target = element.get("Target")
                element.clear()
    if target is None:
        return "xl/worksheets/sheet1.xml", epoch
    return (target.lstrip("/") if target.startswith("/") else f"xl/{target}"), epoch


def _text(element) -> str:
    """The text of a string item (``<si>`` or ``<is>``): its ``<t>`` runs, phonetic guides (``<rPh>``) left out."""
    return "".join(t.text or "" for t in element.iterfind("{*}t")) + "".join(
        t.text or "" for t in element.iterfind("{*}r/{*}t")
    )


def _shared_strings(archive: zipfile.ZipFile, limits: TableLimits) -> list[str]:
    strings: list[str] = []
    if "xl/sharedStrings.xml" not in archive.namelist():
        return strings
    with archive.open("xl/sharedStrings.xml") as source:
        for event, element in _elements(source, ("si",), ("si",)):
            if event == "start":
                continue
            if len(strings) >= limits.max_shared_strings:
                n = f"{limits.max_shared_strings:,}"
                message = f"more than {n} shared strings (the limit) / 共享字符串超过 {n} 个"
                raise TableTooLarge("max_shared_strings", message)
            text = _text(element)
            if len(text) > limits.max_cell_chars:
                raise too_long_cell(limits, None)
            strings.append(text)
            _drop(element)
    return strings


def _date_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """Indexes of the cell styles (``s`` of a cell) whose number format shows a date."""
    if "xl/styles.xml" not in archive.namelist():
        return frozenset()
    custom: dict[int, str] = {}
    formats: list[int] = []
    with archive.open("xl/styles.xml") as source:
        for event, element in _elements(source, ("numFmt", "xf")):
            if event == "start":
                continue
            if element.tag.endswith("numFmt"):
                custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
            elif element.getparent() is not None and element.getparent().tag.endswith("cellXfs"):
                formats.append(int(element.get("numFmtId", "0")))
                if len(formats) > _MAX_STYLES:
                    raise UnreadableTable("more cell styles than Excel allows / 单元格样式过多")
            element.clear()
    return frozenset(
        index
        for index, number_format in enumerate(formats)
        if is_date_format(custom.get(number_format) or BUILTIN_FORMATS.get(number_format) or "")
    )


def _sheet_rows(source, strings: list[str], dates: frozenset[int], epoch, limits: TableLimits):
    last_row = 0
    row_number, column = 0, 0
    cells: list[str] = []
    for event, element in _elements(source, ("row", "c"), ("c",)):
        if element.tag.endswith("row"):
            if event == "start":
                row_number = _row_number(element.get("r"), last_row)
                column, cells = 0, []
                continue
            for _ in range(last_row + 1, row_number):
                yield []
            last_row = row_number
            yield cells
            _drop(element)
            continue
        if event == "start":
            continue
        column = _column(element.get("r"), column)
        value = _value(element, strings, dates, epoch)
        _drop(element)
        if not value:
            continue
        if column > limits.max_columns:
            raise too_many_columns(limits, row_number, column)
        if len(value) > limits.max_cell_chars:
            raise too_long_cell(limits, row_number)
        cells.extend([""] * (column - len(cells) - 1))
        cells.append(value)


def _row_number(reference: str | None, last_row: int) -> int:
    number = int(reference) if reference is not None else last_row + 1
    if number <= last_row or number > 1_048_576:
        raise ValueError("rows out of order")
    return number


def _column(reference: str | None, previous: int) -> int:
    if reference is None:
        return previous + 1
    found = _REF.match(reference)
    if found is None:
        raise ValueError("bad cell reference")
    number = 0
    for letter in found.group(1).upper():
        number = number * 26 + ord(letter) - 64
    if number <= previous:
        raise ValueError("cells out of order")
    return number


def _value(cell, strings: list[str], dates: frozenset[int], epoch) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        found = cell.find("{*}is")
        return "" if found is None else _text(found)
    raw = cell.findtext("{*}v")
    if raw is None or raw == "":
        return ""
    if kind == "s":
        index = int(raw)
        if index < 0:
            raise ValueError("negative shared string index")
        return strings[index]
    if kind == "b":
        return "True" if raw.strip() in ("1", "true") else "False"
    if kind in ("str", "e"):
        return raw
    if kind == "d":
        return _iso(dt.datetime.fromisoformat(raw.strip()))
    if int(cell.get("s", "0")) in dates:
        return _iso(from_excel(float(raw), epoch))
    return _number(raw.strip())


def _number(raw: str) -> str:
    if _INTEGER.match(raw):
        return raw
    value = float(raw)
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else raw


def _iso(value: dt.datetime | dt.date | dt.time | dt.timedelta) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.timedelta):
        return str(value)
    return value.isoformat()


def _drop(element) -> None:
    """Forget a parsed element and the siblings before it: the tree never grows past one row."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
