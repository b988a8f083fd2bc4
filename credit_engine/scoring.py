"""How the domain sees a model: a scorer gives a probability of default and the reasons behind it.

One protocol for every use: a table of validated applications (canonical English columns; the batch rating, a
batch of the API) through ``predict_pd`` and ``pd_and_reasons``, and ONE application (the scoring API, per
request) through ``score_record``, which takes the validated record itself — no DataFrame — and must give what
``pd_and_reasons`` gives for a one-row table of it. The estimators in ``models/`` satisfy it; the domain never
imports them. A :class:`Champion` is a scorer with the model version every decision it makes is recorded under.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd


@runtime_checkable
class Scorer(Protocol):
    def predict_pd(self, frame: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of default (0–1) per row (batch speed: no reasons)."""
        ...

    def pd_and_reasons(self, frame: pd.DataFrame, top_n: int = 4) -> tuple[np.ndarray, list[list[str]]]:
        """PD per row and up to ``top_n`` distinct business reason codes per row, most adverse first."""
        ...

    def score_record(self, record: Mapping[str, Any], top_n: int = 4) -> tuple[float, list[str]]:
        """PD and reasons of one validated application, as ``pd_and_reasons`` gives them for a one-row table."""
        ...


@dataclass(frozen=True, slots=True)
class Champion:
    """The scorer being served and the model version that names it in every decision."""

    scorer: Scorer
    model_version: str
