"""Rating ONE validated application: the batch rating service's rules (:func:`credit_engine.rating.rate_columns`)
applied to the application itself, with its result as plain values.

The scoring API rates one application per request, so the policy's rules — knock-outs, master scale, credit line,
decision bands — run on the canonical record as numpy scalars (microseconds), through the very functions that rate
a million rows in the batch; only the result's shape (codes and labels instead of Categorical columns) is this
module's own. Reasons are merged as the batch merges them: K codes, then the decision code, then the model's.
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


def rate_record(
    record: Mapping[str, Any], pd_value: float, model_reasons: Sequence[str], policy: RatingPolicy
) -> RecordRating:
    """Rate one canonical application (as :func:`~credit_engine.contract.record.validate_record` returns it)."""
    if not 0.0 <= pd_value <= 1.0:
        raise InvalidScorerOutput(f"the scorer returned a PD outside 0–1: {pd_value!r}")
    rated = rate_columns(record, pd_value, policy)
    failed = tuple(compress(KNOCKOUT_CODES, rated.knockouts.tolist()))
    grade = policy.grades[rated.grade]
    decision, decision_code = int(rated.decision), DECISION_CODES[rated.decision_code]
    leading = [*failed, decision_code] if decision_code else failed
    return RecordRating(
        pd=pd_value,
        grade=grade,
        grade_zh=policy.grade_labels_zh[grade],
        credit_line_yuan=int(rated.line_yuan),
        decision=DECISIONS[decision],
        decision_zh=DECISIONS_ZH[decision],
        reasons=merge_reasons(leading, model_reasons),
        knockouts=failed,
        decision_code=decision_code,
        policy_version=policy.version,
    )
