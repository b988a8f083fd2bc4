"""The action list: what a fund administrator must act on first, each item with its figure and its rule.

Rules, most urgent first (:data:`URGENCY`): lending suspended (the NPL ratio over the policy's threshold, or
suspended by policy); compensation claims waiting past their payment deadline (the deadline is the claim's day plus
the ``payment_deadline_days`` of the terms in force that day); covered principal over the cap; the NPL ratio
approaching the suspension threshold (at least :data:`APPROACHING` of it); below the floor multiple (by shortfall);
at the cap (no loan of any product fits). Every figure is read from :class:`~credit_engine.ledger.position.
FundPosition` — the same properties the leverage report and the disbursement checks use — so a fund is on the list
exactly when the report's status says so. Within a rule, the largest figure comes first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from credit_engine.ledger.domain import FundPolicy, npl_over_threshold, policy_in_force
from credit_engine.ledger.money import BPS
from credit_engine.ledger.position import FundPosition
from credit_engine.ledger.queries.claims import PendingClaim
from credit_engine.workspace.figures import multiple, percent, yuan

URGENCY = ("suspended", "claim_overdue", "over_cap", "npl_approaching", "below_floor", "at_cap")
APPROACHING = 0.8
RULES = {
    "suspended": (
        "不良率超过暂停阈值或政策暂停：暂停放款",
        "NPL ratio over the suspension threshold or suspended by policy: no new lending",
    ),
    "claim_overdue": ("代偿须在支付期限内支付", "compensation must be paid within the payment deadline"),
    "over_cap": (
        "在保余额不得超过上限倍数 × 基金余额",
        "covered principal may not exceed the cap multiple × fund balance",
    ),
    "npl_approaching": (
        f"不良率已达暂停阈值的 {APPROACHING:.0%} 以上",
        f"NPL ratio at or above {APPROACHING:.0%} of the suspension threshold",
    ),
    "below_floor": ("放大倍数不得低于下限", "the multiple must reach the floor"),
    "at_cap": ("剩余额度不足最小一笔贷款", "headroom below the smallest loan: no new loan fits"),
}


@dataclass(frozen=True, slots=True)
class Action:
    rule: str
    fund_id: str
    county_code: str
    figure_zh: str
    figure_en: str
    weight: float  # the size of the figure, to order items of one rule (largest first)
    loan_id: str | None = None

    @property
    def urgency(self) -> int:
        return URGENCY.index(self.rule)

    @property
    def rule_zh(self) -> str:
        return RULES[self.rule][0]

    @property
    def rule_en(self) -> str:
        return RULES[self.rule][1]


def _threshold(position: FundPosition) -> float:
    return position.terms.npl_suspension_bps / BPS


def _status_action(p: FundPosition) -> Action | None:
    """The action of the fund's status (suspended, over cap, below floor, at cap), if any."""
    floor, cap = p.terms.floor_multiple_bps / BPS, p.terms.cap_multiple_bps
    now = multiple(p.multiple)
    if p.status == "suspended":
        return _suspended_action(p)
    cap_text = multiple(None if cap is None else cap / BPS)
    if p.status == "over_cap":
        zh = f"超出上限 {yuan(p.over_cap_fen)} 元（{now}，上限 {cap_text}）"
        en = f"{yuan(p.over_cap_fen)} yuan over the cap ({now}, cap {cap_text})"
        return Action("over_cap", p.fund_id, p.county_code, zh, en, p.over_cap_fen)
    if p.status == "at_cap":
        zh = f"剩余额度 {yuan(p.headroom_fen)} 元（{now}，上限 {cap_text}）"
        en = f"headroom {yuan(p.headroom_fen)} yuan ({now}, cap {cap_text})"
        return Action("at_cap", p.fund_id, p.county_code, zh, en, -(p.headroom_fen or 0))
    if p.status == "below_floor":
        zh = f"差额 {yuan(p.floor_shortfall_fen)} 元（{now}，下限 {multiple(floor)}）"
        en = f"shortfall {yuan(p.floor_shortfall_fen)} yuan ({now}, floor {multiple(floor)})"
        return Action("below_floor", p.fund_id, p.county_code, zh, en, p.floor_shortfall_fen)
    return None


def _suspended_action(p: FundPosition) -> Action:
    """Suspended: the NPL ratio over the threshold (NPL > 3 % by default, strictly above), or by the policy — said
    which, since a fund suspended by its policy may have an NPL ratio well below the threshold."""
    zh = f"不良率 {percent(p.npl_ratio)}，阈值 {percent(_threshold(p))}"
    en = f"NPL ratio {percent(p.npl_ratio)}, threshold {percent(_threshold(p))}"
    if not npl_over_threshold(p.npl_fen, p.covered_principal_fen, p.terms):
        zh, en = f"政策暂停放款（{zh}）", f"lending suspended by the fund's policy ({en})"
    return Action("suspended", p.fund_id, p.county_code, zh, en, p.npl_ratio)


def _npl_action(p: FundPosition) -> Action | None:
    """NPL approaching the threshold (a suspended fund is already on the list as suspended)."""
    threshold = _threshold(p)
    if p.suspended or threshold <= 0 or p.npl_ratio < APPROACHING * threshold:
        return None
    zh = f"不良率 {percent(p.npl_ratio)}，暂停阈值 {percent(threshold)}"
    en = f"NPL ratio {percent(p.npl_ratio)}, suspension threshold {percent(threshold)}"
    return Action("npl_approaching", p.fund_id, p.county_code, zh, en, p.npl_ratio / threshold)


def claim_deadline(claim: PendingClaim, versions: list[FundPolicy], known_at: dt.datetime | None) -> dt.date | None:
    """The day a claim must be paid by: its day plus the payment deadline of the terms in force that day."""
    policy = policy_in_force(versions, claim.claimed_on, known_at)
    return None if policy is None else claim.claimed_on + dt.timedelta(days=policy.terms.payment_deadline_days)


def _claim_actions(
    positions: dict[str, FundPosition], claims: list[PendingClaim], policies: dict[str, list[FundPolicy]]
) -> list[Action]:
    actions = []
    for claim in claims:
        position = positions.get(claim.fund_id)
        deadline = (
            None if position is None else claim_deadline(claim, policies.get(claim.fund_id, []), position.known_at)
        )
        if position is None or deadline is None or position.as_of <= deadline:
            continue
        late = (position.as_of - deadline).days
        zh = f"贷款 {claim.loan_id} 待付 {yuan(claim.pending_fen)} 元，已逾期 {late} 天（期限 {deadline}）"
        en = f"loan {claim.loan_id}: {yuan(claim.pending_fen)} yuan pending, {late} days past the deadline {deadline}"
        actions.append(Action("claim_overdue", claim.fund_id, position.county_code, zh, en, late, claim.loan_id))
    return actions


def action_list(
    positions: list[FundPosition], claims: list[PendingClaim], policies: dict[str, list[FundPolicy]]
) -> list[Action]:
    """Every action of ``positions`` and their pending ``claims``, the most urgent first (see the module)."""
    found = [a for p in positions for a in (_status_action(p), _npl_action(p)) if a is not None]
    found += _claim_actions({p.fund_id: p for p in positions}, claims, policies)
    return sorted(found, key=lambda a: (a.urgency, -a.weight, a.fund_id, a.loan_id or ""))
