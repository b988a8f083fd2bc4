"""The live PSI of the PD per county and the recent decision mix, kept in memory by the service (实时监控).

:class:`LiveStability` holds the champion's reference PD bins and, per county, the bin of each of its last
``window`` assessments in a ring with a running count per bin: adding an assessment is O(1) (one bisection over a
dozen edges, one count up and, when the ring is full, the oldest one down) and the county's PSI is recomputed over
the bins only. Decisions of the last ``window`` assessments of the process are counted the same way. Nothing here
reads the database or MLflow: the service hands the profile in when a champion is loaded.
"""

from __future__ import annotations

import bisect
import threading
from collections import Counter, deque

from credit_engine.monitoring.profile import Bins, psi

WINDOW = 500


class LiveStability:
    """Recent PDs per county against the reference PD bins, and the recent decision mix."""

    def __init__(self, reference: Bins, window: int = WINDOW) -> None:
        self.reference = reference
        self.window = window
        self._bins: dict[str, deque[int]] = {}
        self._counts: dict[str, list[int]] = {}
        self._decisions: deque[str] = deque()
        self._decision_counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _bin(self, pd_value: float | None) -> int:
        if pd_value is None:
            return len(self.reference.shares) - 1
        search = bisect.bisect_left if self.reference.search_side == "left" else bisect.bisect_right
        return search(self.reference.edges, float(pd_value))

    def add(self, county_code: str, pd_value: float | None, decision: str) -> float:
        """Record one assessment; the county's PSI over its recent assessments after it."""
        with self._lock:
            ring = self._bins.setdefault(county_code, deque())
            counts = self._counts.setdefault(county_code, [0] * len(self.reference.shares))
            index = self._bin(pd_value)
            ring.append(index)
            counts[index] += 1
            if len(ring) > self.window:
                counts[ring.popleft()] -= 1
            self._decisions.append(decision)
            self._decision_counts[decision] += 1
            if len(self._decisions) > self.window:
                self._decision_counts[self._decisions.popleft()] -= 1
            return psi(self.reference.shares, [n / len(ring) for n in counts])

    def decision_shares(self) -> dict[str, float]:
        """Each decision's share of the recent assessments."""
        with self._lock:
            total = len(self._decisions)
            return {decision: n / total for decision, n in self._decision_counts.items()} if total else {}
