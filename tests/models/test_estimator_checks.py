"""scikit-learn's estimator contract, checked by scikit-learn itself on bare numeric matrices (``spec=None``).

No check is marked as an expected failure: every estimator passes all of them (binary-only, NaN allowed by tags).
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from models import ForestPD, LightGBMPD, LinearPD, WOEScorecard

FAST_LIGHTGBM = LightGBMPD(n_estimators=20, min_child_samples=5, early_stopping_rounds=5, n_jobs=1)
FAST_FOREST = ForestPD(n_estimators=10, min_child_samples=2, n_jobs=1)


@parametrize_with_checks([FAST_LIGHTGBM, FAST_FOREST, WOEScorecard(), LinearPD(C=1.0)])
def test_sklearn_contract(estimator, check):
    check(estimator)
