"""Overrides and policy (决策与策略): the decision mix, the share of knock-outs by rule, the refer rate and the
decisions the fund's headroom changed (an approval referred with F01–F04), per monthly cohort and overall.

Shown for information: these figures describe the policy at work, the monitoring policy sets no threshold on them.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from credit_engine.monitoring.assessments import FUND_CODES
from credit_engine.monitoring.performance import INFO
from credit_engine.monitoring.stability import ALL

DECISIONS = ("approve", "refer", "decline")


def decision_rows(frame: pd.DataFrame) -> list[dict]:
    """Per cohort (``all`` first): assessments, the share of each decision, the refer rate of the fund's headroom."""
    if frame.empty:
        return []
    parts = [(ALL, frame), *((str(c), p) for c, p in frame.groupby("cohort", sort=True))]
    rows = []
    for cohort, part in parts:
        n = len(part)
        by_fund = int(part["fund_reasons"].map(bool).sum())
        row = {"cohort": cohort, "assessments": n}
        row |= {f"{d}_share": round(float((part["decision"] == d).mean()), 4) for d in DECISIONS}
        row |= {"knocked_out_share": round(float(part["knockouts"].map(bool).mean()), 4)}
        row |= {"fund_referrals": by_fund, "fund_referral_share": round(by_fund / n, 4), "status": INFO}
        rows.append(row)
    return rows


def reason_rows(frame: pd.DataFrame) -> list[dict]:
    """Each knock-out rule (K codes) and fund reason (F01–F04): how many assessments it hit and their share."""
    if frame.empty:
        return []
    n = len(frame)
    knockouts = Counter(code for codes in frame["knockouts"] for code in codes)
    funds = Counter(code for codes in frame["fund_reasons"] for code in codes)
    rows = [{"kind": "knock-out 准入否决", "code": c, "count": k, "share": round(k / n, 4), "status": INFO}
            for c, k in sorted(knockouts.items())]  # fmt: skip
    rows += [{"kind": "fund headroom 基金额度", "code": c, "count": funds[c], "share": round(funds[c] / n, 4),
              "status": INFO} for c in FUND_CODES if funds[c]]  # fmt: skip
    return rows
