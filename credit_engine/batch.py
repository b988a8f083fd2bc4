"""Rating a whole registry file: every row gets a PD, grade, credit line, decision and reasons.

The output has one row per input row, in input order. Rows that break the data contract are never dropped: they
appear with decision ``invalid`` (no PD) and their errors, and every error is also written to a rejects file
beside the output (row, field, rule, message) — or, with ``strict``, the run stops with the full list. Rating runs
in chunks so a progress callback can follow a million households. XLSX output gets Chinese headers and the
reasons' 中文 text; a summary by county and grade is written beside the output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from credit_engine.contract import (
    read_table,
    rejects_path,
    require_contract_headers,
    validate_applications,
    write_rejects,
    write_table,
)
from credit_engine.errors import InvalidInput, RowError
from credit_engine.policy import RatingPolicy
from credit_engine.rating import rate_applications, rating_summary
from credit_engine.reasons import REASONS
from credit_engine.scoring import Scorer

CHUNK_ROWS = 100_000
REASON_COLUMNS = [f"reason_{i}" for i in range(1, 5)]
OUTPUT_LABELS_ZH = {
    "pd": "违约概率",
    "grade": "信用等级",
    "grade_zh": "等级说明",
    "credit_line_yuan": "授信额度(元)",
    "decision": "审批结论",
    "decision_zh": "审批结论(中文)",
    "knockouts": "准入否决规则",
    "policy_version": "政策版本",
    "model_version": "模型版本",
    "errors": "数据错误",
    **{f"reason_{i}": f"原因代码{i}" for i in range(1, 5)},
    **{f"reason_{i}_zh": f"原因{i}" for i in range(1, 5)},
    **{f"reason_{i}_en": f"reason {i}" for i in range(1, 5)},
}


TableProduct = tuple[Callable[..., Any], Callable[..., pd.DataFrame]]
"""A product's (validate a raw frame, rate the valid frame) for :func:`rate_file`; 富民贷 by default."""


@dataclass(frozen=True)
class BatchResult:
    output: Path
    rated: int
    rejected: int
    rejects_path: Path | None
    summary_path: Path
    by_grade: pd.DataFrame
    by_county: pd.DataFrame


def rate_file(
    input_path: Path,
    output_path: Path,
    scorer: Scorer,
    policy: RatingPolicy,
    *,
    model_version: str | None,
    with_reasons: bool = True,
    strict: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    on_progress: Callable[[int, int], None] | None = None,
    product: TableProduct | None = None,
) -> BatchResult:
    """Rate a file; ``product`` (default 富民贷) names the contract's validation and the table rating."""
    validate, rate = product or (validate_applications, rate_applications)
    raw = read_table(input_path)
    require_contract_headers(raw.columns)
    validated = validate(raw)
    if validated.errors and strict:
        raise InvalidInput(validated.errors, f"{input_path}: {len(validated.errors)} invalid value(s)")
    ratings = _rate_in_chunks(validated.frame, scorer, policy, model_version, with_reasons, chunk_rows, on_progress,
                              rate)  # fmt: skip
    output = _with_invalid_rows(raw, ratings, validated.errors, first_row=2)
    xlsx = output_path.suffix.lower() == ".xlsx"
    if xlsx:
        output = _with_reason_texts(output)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    write_table(output, output_path, chinese_headers=xlsx, column_labels=OUTPUT_LABELS_ZH if xlsx else None)
    rejected_path = None
    if validated.errors:
        rejected_path = rejects_path(output_path)
        write_rejects(validated.errors, rejected_path)
    summary = rating_summary(ratings)
    summary_path = output_path.with_name(f"{output_path.stem}.summary.csv")
    summary.to_csv(summary_path, index=False, encoding="utf-8-sig")
    invalid_rows = len({e.row for e in validated.errors})
    return BatchResult(
        output_path, len(ratings), invalid_rows, rejected_path, summary_path, _by_grade(ratings, policy), summary
    )


def _rate_in_chunks(frame, scorer, policy, model_version, with_reasons, chunk_rows, on_progress, rate):
    total = len(frame)
    parts = []
    for start in range(0, total, chunk_rows):
        chunk = frame.iloc[start : start + chunk_rows]
        parts.append(rate(chunk, scorer, policy, with_reasons=with_reasons, model_version=model_version))
        if on_progress is not None:
            on_progress(min(start + chunk_rows, total), total)
    if not parts:
        return rate(frame, scorer, policy, with_reasons=with_reasons, model_version=model_version)
    return pd.concat(parts)


def _with_invalid_rows(raw: pd.DataFrame, ratings: pd.DataFrame, errors: list[RowError], first_row: int):
    """Ratings in input order, with one ``invalid`` row (and its errors) for each row that failed validation."""
    if not errors:
        return ratings.reset_index(drop=True)
    by_row: dict[int, list[str]] = {}
    for error in errors:
        if error.row is not None:
            by_row.setdefault(error.row, []).append(f"{error.field}: {error.rule}")
    invalid = pd.DataFrame({"row": sorted(by_row)})
    positions = invalid["row"].to_numpy() - first_row
    for column in ("application_id", "household_id", "county_code"):
        if column in raw.columns:
            invalid[column] = raw[column].iloc[positions].astype(str).to_numpy()
    invalid["pd"] = np.nan
    invalid["decision"] = "invalid"
    invalid["decision_zh"] = "数据无效"
    invalid["credit_line_yuan"] = 0
    invalid["errors"] = ["; ".join(by_row[r]) for r in invalid["row"]]
    valid = ratings.copy()
    valid["row"] = ratings.index.to_numpy()
    valid["errors"] = ""
    merged = pd.concat([valid, invalid.set_index(invalid["row"].to_numpy())], ignore_index=True)
    return merged.sort_values("row", kind="stable").drop(columns="row").reset_index(drop=True)


def _with_reason_texts(output: pd.DataFrame) -> pd.DataFrame:
    out = output.copy()
    for column in REASON_COLUMNS:
        if column in out.columns:
            codes = out[column].fillna("").astype(str)
            out[f"{column}_zh"] = codes.map(lambda c: REASONS[c].text_zh if c in REASONS else "")
            out[f"{column}_en"] = codes.map(lambda c: REASONS[c].text_en if c in REASONS else "")
    return out


def _by_grade(ratings: pd.DataFrame, policy: RatingPolicy) -> pd.DataFrame:
    order = [g.grade for g in policy.master_scale]
    grouped = ratings.groupby("grade", observed=True).agg(
        households=("pd", "size"), mean_pd=("pd", "mean"), credit_line_yuan=("credit_line_yuan", "sum")
    )
    grouped = grouped.reindex(order).fillna(0).reset_index()
    grouped["households"] = grouped["households"].astype(int)
    grouped["credit_line_yuan"] = grouped["credit_line_yuan"].astype(int)
    return grouped
