"""The bounded table reader: bombs refused (or read flat) within a small memory budget, every limit named, cells as
text exactly as written."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest

from credit_engine.errors import InvalidInput
from credit_engine.tablefile import TableLimits, TableTooLarge, UnreadableTable, checked_suffix, read_rows

LIMITS = TableLimits(max_rows=1000, max_columns=140, max_unzipped_bytes=32 * 1024**2)
BUDGET = 100 * 1024**2


def peak_of(action) -> int:
    """Peak bytes Python allocated while ``action`` ran (raising or not)."""
    tracemalloc.start()
    try:
        action()
    except InvalidInput:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def refused(path, limits=LIMITS) -> TableTooLarge:
    with pytest.raises(TableTooLarge) as caught:
        list(read_rows(path, limits))
    return caught.value


def with_dimension(path, dimension: str):
    """Rewrite the first sheet's declared ``<dimension>`` (what a hostile file would say)."""
    source = zipfile.ZipFile(path)
    parts = {name: source.read(name) for name in source.namelist()}
    source.close()
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    start = sheet.index("<dimension ref=")
    parts["xl/worksheets/sheet1.xml"] = (
        sheet[:start] + f'<dimension ref="{dimension}"/>' + sheet[sheet.index(">", start) + 1 :]
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_a_corner_bomb_is_refused_at_the_far_cell_with_flat_memory(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"], book.active["XFD1048576"] = "户主年龄", "x"
    book.save(tmp_path / "corner.xlsx")
    error = refused(tmp_path / "corner.xlsx")
    assert (error.limit, error.errors[0].row, error.errors[0].value) == ("max_columns", 1_048_576, "16384")
    assert "上限" in error.errors[0].message
    assert peak_of(lambda: list(read_rows(tmp_path / "corner.xlsx", LIMITS))) < BUDGET


def test_a_declared_dimension_is_ignored(tmp_path):
    book = openpyxl.Workbook()
    for n in range(1, 6002):
        book.active.cell(n, 1, f"E{n}")
    book.save(tmp_path / "tall.xlsx")
    path = with_dimension(tmp_path / "tall.xlsx", "A1:XFD6001")
    rows = []
    peak = peak_of(lambda: rows.extend(read_rows(path, TableLimits(max_rows=10_000, max_columns=20))))
    assert len(rows) == 6001 and {len(r) for r in rows} == {1}
    assert peak < 20 * 1024**2


def test_rows_over_the_limit_are_refused_while_reading(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("a\n" + "1\n" * 50, encoding="utf-8")
    seen = []
    with pytest.raises(TableTooLarge) as caught:
        for row in read_rows(path, TableLimits(max_rows=3, max_columns=5)):
            seen.append(row)
    assert caught.value.limit == "max_rows" and caught.value.errors[0].row == 5
    assert len(seen) == 4  # the header and three rows: nothing after the limit was read into a table


def test_a_zip_bomb_is_refused_from_the_zip_directory(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (64 * 1024**2))
    (tmp_path / "zip.xlsx").write_bytes(buffer.getvalue())
    assert len(buffer.getvalue()) < 200_000
    assert refused(tmp_path / "zip.xlsx").limit == "max_unzipped_bytes"


def test_a_csv_line_of_1_gb_is_refused_with_flat_memory(tmp_path):
    path = tmp_path / "line.csv"
    with path.open("wb") as handle:
        handle.write(b"a,b\n")
        handle.truncate(1024**3 + 4)  # a sparse file: one 1 GB line of NUL bytes, no disk used
    limits = TableLimits(max_rows=10, max_columns=10)
    assert peak_of(lambda: refused(path, limits)) < BUDGET
    assert refused(path, limits).limit == "max_line_chars"


@pytest.mark.parametrize(("columns", "limit"), [(1_000_000, "max_line_chars"), (300_000, "max_columns")])
def test_a_csv_with_a_huge_number_of_columns_is_refused(tmp_path, columns, limit):
    path = tmp_path / "wide.csv"
    path.write_text("a\n" + "x," * columns + "\n", encoding="utf-8")
    assert refused(path).limit == limit


def test_blank_rows_keep_row_numbers_and_trailing_ones_are_dropped(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("a,b\n1,2\n,\n\n3,4\n,,\n\n", encoding="utf-8")
    assert list(read_rows(path, LIMITS)) == [["a", "b"], ["1", "2"], [], [], ["3", "4"]]
    many = tmp_path / "many.csv"
    many.write_text("a\n" + "\n" * 20 + "1\n", encoding="utf-8")
    assert refused(many, TableLimits(max_rows=5, max_columns=5, max_blank_rows=10)).limit == "max_blank_rows"


def test_xlsx_cells_come_back_as_text(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["date", "moment", "yes", "int", "float", "text", "id"])
    book.active.append(
        [dt.date(2025, 1, 2), dt.datetime(2025, 1, 2, 8, 30), True, 40, 5.5, "=1+1", "140121198005171234"]
    )
    book.active["F2"].data_type = "s"
    book.save(tmp_path / "cells.xlsx")
    rows = list(read_rows(tmp_path / "cells.xlsx", LIMITS))
    assert rows[1] == ["2025-01-02", "2025-01-02 08:30:00", "True", "40", "5.5", "=1+1", "140121198005171234"]


def test_xml_entities_are_never_expanded(tmp_path):
    laughs = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    sheet = (
        f'<?xml version="1.0"?>{laughs}]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row></sheetData></worksheet>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    (tmp_path / "laughs.xlsx").write_bytes(buffer.getvalue())
    rows: list = []
    peak = peak_of(lambda: rows.extend(read_rows(tmp_path / "laughs.xlsx", LIMITS)))
    assert peak < BUDGET and all(len("".join(r)) < 1000 for r in rows)


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04broken"])
def test_a_broken_workbook_is_unreadable_not_a_crash(tmp_path, content):
    (tmp_path / "broken.xlsx").write_bytes(content)
    with pytest.raises(UnreadableTable):
        list(read_rows(tmp_path / "broken.xlsx", LIMITS))


def test_text_in_neither_utf8_nor_gb18030_is_unreadable(tmp_path):
    (tmp_path / "bytes.csv").write_bytes(b"a,b\n\x80\xff,1\n")
    with pytest.raises(UnreadableTable, match="GB18030"):
        list(read_rows(tmp_path / "bytes.csv", LIMITS))


def test_an_upload_name_with_a_long_extension_is_refused_shortly():
    with pytest.raises(InvalidInput) as caught:
        checked_suffix("a." + "x" * 300)
    error = caught.value.errors[0]
    assert error.rule == "file_type" and len(error.value) <= 17
    assert checked_suffix("名单.XLSX") == ".xlsx"


PEAK_OF_READ = """
import sys
from pathlib import Path
from credit_engine.tablefile import TableLimits, read_rows
for _ in read_rows(Path(sys.argv[1]), TableLimits(max_rows=1000, max_columns=140, max_unzipped_bytes=64 * 1024**2)):
    pass
status = Path("/proc/self/status").read_text().splitlines()
print(next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM")))
"""


def peak_of_reading(path) -> int:
    done = subprocess.run([sys.executable, "-c", PEAK_OF_READ, str(path)], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1])


def sheet_with(tmp_path, name: str, extra: str) -> object:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = (
        f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>{extra}</worksheet>'
    )
    with zipfile.ZipFile(tmp_path / name, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return tmp_path / name


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak memory from /proc")
def test_elements_the_reader_does_not_need_never_pile_up(tmp_path):
    small = sheet_with(tmp_path, "small.xlsx", "")
    junk = sheet_with(tmp_path, "junk.xlsx", "<mergeCells>" + '<mergeCell ref="A1:B2"/>' * 1_500_000 + "</mergeCells>")
    assert list(read_rows(junk, TableLimits(max_rows=10, max_columns=10, max_unzipped_bytes=64 * 1024**2))) == [["1"]]
    growth = peak_of_reading(junk) - peak_of_reading(small)
    assert growth < 50 * 1024**2, f"{growth / 1024**2:.0f} MB"
