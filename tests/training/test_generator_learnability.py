"""The registry's truth can be learned from what the application records, and only by a non-linear model.

A smaller cousin of the 200,000-household benchmark: an out-of-time holdout (the last 20% of application dates),
plain LightGBM on the household feature spec, the Bayes ceiling (AUC of the true PD on the same rows), and a
logistic regression on the raw columns that must fall visibly behind.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

from credit_engine.features import household_spec
from training.generator import generate_registry

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def holdout() -> dict[str, object]:
    applications, truth = generate_registry(80_000, seed=21)
    test = (applications["application_date"] > applications["application_date"].quantile(0.8)).to_numpy()
    return {
        "applications": applications,
        "test": test,
        "bayes_auc": roc_auc_score(applications["defaulted"][test], truth["true_pd"][test]),
        "lightgbm_auc": _lightgbm_auc(applications, test),
    }


def _lightgbm_auc(applications: pd.DataFrame, test: np.ndarray) -> float:
    import lightgbm as lgb

    spec = household_spec()
    features = spec.prepare(applications)
    for name in spec.categorical:
        features[name] = features[name].astype("category").cat.codes
    labels = applications["defaulted"].to_numpy()
    train = np.flatnonzero(~test)
    fit, valid = train[: int(len(train) * 0.85)], train[int(len(train) * 0.85) :]
    params = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "verbose": -1, "seed": 1}
    fit_set = lgb.Dataset(features.iloc[fit], labels[fit], categorical_feature=spec.categorical)
    valid_set = lgb.Dataset(features.iloc[valid], labels[valid], reference=fit_set)
    booster = lgb.train(params, fit_set, 500, valid_sets=[valid_set], callbacks=[lgb.early_stopping(50, verbose=False)])
    return roc_auc_score(labels[test], booster.predict(features[test]))


def _raw_logistic_auc(applications: pd.DataFrame, test: np.ndarray) -> float:
    spec = household_spec()
    raw = applications[[name for name in spec.feature_names if name in applications.columns]]
    numeric = raw.drop(columns=spec.categorical).astype("float64")
    design = pd.concat([numeric, pd.get_dummies(raw[spec.categorical], drop_first=True, dtype="float64")], axis=1)
    scaler = StandardScaler().fit(design[~test])
    labels = applications["defaulted"].to_numpy()
    model = LogisticRegression(max_iter=2000).fit(scaler.transform(design[~test]), labels[~test])
    return roc_auc_score(labels[test], model.predict_proba(scaler.transform(design[test]))[:, 1])


def test_lightgbm_comes_close_to_the_bayes_ceiling_out_of_time(holdout) -> None:
    assert 0.8 <= holdout["bayes_auc"] <= 0.93
    assert holdout["lightgbm_auc"] >= 0.96 * holdout["bayes_auc"]


def test_a_linear_model_on_the_raw_columns_falls_behind(holdout) -> None:
    logistic_auc = _raw_logistic_auc(holdout["applications"], holdout["test"])

    assert logistic_auc < holdout["lightgbm_auc"] - 0.01
