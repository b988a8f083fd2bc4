"""The service's live PSI: each county's recent PDs against the reference bins, the oldest leaving the window."""

from __future__ import annotations

import math

import pytest

from credit_engine.monitoring.live import LiveStability
from credit_engine.monitoring.profile import Bins

REFERENCE = Bins("numeric", (0.5, 0.5, 0.0), edges=(0.05,))  # below 5%, 5% and above, missing


def by_hand(shares, actual) -> float:
    return sum(
        (max(a, 1e-4) - max(e, 1e-4)) * math.log(max(a, 1e-4) / max(e, 1e-4))
        for e, a in zip(shares, actual, strict=True)
    )


def test_psi_per_county_of_the_recent_assessments():
    live = LiveStability(REFERENCE, window=4)
    assert live.add("140121", 0.01, "approve") == pytest.approx(by_hand(REFERENCE.shares, (1.0, 0.0, 0.0)))
    assert live.add("140121", 0.20, "decline") == pytest.approx(0.0)
    assert live.add("140122", 0.20, "decline") == pytest.approx(by_hand(REFERENCE.shares, (0.0, 1.0, 0.0)))
    assert live.decision_shares() == {"approve": pytest.approx(1 / 3), "decline": pytest.approx(2 / 3)}


def test_the_oldest_assessment_leaves_a_full_window():
    live = LiveStability(REFERENCE, window=2)
    live.add("140121", 0.01, "approve")
    live.add("140121", 0.01, "approve")
    assert live.add("140121", 0.20, "refer") == pytest.approx(0.0)  # the window holds 0.01 and 0.20
    assert live.add("140121", 0.30, "refer") == pytest.approx(by_hand(REFERENCE.shares, (0.0, 1.0, 0.0)))
    assert live.decision_shares() == {"approve": 0.0, "refer": 1.0}
