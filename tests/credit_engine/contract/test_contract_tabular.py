"""Reading and writing application tables: CSV (UTF-8, BOM, GB18030), XLSX and Parquet, 中文 headers and labels."""

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest

from credit_engine.contract import (
    FIELD_BY_NAME,
    example_application,
    label_zh,
    read_table,
    rejects_path,
    validate_applications,
    write_rejects,
    write_table,
)
from credit_engine.errors import InvalidInput, RowError


def chinese_sheet(n: int = 3) -> pd.DataFrame:
    """Applications as the registry exports them: 中文 headers, 中文 enum labels, 是/否, all text."""
    rows = []
    for i in range(n):
        record = example_application(application_id=f"A{i}", annual_net_income=20_000.5 + i)
        row = {}
        for name, value in record.items():
            definition = FIELD_BY_NAME[name]
            if definition.kind in ("enum", "bool"):
                value = label_zh(name, value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            row[definition.zh] = str(value)
        rows.append(row)
    return pd.DataFrame(rows, dtype=str)


def canonical() -> pd.DataFrame:
    records = [example_application(application_id=f"A{i}", annual_net_income=20_000.5 + i) for i in range(3)]
    return validate_applications(pd.DataFrame(records)).frame


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_chinese_headers_and_labels_read_back_to_english_codes(tmp_path, suffix):
    path = write_table(chinese_sheet(), tmp_path / f"registry{suffix}")
    raw = read_table(path)
    assert list(raw.columns) == list(example_application())
    result = validate_applications(raw)
    assert result.ok, result.errors
    pd.testing.assert_frame_equal(result.frame, canonical())


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_validated_frames_round_trip_with_chinese_headers(tmp_path, suffix):
    frame = canonical()
    path = write_table(frame, tmp_path / f"out{suffix}", chinese_headers=True)
    result = validate_applications(read_table(path))
    assert result.ok, result.errors
    pd.testing.assert_frame_equal(result.frame, frame)


def test_parquet_keeps_types(tmp_path):
    path = write_table(canonical(), tmp_path / "typed.parquet")
    raw = read_table(path)
    assert raw["head_age"].dtype == np.int64 and raw["application_date"].dtype.kind == "M"
    assert validate_applications(raw).ok


def test_csv_is_written_with_a_bom_for_excel(tmp_path):
    path = write_table(chinese_sheet(1), tmp_path / "out.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "户主身份证号".encode() in data


def test_csv_without_bom_and_in_gb18030_is_read(tmp_path):
    sheet = chinese_sheet(2)
    plain, gbk = tmp_path / "plain.csv", tmp_path / "gbk.csv"
    sheet.to_csv(plain, index=False, encoding="utf-8")
    sheet.to_csv(gbk, index=False, encoding="gb18030")
    assert gbk.read_bytes()[:2] != b"\xef\xbb"
    for path in (plain, gbk):
        raw = read_table(path)
        assert raw["registry_status"].tolist() == ["建档立卡", "建档立卡"]
        assert validate_applications(raw).ok


def test_text_is_read_as_written_and_empty_cells_as_empty_strings(tmp_path):
    path = tmp_path / "raw.csv"
    path.write_text("县代码,户主年龄,申请编号,备注\n014012,007,,NA\n", encoding="utf-8")
    raw = read_table(path)
    assert raw.iloc[0].tolist() == ["014012", "007", "", "NA"]
    assert list(raw.columns) == ["county_code", "head_age", "application_id", "备注"]


def test_full_width_brackets_and_blanks_in_headers(tmp_path):
    path = tmp_path / "raw.csv"
    path.write_text(" 耕地面积（亩） ,户主年龄 \n5.5,40\n", encoding="utf-8-sig")
    assert list(read_table(path).columns) == ["arable_land_mu", "head_age"]


@pytest.mark.parametrize("header", ["户主年龄,head_age", "head_age,head_age"])
def test_two_headers_for_one_field_are_refused(tmp_path, header):
    path = tmp_path / "dup.csv"
    path.write_text(f"{header}\n40,41\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_table(path)
    assert [(e.row, e.field, e.rule) for e in caught.value.errors] == [(1, "head_age", "duplicate_column")]


def test_duplicate_headers_in_xlsx_are_refused(tmp_path):
    path = tmp_path / "dup.xlsx"
    write_table(pd.DataFrame({"户主年龄": ["40"], "head_age ": ["41"]}), path)
    with pytest.raises(InvalidInput, match="duplicate"):
        read_table(path)


def test_unsupported_suffixes_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unsupported file type '.json'"):
        read_table(tmp_path / "applications.json")
    with pytest.raises(ValueError, match="unsupported"):
        write_table(canonical(), tmp_path / "applications.xls")


def test_xlsx_has_a_bold_frozen_header_and_readable_widths(tmp_path):
    path = write_table(canonical(), tmp_path / "out.xlsx", chinese_headers=True)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "申请编号" and sheet["A1"].font.bold
    assert sheet["C2"].value == example_application()["head_id_number"]  # text, not a rounded number
    assert 8 <= sheet.column_dimensions["C"].width <= 60


def test_xlsx_writes_text_that_looks_like_a_formula_as_text(tmp_path):
    path = write_table(pd.DataFrame({"note": ["=1+1", "ok"]}), tmp_path / "out.xlsx")
    assert openpyxl.load_workbook(path).active["A2"].data_type == "s"
    assert read_table(path)["note"].tolist() == ["=1+1", "ok"]


def test_column_labels_name_other_columns(tmp_path):
    frame = canonical().assign(pd_bps=[120, 80, 95])
    path = write_table(frame, tmp_path / "scored.csv", chinese_headers=True, column_labels={"pd_bps": "违约概率(基点)"})
    header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[0] == "申请编号" and header[-1] == "违约概率(基点)"
    assert read_table(path).columns[-1] == "违约概率(基点)"


def test_rejects_are_written_beside_the_output(tmp_path):
    output = tmp_path / "scored.xlsx"
    assert rejects_path(output) == tmp_path / "scored.rejects.csv"
    errors = [
        RowError(None, "purpose", "missing_column", "column is missing / 缺少此列：贷款用途"),
        RowError(3, "head_age", "type_int", "must be a whole number / 必须是整数", "12.5"),
    ]
    path = write_rejects(errors, rejects_path(output))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(back.columns) == ["row", "field", "rule", "message", "value"]
    assert back.values.tolist() == [
        ["", "purpose", "missing_column", "column is missing / 缺少此列：贷款用途", ""],
        ["3", "head_age", "type_int", "must be a whole number / 必须是整数", "12.5"],
    ]


def test_a_file_with_bad_rows_reports_spreadsheet_line_numbers(tmp_path):
    sheet = chinese_sheet(4)
    sheet.loc[2, "户主年龄"] = "12.5"
    path = write_table(sheet, tmp_path / "registry.xlsx")
    result = validate_applications(read_table(path))
    assert [(e.row, e.field, e.rule, e.value) for e in result.errors] == [(4, "head_age", "type_int", "12.5")]
    assert list(result.frame.index) == [2, 3, 5]


def test_an_empty_csv_is_an_empty_table(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert read_table(path).empty
