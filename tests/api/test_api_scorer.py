"""The served model scores one application through its own one-record path, which gives exactly what its table
path gives; a model whose one-record path disagrees is served through its table path; a model that cannot score the
household contract is refused before it is served."""

from __future__ import annotations

import pandas as pd
import pytest

from api.scorer import ModelRejected, ServedModel, sample_records
from credit_engine.contract.record import validate_record
from models.store import LoadedModel, load_estimator

pytestmark = pytest.mark.xdist_group("test_api_scorer")  # one worker: the module shares its app and database


@pytest.fixture(scope="module")
def served(mlflow_store) -> ServedModel:
    model = ServedModel(load_estimator("models:/household-pd/1", mlflow_store[0]))
    model.check()
    return model


def test_the_models_one_record_path_is_served_and_equals_the_table_path_on_generated_households(served):
    from training.generator import generate_registry

    frame, _ = generate_registry(400, seed=99)
    records = [validate_record(row)[0] for row in frame.drop(columns="defaulted").to_dict("records")]
    records = [r for r in records if r]
    pds, reasons = served.estimator.pd_and_reasons(pd.DataFrame(records), 4)
    assert served.fast_path and served.champion.scorer is served.estimator and len(records) > 300
    for record, pd_value, codes in zip(records, pds, reasons, strict=True):
        assert served.champion.scorer.score_record(record, 4) == (pd_value, codes)


class Skewed:
    """A scorer whose one-record path is off by a hair."""

    def __init__(self, estimator) -> None:
        self.estimator = estimator

    def predict_pd(self, frame):
        return self.estimator.predict_pd(frame)

    def pd_and_reasons(self, frame, top_n=4):
        return self.estimator.pd_and_reasons(frame, top_n)

    def score_record(self, record, top_n=4):
        pd_value, reasons = self.estimator.score_record(record, top_n)
        return pd_value + 1e-12, reasons


def test_a_model_whose_one_record_path_disagrees_is_served_through_its_table_path(served):
    skewed = ServedModel(LoadedModel(Skewed(served.estimator), "runs:/skewed", None, None))
    skewed.check()

    record = sample_records()[0]
    pds, reasons = served.estimator.pd_and_reasons(pd.DataFrame([record]), 4)
    assert not skewed.fast_path
    assert skewed.champion.scorer.score_record(record, 4) == (pds[0], reasons[0])


def test_a_model_that_cannot_score_the_contract_is_refused():
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    foreign = LogisticRegression().fit(np.random.default_rng(0).normal(size=(40, 3)), np.arange(40) % 2)
    with pytest.raises(ModelRejected, match="household contract"):
        ServedModel(LoadedModel(foreign, "runs:/x", None, None)).check()
