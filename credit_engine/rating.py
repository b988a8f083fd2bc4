"""The rating service: a frame of validated applications in, one decision per row out, vectorised for batches.

The flow (DESIGN.md) per row: the policy's knock-out rules → the scorer's PD (every row is scored, knocked out or
not, so the PD is always there to audit) → the grade on the master scale → the credit line → the decision. A
knock-out declines with its K codes; otherwise a PD at or above ``decline_min_pd`` declines (D01), a PD in the refer
band refers (D02), and an approvable application whose line comes out at 0 is referred too — D04 when its grade
carries no line, D03 when the household's repayment capacity (or the product minimum) leaves none. Declines get a
line of 0; referrals carry the line they would get. Up to four reasons per row: K codes first, then the decision
code, then the scorer's reasons, without repeats.

The rules themselves are :func:`rate_columns`, written once over columns (:mod:`credit_engine.columns`): this
service calls it with a frame's columns, the assessment of one application (:mod:`credit_engine.assessment.rating`)
with the application itself. The policy part costs a few hundred milliseconds per million rows: knock-outs and
lines are numpy masks, and the text columns are ``Categorical`` built from small lookup tables (all combinations
of knock-outs × decision codes) instead of per-row strings. Only ``with_reasons=True`` walks the rows in Python,
to merge the scorer's reasons.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from credit_engine import credit_line
from credit_engine.columns import Columns, number
from credit_engine.errors import CreditEngineError, InvalidInput, RowError
from credit_engine.policy import knockouts
from credit_engine.policy.config import RatingPolicy
from credit_engine.policy.scale import scale_arrays
from credit_engine.reasons import MAX_REASONS, REASONS
from credit_engine.scoring import Scorer

DECISIONS: tuple[str, ...] = ("approve", "refer", "decline")
DECISIONS_ZH: tuple[str, ...] = ("批准", "转人工复核", "拒绝")
_APPROVE, _REFER, _DECLINE = 0, 1, 2
DECISION_CODES: tuple[str, ...] = ("", "D01", "D02", "D03", "D04")
# Per outcome of rate_columns (its findings in order, then none): the decision and the index of its code.
_OUTCOME_DECISION = np.array([_DECLINE, _DECLINE, _REFER, _REFER, _REFER, _APPROVE])
_OUTCOME_CODE = np.array([0, 1, 2, 4, 3, 0])

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


def grade_index(pd_values: Any, policy: RatingPolicy) -> Any:
    """Position of each PD on the master scale (0 = best grade): the first grade whose ``max_pd`` it is below (the
    last grade, up to 1.0, takes the rest)."""
    return np.searchsorted(scale_arrays(policy).upper_pd, pd_values, side="right")


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


@dataclass(frozen=True, slots=True)
class Rated:
    """What the policy makes of applications and their PDs, as index arrays (one application: one row)."""

    knockouts: np.ndarray  # rows × rules, True where a row fails a rule (knockouts.KNOCKOUT_CODES order)
    grade: Any  # position on the master scale (policy.grades)
    decision: Any  # index into DECISIONS
    decision_code: Any  # index into DECISION_CODES
    line_yuan: Any  # the line granted: 0 for a decline


def rate_columns(columns: Columns, pd_values: Any, policy: RatingPolicy) -> Rated:
    """The policy's rating of validated applications (columns) whose PDs are known: knock-outs, grade, credit line
    and decision — for a frame's columns and its PD array, or for one application and its PD.

    The first finding that holds decides, in this order: a knock-out (decline), a PD in the decline band (decline,
    D01), a PD in the refer band (refer, D02), a grade without a line (refer, D04), no line the household can carry
    (refer, D03); with none of them the application is approved.
    """
    pd_values = number(pd_values)
    masks = knockouts.knockout_masks(columns, policy)
    grades = grade_index(pd_values, policy)
    lines = credit_line.credit_lines(columns, grades, policy)
    bands = policy.decision
    findings = [
        functools.reduce(operator.or_, masks),
        pd_values >= bands.decline_min_pd,
        pd_values >= bands.approve_max_pd,
        lines.grade_without_line,
        lines.capacity_short,
    ]
    outcome = np.argmax(np.array([*findings, findings[0] | True]), axis=0)  # the last entry: no finding holds
    decision = _OUTCOME_DECISION[outcome]
    line = lines.line_yuan * (decision != _DECLINE)  # a decline gets no line
    return Rated(knockouts.knockout_matrix(columns, policy, masks), grades, decision, _OUTCOME_CODE[outcome], line)


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
        for decision_code in DECISION_CODES:
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


def _scored(scorer: Scorer, frame: pd.DataFrame, with_reasons: bool) -> tuple[np.ndarray, list | None]:
    """The scorer's PDs (checked) and, ``with_reasons``, its reasons (one list per row) of the frame."""
    if not with_reasons:
        return _checked_pd(scorer.predict_pd(frame), len(frame)), None
    scored, reasons = scorer.pd_and_reasons(frame, MAX_REASONS)
    pd_values = _checked_pd(scored, len(frame))
    if len(reasons) != len(frame):
        raise InvalidScorerOutput(f"the scorer returned reasons for {len(reasons)} of {len(frame)} rows")
    return pd_values, list(reasons)


@dataclass(frozen=True, slots=True)
class ScoredTable:
    """A table of applications assessed by the scorer and the policy: PDs, the scorer's reasons (one list per row;
    None when not asked for) and the policy's :class:`Rated` arrays, in the table's row order."""

    pd: np.ndarray
    model_reasons: list | None
    rated: Rated


def score_and_rate(frame: pd.DataFrame, scorer: Scorer, policy: RatingPolicy, *, with_reasons: bool) -> ScoredTable:
    """The one assessment pipeline over a table of validated applications, vectorised: the scorer's PDs (and
    reasons) for the whole table, then :func:`rate_columns` over its columns. The registry rating
    (:func:`rate_applications`) and the API's batch assessment both rate through here."""
    _require_columns(frame)
    pd_values, model_reasons = _scored(scorer, frame, with_reasons)
    return ScoredTable(pd_values, model_reasons, rate_columns(frame, pd_values, policy))


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
    rows = len(frame)
    scored = score_and_rate(frame, scorer, policy, with_reasons=with_reasons)
    pd_values, model_reasons, rated = scored.pd, scored.model_reasons, scored.rated
    failed = rated.knockouts
    pattern = failed.astype(np.int64) @ (1 << np.arange(failed.shape[1], dtype=np.int64))
    prefix_id = pattern * len(DECISION_CODES) + rated.decision_code
    knockout_labels = [";".join(entry) for entry in _prefix_table()[:: len(DECISION_CODES)]]
    version = model_version or getattr(scorer, "model_version", None) or "unknown"

    columns = {
        "application_id": frame["application_id"].array
        if "application_id" in frame.columns
        else pd.array([None] * rows, dtype="str"),
        "household_id": frame["household_id"].array,
        "county_code": frame["county_code"].array,
        "pd": pd_values,
        "grade": _categorical(rated.grade, policy.grades, ordered=True),
        "grade_zh": _categorical(rated.grade, [policy.grade_labels_zh[g] for g in policy.grades]),
        "credit_line_yuan": rated.line_yuan.astype(np.int64),
        "decision": _categorical(rated.decision, DECISIONS),
        "decision_zh": _categorical(rated.decision, DECISIONS_ZH),
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
