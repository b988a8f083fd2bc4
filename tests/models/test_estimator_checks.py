"""scikit-learn's estimator contract, checked by scikit-learn itself on bare numeric matrices (``spec=None``)."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from models import LightGBMPD, WOEScorecard

FAST_LIGHTGBM = LightGBMPD(n_estimators=20, min_child_samples=5, early_stopping_rounds=5, n_jobs=1)


def _expected_failures(estimator) -> dict[str, str]:
    return {}


@parametrize_with_checks([FAST_LIGHTGBM, WOEScorecard()], expected_failed_checks=_expected_failures)
def test_sklearn_contract(estimator, check):
    check(estimator)
