"""Rating ONE validated application: the batch rating service's rules (:func:`credit_engine.rating.rate_columns`)
applied to the application itself, with its result as plain values.

The scoring API rates one application per request, so the policy's rules — knock-outs, master scale, credit line,
decision bands — run on the canonical record as numpy scalars (microseconds), through the very functions that rate
a million rows in the batch; only the result's shape (codes and labels instead of Categorical columns) is this
module's own. Reasons are merged as the batch merges them: K codes, then the decision code, then the model's.
:func:`table_ratings` gives the same per-application result for every row of a table rated at once (the API's
batch assessment).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Any

from credit_engine.policy.config import RatingPolicy
from credit_engine.policy.knockouts import KNOCKOUT_CODES
from credit_engine.rating import (
    DECISION_CODES,
    DECISIONS,
    DECISIONS_ZH,
    InvalidScorerOutput,
    ScoredTable,
    merge_reasons,
    rate_columns,
)


@dataclass(frozen=True, slots=True)
class RecordRating:
    """What the policy makes of one application and its PD (fund headroom not yet considered)."""

    pd: float
    grade: str
    grade_zh: str
    credit_line_yuan: int
    decision: str
    decision_zh: str
    reasons: tuple[str, ...]
    knockouts: tuple[str, ...]
    decision_code: str
    policy_version: str
    model_reasons: tuple[str, ...] = ()  # the scorer's own reasons, before the policy's codes lead them


def rate_record(
    record: Mapping[str, Any], pd_value: float, model_reasons: Sequence[str], policy: RatingPolicy
) -> RecordRating:
    """Rate one canonical application (as :func:`~credit_engine.contract.record.validate_record` returns it)."""
    if not 0.0 <= pd_value <= 1.0:
        raise InvalidScorerOutput(f"the scorer returned a PD outside 0–1: {pd_value!r}")
    rated = rate_columns(record, pd_value, policy)
    row = (
        rated.knockouts.tolist(),
        int(rated.grade),
        int(rated.decision),
        int(rated.decision_code),
        int(rated.line_yuan),
    )
    return _record_rating(pd_value, row, tuple(model_reasons), policy)


def table_ratings(scored: ScoredTable, policy: RatingPolicy) -> list[RecordRating]:
    """Each row of a table assessed by :func:`~credit_engine.rating.score_and_rate`, as one application's rating
    (the API's batch: one result and one audit entry per application, the rules run once over the table)."""
    rated = scored.rated
    reasons = scored.model_reasons if scored.model_reasons is not None else [()] * len(scored.pd)
    rows = zip(
        rated.knockouts.tolist(),
        rated.grade.tolist(),
        rated.decision.tolist(),
        rated.decision_code.tolist(),
        rated.line_yuan.tolist(),
        strict=True,
    )
    return [
        _record_rating(pd_value, row, tuple(model), policy)
        for pd_value, row, model in zip(scored.pd.tolist(), rows, reasons, strict=True)
    ]


def _record_rating(pd_value: float, row: tuple, model_reasons: tuple[str, ...], policy: RatingPolicy) -> RecordRating:
    """One application's rating from its row of :class:`~credit_engine.rating.Rated` (knock-out flags, grade,
    decision, decision code and line as plain values)."""
    failed_flags, grade_index, decision, code_index, line_yuan = row
    failed = tuple(compress(KNOCKOUT_CODES, failed_flags))
    grade = policy.grades[grade_index]
    decision_code = DECISION_CODES[code_index]
    leading = [*failed, decision_code] if decision_code else failed
    return RecordRating(
        pd=pd_value,
        grade=grade,
        grade_zh=policy.grade_labels_zh[grade],
        credit_line_yuan=int(line_yuan),
        decision=DECISIONS[decision],
        decision_zh=DECISIONS_ZH[decision],
        reasons=merge_reasons(leading, model_reasons),
        knockouts=failed,
        decision_code=decision_code,
        policy_version=policy.version,
        model_reasons=model_reasons,
    )
