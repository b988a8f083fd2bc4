"""The rating service: a frame of validated applications in, one decision per row out, vectorised for batches.

The flow (DESIGN.md) per row: the policy's knock-out rules → the scorer's PD (every row is scored, knocked out or
not, so the PD is always there to audit) → the grade on the master scale → the credit line → the decision. A
knock-out declines with its K codes; otherwise a PD at or above ``decline_min_pd`` declines (D01), a PD in the refer
band refers (D02), and an approvable application whose line comes out at 0 is referred too — D04 when its grade
carries no line, D03 when the household's repayment capacity (or the product minimum) leaves none. Declines get a
line of 0; referrals carry the line they would get. Up to four reasons per row: K codes first, then the decision
code, then the scorer's reasons, without repeats.

The policy part costs a few hundred milliseconds per million rows: knock-outs and lines are numpy masks, and the
text columns are ``Categorical`` built from small lookup tables (all combinations of knock-outs × decision codes)
instead of per-row strings. Only ``with_reasons=True`` walks the rows in Python, to merge the scorer's reasons.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from credit_engine import credit_line
from credit_engine.errors import CreditEngineError, InvalidInput, RowError
from credit_engine.policy import knockouts
from credit_engine.policy.config import DecisionBands, RatingPolicy
from credit_engine.reasons import MAX_REASONS, REASONS
from credit_engine.scoring import Scorer

DECISIONS: tuple[str, ...] = ("approve", "refer", "decline")
DECISIONS_ZH: tuple[str, ...] = ("批准", "转人工复核", "拒绝")
_APPROVE, _REFER, _DECLINE = 0, 1, 2
_DECISION_CODES: tuple[str, ...] = ("", "D01", "D02", "D03", "D04")

REASON_COLUMNS: tuple[str, ...] = tuple(f"reason_{n}" for n in range(1, MAX_REASONS + 1))
OUTPUT_COLUMNS: tuple[str, ...] = (
    "application_id", "household_id", "county_code", "pd", "grade", "grade_zh", "credit_line_yuan",
    "decision", "decision_zh", *REASON_COLUMNS, "knockouts", "policy_version", "model_version",
)  # fmt: skip
REQUIRED_COLUMNS: tuple[str, ...] = (
    "household_id",
    "county_code",
    *knockouts.REQUIRED_COLUMNS,
    *(c for c in credit_line.REQUIRED_COLUMNS if c not in knockouts.REQUIRED_COLUMNS),
)


class InvalidScorerOutput(CreditEngineError):
    """The scorer broke its contract: wrong number of rows, or a PD that is not a probability."""


def grade_index(pd_values: np.ndarray, policy: RatingPolicy) -> np.ndarray:
    """Position of each PD on the master scale (0 = best grade): the first grade whose ``max_pd`` it is below."""
    bounds = np.array([band.max_pd for band in policy.master_scale], dtype="float64")
    position = np.searchsorted(bounds, np.asarray(pd_values, dtype="float64"), side="right")
    return np.minimum(position, len(bounds) - 1)


def grade_for_pd(pd_values: np.ndarray, policy: RatingPolicy) -> np.ndarray:
    """The grade of each PD on the master scale, as an array of strings."""
    return np.asarray(policy.grades)[grade_index(pd_values, policy)]


def _require_columns(frame: pd.DataFrame) -> None:
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise InvalidInput(
            [RowError(None, column, "required", "column is missing / 缺少该列") for column in missing],
            f"columns needed for rating are missing: {', '.join(missing)}",
        )


def _checked_pd(values: object, rows: int) -> np.ndarray:
    pd_values = np.asarray(values, dtype="float64").reshape(-1)
    if pd_values.shape != (rows,):
        raise InvalidScorerOutput(f"the scorer returned {pd_values.size} PDs for {rows} rows")
    bad = ~((pd_values >= 0.0) & (pd_values <= 1.0))
    if bad.any():
        raise InvalidScorerOutput(f"the scorer returned {int(bad.sum())} PDs outside 0–1 (or missing)")
    return pd_values


def _decide(
    pd_values: np.ndarray, knocked_out: np.ndarray, lines: credit_line.CreditLines, bands: DecisionBands
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decision (index into DECISIONS), decision reason (index into _DECISION_CODES) and final line per row."""
    above_decline = pd_values >= bands.decline_min_pd
    in_refer_band = pd_values >= bands.approve_max_pd
    no_line = lines.line_yuan == 0
    decision = np.select([knocked_out | above_decline, in_refer_band | no_line], [_DECLINE, _REFER], _APPROVE)
    code = np.select(
        [knocked_out, above_decline, in_refer_band, lines.grade_without_line, lines.capacity_short],
        [0, 1, 2, 4, 3],
        0,
    )
    return decision, code, np.where(decision == _DECLINE, 0, lines.line_yuan)


def _categorical(codes: np.ndarray, labels: Sequence[str], *, ordered: bool = False) -> pd.Categorical:
    """``labels[codes]`` as a Categorical, built without touching a string per row (labels may repeat)."""
    categories = list(dict.fromkeys(labels))
    remap = np.array([categories.index(label) for label in labels], dtype=np.int64)
    return pd.Categorical.from_codes(remap[codes], categories=categories, ordered=ordered, validate=False)


