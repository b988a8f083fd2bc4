"""Wall time of a job's stages, for its log, its report and MLflow (``time.<stage>_seconds``).

A stage is entered with ``with clock.stage("holdout_fit_lightgbm", "fit lightgbm"):`` — the description goes to the
job's progress line (``on_step``), the seconds are added to the stage's total (a stage entered twice adds up).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class StageClock:
    """Seconds spent in each named stage, in the order the stages were first entered."""

    def __init__(self, on_step: Callable[[str], None] = lambda _: None) -> None:
        self.on_step = on_step
        self.seconds: dict[str, float] = {}
        self._started = time.perf_counter()

    @contextmanager
    def stage(self, name: str, description: str | None = None) -> Iterator[None]:
        self.on_step(description or name.replace("_", " "))
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def total(self) -> float:
        """Seconds since the clock was made (the job's wall time so far)."""
        return time.perf_counter() - self._started

    def report(self) -> dict[str, float]:
        """Every stage's seconds (rounded to ms) and the ``total``."""
        return {**{name: round(value, 3) for name, value in self.seconds.items()}, "total": round(self.total(), 3)}

    def metrics(self) -> dict[str, float]:
        """MLflow metrics: ``time.<stage>_seconds`` per stage and ``time.total_seconds``."""
        return {f"time.{name}_seconds": value for name, value in self.report().items()}
