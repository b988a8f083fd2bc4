"""What an assessment decides once the county fund's headroom is known, and the :class:`Assessment` it returns.

The policy rates an application (:mod:`credit_engine.assessment.rating`); this module adds the fund: a decision the
policy would approve or refer is referred when the county's fund cannot take the line — at or over its cap,
suspended, with less headroom than the line, no fund for the bank, or headroom unknown — with the fund's ``F`` reason
leading the model's. A suspended fund says so (``F02``), never "too little headroom" (``F01``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from credit_engine.assessment.headroom import FundHeadroom
from credit_engine.assessment.rating import RecordRating
from credit_engine.errors import RowError
from credit_engine.rating import merge_reasons
from credit_engine.reasons import REASONS, Reason

FUND_REASONS: dict[str, Reason] = {
    "F01": Reason(
        "F01", "县级风险补偿金剩余额度不足以覆盖本笔授信", "the county fund has too little headroom left for this line"
    ),
    "F02": Reason("F02", "县级风险补偿金已暂停新增放款", "the county fund has suspended new lending"),
    "F03": Reason("F03", "县级风险补偿金额度暂时无法确认", "the county fund's headroom cannot be confirmed right now"),
    "F04": Reason("F04", "本县在本行没有风险补偿金", "no risk-compensation fund covers this county at this bank"),
    "F05": Reason(
        "F05",
        "本笔强农贷将使风险补偿金的富民贷占比低于政策下限",
        "this 强农贷 loan would push the fund's 富民贷 (household) share below the policy minimum",
    ),
}
_FUND_STATUS_REASON = {"at_cap": "F01", "over_cap": "F01", "suspended": "F02", "unknown": "F03", "no_fund": "F04"}


def reason(code: str) -> Reason:
    return REASONS.get(code) or FUND_REASONS[code]


def fund_finding(headroom: FundHeadroom, line_yuan: int) -> str | None:
    """The F reason why the fund cannot take a loan of ``line_yuan`` (None: it can)."""
    if headroom.status in _FUND_STATUS_REASON:
        return _FUND_STATUS_REASON[headroom.status]
    return None if headroom.fits(line_yuan * 100) else "F01"


def with_fund(rating: RecordRating, headroom: FundHeadroom) -> tuple[str, tuple[str, ...]]:
    """The decision and reasons once the fund's headroom is known: an approval the fund cannot take is referred."""
    if rating.decision == "decline":
        return rating.decision, rating.reasons
    finding = fund_finding(headroom, rating.credit_line_yuan)
    if finding is None:
        return rating.decision, rating.reasons
    leading = [rating.decision_code, finding] if rating.decision_code else [finding]
    return "refer", merge_reasons(leading, rating.model_reasons)


@dataclass(frozen=True, slots=True)
class Assessment:
    assessment_id: str
    recorded_at: dt.datetime
    county_code: str
    decision: str
    pd: float
    grade: str
    credit_line_yuan: int
    reasons: tuple[Reason, ...]
    fund: FundHeadroom
    model_version: str
    policy_version: str

    def as_result(self) -> dict[str, Any]:
        """The response body (plain JSON values; money in yuan)."""
        headroom = self.fund.headroom_fen
        return {
            "assessment_id": self.assessment_id,
            "decision": self.decision,
            "pd": self.pd,
            "grade": self.grade,
            "credit_line_yuan": self.credit_line_yuan,
            "reasons": [r.as_dict() for r in self.reasons],
            "fund": {
                "fund_id": self.fund.fund_id,
                "status": self.fund.status,
                "headroom_yuan": None if headroom is None else headroom / 100,
            },
            "model_version": self.model_version,
            "policy_version": self.policy_version,
        }


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One row of a batch: its number (list position or spreadsheet line), and an assessment or its errors."""

    row: int
    application_id: str | None
    assessment: Assessment | None = None
    errors: tuple[RowError, ...] = ()


def decide(
    assessment_id: str, at: dt.datetime, county_code: str, rating: RecordRating, headroom: FundHeadroom, version: str
) -> Assessment:
    """The :class:`Assessment` of a rated application once its county fund's ``headroom`` is known."""
    decision, codes = with_fund(rating, headroom)
    return Assessment(
        assessment_id=assessment_id,
        recorded_at=at,
        county_code=county_code,
        decision=decision,
        pd=rating.pd,
        grade=rating.grade,
        credit_line_yuan=rating.credit_line_yuan,
        reasons=tuple(reason(code) for code in codes),
        fund=headroom,
        model_version=version,
        policy_version=rating.policy_version,
    )