@functools.cache
def _prefix_table() -> tuple[tuple[str, ...], ...]:
    """Leading reasons for every (knock-out pattern, decision code): entry ``pattern * 5 + code``."""
    table = []
    for pattern in range(2 ** len(knockouts.KNOCKOUT_CODES)):
        failed = [code for bit, code in enumerate(knockouts.KNOCKOUT_CODES) if pattern >> bit & 1]
        for decision_code in _DECISION_CODES:
            table.append(tuple([*failed, decision_code] if decision_code else failed))
    return tuple(table)


def merge_reasons(leading: Sequence[str], model: Sequence[str]) -> tuple[str, ...]:
    """Leading codes, then the model's, without repeats or blanks, at most four."""
    merged = list(leading[:MAX_REASONS])
    for code in model:
        if len(merged) == MAX_REASONS:
            break
        if code and code not in merged:
            merged.append(code)
    return tuple(merged)


def _reason_columns(prefix_id: np.ndarray, model_reasons: Sequence[Sequence[str]] | None) -> dict[str, pd.Categorical]:
    """reason_1..reason_4 as Categoricals over every known code ("" = none), so chunks concatenate cheaply."""
    table = _prefix_table()
    if model_reasons is None:
        rows: Sequence[Sequence[str]] = table
        codes = {name: prefix_id for name in REASON_COLUMNS}
    else:
        rows = [merge_reasons(table[i], model) for i, model in zip(prefix_id.tolist(), model_reasons, strict=True)]
        codes = {name: np.arange(len(rows)) for name in REASON_COLUMNS}
    known = ["", *REASONS]
    unknown = sorted({code for row in rows for code in row} - set(known))
    categories = {code: position for position, code in enumerate([*known, *unknown])}
    return {
        name: pd.Categorical.from_codes(
            np.array([categories[row[n]] if len(row) > n else 0 for row in rows], dtype=np.int32)[codes[name]],
            categories=list(categories),
            validate=False,
        )
        for n, name in enumerate(REASON_COLUMNS)
    }


def _model_reasons(scorer: Scorer, frame: pd.DataFrame) -> list[list[str]]:
    reasons = scorer.reason_codes(frame, top_n=MAX_REASONS)
    if len(reasons) != len(frame):
        raise InvalidScorerOutput(f"the scorer returned reasons for {len(reasons)} of {len(frame)} rows")
    return list(reasons)


def _constant(value: str, rows: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(rows, dtype=np.int8), categories=[value], validate=False)


def rate_applications(
    frame: pd.DataFrame,
    scorer: Scorer,
    policy: RatingPolicy,
    *,
    with_reasons: bool = True,
    model_version: str | None = None,
) -> pd.DataFrame:
    """Rate validated applications: one row out per row in, same index, columns :data:`OUTPUT_COLUMNS`.

    ``model_version`` defaults to the scorer's ``model_version`` attribute (``"unknown"`` without one). With
    ``with_reasons=False`` the scorer's reasons are not computed (batch speed): reasons are K and D codes only.
    """
    _require_columns(frame)
    rows = len(frame)
    pd_values = _checked_pd(scorer.predict_pd(frame), rows)
    failed = knockouts.knockout_matrix(frame, policy)
    grades = grade_index(pd_values, policy)
    lines = credit_line.credit_lines(frame, grades, policy)
    decision, decision_code, line_yuan = _decide(pd_values, failed.any(axis=1), lines, policy.decision)

    pattern = failed.astype(np.int64) @ (1 << np.arange(failed.shape[1], dtype=np.int64))
    prefix_id = pattern * len(_DECISION_CODES) + decision_code
    model_reasons = _model_reasons(scorer, frame) if with_reasons else None
    knockout_labels = [";".join(entry) for entry in _prefix_table()[:: len(_DECISION_CODES)]]
    version = model_version or getattr(scorer, "model_version", None) or "unknown"

    columns = {
        "application_id": frame["application_id"].array
        if "application_id" in frame.columns
        else pd.array([None] * rows, dtype="str"),
        "household_id": frame["household_id"].array,
        "county_code": frame["county_code"].array,
        "pd": pd_values,
        "grade": _categorical(grades, policy.grades, ordered=True),
        "grade_zh": _categorical(grades, [policy.grade_labels_zh[g] for g in policy.grades]),
        "credit_line_yuan": line_yuan.astype(np.int64),
        "decision": _categorical(decision, DECISIONS),
        "decision_zh": _categorical(decision, DECISIONS_ZH),
        **_reason_columns(prefix_id, model_reasons),
        "knockouts": _categorical(pattern, knockout_labels),
        "policy_version": _constant(policy.version, rows),
        "model_version": _constant(str(version), rows),
    }
    return pd.DataFrame(columns, index=frame.index)


def rating_summary(ratings: pd.DataFrame) -> pd.DataFrame:
    """Per county × grade: applications, mean PD, total credit line (yuan) and the count of each decision."""
    decisions = {name: (ratings["decision"] == name).to_numpy() for name in DECISIONS}
    grouped = ratings.assign(**decisions).groupby(["county_code", "grade"], observed=True, sort=True)
    summary = grouped.agg(
        applications=("pd", "size"),
        mean_pd=("pd", "mean"),
        total_credit_line_yuan=("credit_line_yuan", "sum"),
        **{name: (name, "sum") for name in DECISIONS},
    )
    return summary.reset_index()
