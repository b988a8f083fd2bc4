"""Fairness by group: the approval ratio to the highest group is flagged below 0.8 (act below 0.6), small groups are
shown and not judged, and the calibration gap is taken on each group's matured loans."""

from __future__ import annotations

import pandas as pd

from credit_engine.monitoring.fairness import group_rows
from credit_engine.monitoring.policy import load_monitoring_policy

POLICY = load_monitoring_policy()
GRADES = ("AAA", "AA", "A", "B", "C")


def _group(name: str, n: int, approved: int, bads: int = 0, matured: int = 0) -> list[dict]:
    return [
        {"head_gender": name, "decision": "approve" if i < approved else "decline", "pd": 0.02, "grade": "AA",
         "defaulted": (1 if i < bads else 0) if i < matured else None}
        for i in range(n)
    ]  # fmt: skip


def test_approval_ratio_below_four_fifths_is_flagged():
    frame = pd.DataFrame(
        _group("M", 50, 40) + _group("F", 50, 38) + _group("X", 50, 30) + _group("Y", 50, 20) + _group("Z", 10, 1)
    )
    rows = {r["group"]: r for r in group_rows(frame, "head_gender", GRADES, POLICY)}
    assert (rows["M"]["approval_ratio"], rows["M"]["ratio_status"]) == (1.0, "green")
    assert (rows["F"]["approval_ratio"], rows["F"]["ratio_status"]) == (0.95, "green")
    assert (rows["X"]["approval_ratio"], rows["X"]["ratio_status"]) == (0.75, "watch")
    assert (rows["Y"]["approval_ratio"], rows["Y"]["ratio_status"]) == (0.5, "act")
    assert rows["Z"]["ratio_status"] == "not_judged"
    assert rows["M"]["grade_AA"] == 1.0 and rows["M"]["grade_C"] == 0.0


def test_calibration_gap_per_group_on_matured_loans():
    frame = pd.DataFrame(_group("M", 50, 50, bads=1, matured=40) + _group("F", 50, 50, bads=12, matured=40))
    rows = {r["group"]: r for r in group_rows(frame, "head_gender", GRADES, POLICY)}
    assert rows["M"]["matured_loans"] == 40 and rows["M"]["calibration_status"] == "green"
    assert rows["F"]["calibration_gap"] == round(12 / 40 - 0.02, 4)
    assert rows["F"]["calibration_status"] == "act"
