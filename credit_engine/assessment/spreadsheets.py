"""Batches as spreadsheets: applications read from an uploaded CSV/XLSX, results as a table with Chinese headers.

Uploaded files are read like any registry file (:func:`credit_engine.contract.read_table`: cells as text, 中文 or
English headers), within :data:`BATCH_LIMITS` (a file of more than MAX_BATCH_ROWS rows is refused while it is read);
each row then goes through the same single-record validation as a JSON batch, extra columns
ignored. :func:`batch_table` lays the results out one row per input row, for the XLSX download.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from credit_engine.assessment.decision import BatchRow
from credit_engine.assessment.service import MAX_BATCH_ROWS
from credit_engine.batch import OUTPUT_LABELS_ZH
from credit_engine.contract import APPLICATION_FIELDS, read_table, require_contract_headers, write_table
from credit_engine.contract.tabular import COLUMN_MARGIN
from credit_engine.errors import InvalidInput, RowError
from credit_engine.rating import DECISIONS, DECISIONS_ZH
from credit_engine.tablefile import TableLimits, checked_suffix

COLUMN_LABELS_ZH = {
    **OUTPUT_LABELS_ZH,
    "row": "行号",
    "assessment_id": "评估编号",
    "fund_id": "风险补偿金编号",
    "fund_status": "风险补偿金状态",
    "fund_headroom_yuan": "剩余放款额度(元)",
}
_DECISION_ZH = dict(zip(DECISIONS, DECISIONS_ZH, strict=True))


def batch_table(rows: Sequence[BatchRow]) -> pd.DataFrame:
    """Rows in input order: the assessment's figures and reasons (code, 中文, English), or the row's errors."""
    records = []
    for row in rows:
        record: dict[str, object] = {"row": row.row, "application_id": row.application_id}
        found = row.assessment
        if found is not None:
            headroom = found.fund.headroom_fen
            record |= {
                "assessment_id": found.assessment_id,
                "decision": found.decision,
                "decision_zh": _DECISION_ZH[found.decision],
                "pd": found.pd,
                "grade": found.grade,
                "credit_line_yuan": found.credit_line_yuan,
                "fund_id": found.fund.fund_id,
                "fund_status": found.fund.status,
                "fund_headroom_yuan": None if headroom is None else headroom / 100,
                "model_version": found.model_version,
                "policy_version": found.policy_version,
            }
            for n, reason in enumerate(found.reasons, start=1):
                record |= {
                    f"reason_{n}": reason.code,
                    f"reason_{n}_zh": reason.text_zh,
                    f"reason_{n}_en": reason.text_en,
                }
        else:
            record |= {"decision": "invalid", "decision_zh": "数据无效"}
            record["errors"] = "; ".join(f"{e.field}: {e.rule}: {e.message}" for e in row.errors)
        records.append(record)
    columns = [
        "row", "application_id", "assessment_id", "decision", "decision_zh", "pd", "grade", "credit_line_yuan",
        *(f"reason_{n}{suffix}" for n in range(1, 5) for suffix in ("", "_zh", "_en")),
        "fund_id", "fund_status", "fund_headroom_yuan", "model_version", "policy_version", "errors",
    ]  # fmt: skip
    return pd.DataFrame(records, columns=columns)


SUFFIXES = (".csv", ".xlsx")
BATCH_LIMITS = TableLimits(
    max_rows=MAX_BATCH_ROWS,
    max_columns=len(APPLICATION_FIELDS) + COLUMN_MARGIN,
    max_bytes=16 * 1024**2,
    max_unzipped_bytes=32 * 1024**2,
    max_blank_rows=1_000,
    max_shared_strings=200_000,
)
"""An uploaded batch: at most MAX_BATCH_ROWS applications (refused while reading, at the first row over), the
contract's columns plus a margin, a workbook that unpacks to at most 32 MB."""


def read_applications(path: Path) -> list[dict[str, Any]]:
    """The rows of an uploaded CSV or XLSX file as records of raw text (headers mapped to field names).

    ``InvalidInput`` for another file type, a file over :data:`BATCH_LIMITS` (``TableTooLarge`` naming the limit),
    a file that cannot be read, or headers none of which is a contract field (one error, not one per row)."""
    checked_suffix(Path(path).name, SUFFIXES)
    try:
        frame = read_table(path, BATCH_LIMITS)
    except InvalidInput:
        raise
    except Exception as error:  # an uploaded file can be anything: whatever breaks the reader, it is not a table
        message = f"the file cannot be read as a table / 无法读取该文件: {type(error).__name__}"
        raise InvalidInput([RowError(None, "file", "file_unreadable", message)]) from None
    frame.columns = [str(column) for column in frame.columns]
    if len(frame.columns):
        require_contract_headers(frame.columns)
    return frame.to_dict("records")


def batch_workbook(rows: Sequence[BatchRow]) -> bytes:
    """:func:`batch_table` as an XLSX workbook (Chinese headers, reasons in 中文 and English)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "assessments.xlsx"
        write_table(batch_table(rows), path, chinese_headers=True, column_labels=COLUMN_LABELS_ZH)
        return path.read_bytes()
