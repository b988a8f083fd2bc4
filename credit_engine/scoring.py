"""How the domain sees a model: a scorer gives a probability of default and the reasons behind it.

Estimators in ``models/`` satisfy this protocol; the domain never imports them. Both methods take a frame of
validated applications (canonical English columns) and return one entry per row, in order.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd


@runtime_checkable
class Scorer(Protocol):
    def predict_pd(self, frame: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of default (0–1) per row."""
        ...

    def reason_codes(self, frame: pd.DataFrame, top_n: int = 4) -> list[list[str]]:
        """Up to ``top_n`` distinct business reason codes per row, most adverse first."""
        ...
