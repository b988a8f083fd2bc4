"""The 强农贷 rating over columns: knock-outs → grade on the policy's master scale → loan size → decision, written
once for a table (the batch, ``credit-engine rate --product qiangnong``) and for one application (the API).

The first finding that holds decides, in this order: a knock-out (decline, K11–K17), a PD in the decline band
(decline, D01), a PD in the refer band (refer, D02), a grade whose risk-based limit is 0 (refer, D04), a loan size
below the product's minimum (refer, D05); with none of them the application is approved at its size. Declines get
an amount of 0; referrals carry the size they would get. Reasons, at most four: K codes, the decision code, the
codes of the limits that cut the amount requested (L01–L05, :mod:`credit_engine.enterprise.sizing`), then the
model's. The grade and the decision words are the 富民贷 rating's (:mod:`credit_engine.rating`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Any

import numpy as np

from credit_engine.assessment.rating import RecordRating
from credit_engine.columns import Columns, number
from credit_engine.enterprise.knockouts import KNOCKOUT_CODES, knocked_out, knockout_matrix
from credit_engine.enterprise.policy import EnterprisePolicy
from credit_engine.enterprise.sizing import loan_sizes
from credit_engine.policy.scale import scale_arrays
from credit_engine.rating import DECISIONS, DECISIONS_ZH, InvalidScorerOutput, grade_index, merge_reasons

DECISION_CODES: tuple[str, ...] = ("", "D01", "D02", "D04", "D05")
_APPROVE, _REFER, _DECLINE = 0, 1, 2
# Per outcome (the findings in order, then none): the decision and the index of its code.
_OUTCOME_DECISION = np.array([_DECLINE, _DECLINE, _REFER, _REFER, _REFER, _APPROVE])
_OUTCOME_CODE = np.array([0, 1, 2, 3, 4, 0])


@dataclass(frozen=True, slots=True)
class EnterpriseRated:
    """What the policy makes of enterprise applications and their PDs, one row per application."""

    knockouts: np.ndarray  # rows × rules (KNOCKOUT_CODES order)
    grade: np.ndarray  # position on the master scale
    decision: np.ndarray  # index into DECISIONS
    decision_code: np.ndarray  # index into DECISION_CODES
    amount_yuan: np.ndarray  # the loan size granted: 0 for a decline
    limit_codes: list[list[str]]  # per row, the L codes of the limits that cut the amount requested


def rate_enterprises(columns: Columns, pd_values: Any, policy: EnterprisePolicy) -> EnterpriseRated:
    """The policy's rating of validated enterprise applications (columns) whose PDs are known."""
    pd_values = number(pd_values)  # one application: a numpy scalar, so its rules stay on scalars (microseconds)
    matrix = knockout_matrix(columns, policy)
    grades = grade_index(pd_values, policy)
    sizes = loan_sizes(columns, grades, policy)
    bands = policy.decision
    findings = [
        knocked_out(matrix),
        pd_values >= bands.decline_min_pd,
        pd_values >= bands.approve_max_pd,
        scale_arrays(policy).capped_line_yuan[grades] <= 0,
        sizes.amount_yuan <= 0,
    ]
    rows = len(matrix)
    stacked = np.empty((len(findings) + 1, rows), bool)
    for position, finding in enumerate(findings):
        stacked[position] = finding  # a scalar fills its row
    stacked[-1] = True  # no finding holds
    outcome = np.argmax(stacked, axis=0)
    decision = _OUTCOME_DECISION[outcome]
    granted = np.atleast_1d(sizes.amount_yuan) * (decision != _DECLINE)
    grades = np.atleast_1d(grades)
    return EnterpriseRated(matrix, grades, decision, _OUTCOME_CODE[outcome], granted, sizes.reason_codes())


def ratings(
    rated: EnterpriseRated, pd_values: Sequence[float], model_reasons: Sequence[Sequence[str]], policy: EnterprisePolicy
) -> list[RecordRating]:
    """Each row as one application's :class:`RecordRating` (the amount as its ``credit_line_yuan``)."""
    return [_rating(rated, row, float(pd_value), tuple(model), policy)
            for row, (pd_value, model) in enumerate(zip(pd_values, model_reasons, strict=True))]  # fmt: skip


def rate_enterprise(
    record: Mapping[str, Any], pd_value: float, model_reasons: Sequence[str], policy: EnterprisePolicy
) -> RecordRating:
    """Rate one canonical enterprise application (as the enterprise validation returns it)."""
    if not 0.0 <= pd_value <= 1.0:
        raise InvalidScorerOutput(f"the scorer returned a PD outside 0–1: {pd_value!r}")
    return ratings(rate_enterprises(record, pd_value, policy), [pd_value], [model_reasons], policy)[0]


def _rating(rated: EnterpriseRated, row: int, pd_value: float, model: tuple[str, ...], policy: EnterprisePolicy):
    failed = tuple(compress(KNOCKOUT_CODES, rated.knockouts[row].tolist()))
    grade = policy.grades[int(rated.grade[row])]
    decision = int(rated.decision[row])
    code = DECISION_CODES[int(rated.decision_code[row])]
    limits = rated.limit_codes[row] if decision != _DECLINE else []
    leading = [*failed, *([code] if code else []), *limits]
    return RecordRating(
        pd=pd_value,
        grade=grade,
        grade_zh=policy.grade_labels_zh[grade],
        credit_line_yuan=int(rated.amount_yuan[row]),
        decision=DECISIONS[decision],
        decision_zh=DECISIONS_ZH[decision],
        reasons=merge_reasons(leading, model),
        knockouts=failed,
        decision_code=code,
        policy_version=policy.version,
        model_reasons=model,
    )
