"""The training job's sample weights: the rows the weights draw, the weight column dropped, a missing column named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_engine.errors import InvalidInput
from training.train_job import TrainJob


def test_the_weight_column_draws_rows_and_is_dropped():
    frame = pd.DataFrame({"x": np.arange(4000), "w": np.where(np.arange(4000) < 2000, 1.0, 0.0)})
    drawn = TrainJob(data=Path("unused.parquet"), weight_column="w", seed=2)._weighted(frame)
    assert "w" not in drawn.columns and len(drawn) == 2000 and drawn["x"].max() < 2000
    assert TrainJob(data=Path("unused.parquet"))._weighted(frame) is frame


def test_a_missing_weight_column_is_named():
    with pytest.raises(InvalidInput) as raised:
        TrainJob(data=Path("unused.parquet"), weight_column="weight")._weighted(pd.DataFrame({"x": [1]}))
    assert raised.value.errors[0].field == "weight"
