"""The served model's one-row numpy path gives exactly what the estimator gives on a frame; a model that cannot
score the household contract is refused before it is served."""

from __future__ import annotations

import pytest

from api.scorer import ModelRejected, ServedModel
from credit_engine.contract.record import validate_record
from models.store import LoadedModel, load_estimator

pytestmark = pytest.mark.xdist_group("test_api_scorer")  # one worker: the module shares its app and database


@pytest.fixture(scope="module")
def served(mlflow_store) -> ServedModel:
    model = ServedModel(load_estimator("models:/household-pd/1", mlflow_store[0]))
    model.check()
    return model


def test_the_fast_path_is_used_and_equals_the_frame_path_on_generated_households(served):
    from training.generator import generate_registry

    frame, _ = generate_registry(400, seed=99)
    records = [validate_record(row)[0] for row in frame.drop(columns="defaulted").to_dict("records")]
    records = [r for r in records if r]
    pds, reasons = served.batch_pd_and_reasons(records, 4)
    assert served.fast_path and served.shortcuts and len(records) > 300
    for record, pd_value, codes in zip(records, pds, reasons, strict=True):
        assert served.pd_and_reasons(record, 4) == (pd_value, codes)


def test_a_model_that_cannot_score_the_contract_is_refused():
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    foreign = LogisticRegression().fit(np.random.default_rng(0).normal(size=(40, 3)), np.arange(40) % 2)
    with pytest.raises(ModelRejected, match="household contract"):
        ServedModel(LoadedModel(foreign, "runs:/x", None, None)).check()
