"""A table of 强农贷 applications rated at once — the shape ``credit-engine rate --product qiangnong`` writes:
one row out per row in (same index), with the PD, grade, loan size (``credit_line_yuan``), decision, up to four
reasons, the knock-outs and the versions. The rules are :func:`credit_engine.enterprise.decision.rate_enterprises`,
the same the API runs on one application."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_engine.enterprise.decision import rate_enterprises, ratings
from credit_engine.enterprise.policy import EnterprisePolicy
from credit_engine.rating import REASON_COLUMNS, InvalidScorerOutput, _checked_pd
from credit_engine.reasons import MAX_REASONS
from credit_engine.scoring import Scorer

OUTPUT_COLUMNS: tuple[str, ...] = (
    "application_id", "enterprise_id", "credit_code", "county_code", "pd", "grade", "grade_zh", "credit_line_yuan",
    "decision", "decision_zh", *REASON_COLUMNS, "knockouts", "policy_version", "model_version",
)  # fmt: skip


def score_enterprises(frame: pd.DataFrame, scorer: Scorer, with_reasons: bool) -> tuple[np.ndarray, list[list[str]]]:
    """The scorer's PDs (checked as the 富民贷 batch checks them) and reasons (empty without ``with_reasons``)."""
    if not with_reasons:
        return _checked_pd(scorer.predict_pd(frame), len(frame)), [[] for _ in range(len(frame))]
    pds, reasons = scorer.pd_and_reasons(frame, MAX_REASONS)
    if len(reasons) != len(frame):
        raise InvalidScorerOutput(f"the scorer returned reasons for {len(reasons)} of {len(frame)} rows")
    return _checked_pd(pds, len(frame)), [list(row) for row in reasons]


def rate_enterprise_applications(
    frame: pd.DataFrame,
    scorer: Scorer,
    policy: EnterprisePolicy,
    *,
    with_reasons: bool = True,
    model_version: str | None = None,
) -> pd.DataFrame:
    """Rate validated enterprise applications: columns :data:`OUTPUT_COLUMNS`, the frame's index."""
    version = model_version or getattr(scorer, "model_version", None) or "unknown"
    pds, model_reasons = score_enterprises(frame, scorer, with_reasons) if len(frame) else (np.zeros(0), [])
    rated = ratings(rate_enterprises(frame, pds, policy), pds.tolist(), model_reasons, policy) if len(frame) else []
    rows = [
        {
            "pd": r.pd, "grade": r.grade, "grade_zh": r.grade_zh, "credit_line_yuan": r.credit_line_yuan,
            "decision": r.decision, "decision_zh": r.decision_zh,
            **{name: (r.reasons[n] if n < len(r.reasons) else "") for n, name in enumerate(REASON_COLUMNS)},
            "knockouts": ";".join(r.knockouts), "policy_version": policy.version, "model_version": str(version),
        }
        for r in rated
    ]  # fmt: skip
    out = pd.DataFrame(rows, index=frame.index, columns=list(OUTPUT_COLUMNS[4:]))
    for column in OUTPUT_COLUMNS[:4]:
        out.insert(OUTPUT_COLUMNS.index(column), column, frame[column].to_numpy() if column in frame else None)
    out["grade"] = pd.Categorical(out["grade"], categories=list(policy.grades), ordered=True)
    out["credit_line_yuan"] = out["credit_line_yuan"].astype(np.int64)
    return out
