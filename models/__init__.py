"""The estimators, scikit-learn compatible: the LightGBM PD model, the WOE scorecard, the linear one-hot model, their
blend (a logistic stack) and the manual 100-point sheet.

Each reads frames of applications described by a ``FeatureSpec`` (or, without one, a numeric matrix) and satisfies
``credit_engine.scoring.Scorer``: ``predict_pd(frame)`` and ``reason_codes(frame, top_n)``. ``FAMILIES`` names them for
the training jobs.
"""

from models.blend import BlendPD
from models.forest import ForestPD
from models.lgbm import LightGBMPD
from models.linear import LinearPD
from models.manual_sheet import ManualSheet
from models.scorecard import WOEScorecard

FAMILIES = {
    "lightgbm": LightGBMPD,
    "scorecard": WOEScorecard,
    "linear": LinearPD,
    "forest": ForestPD,
    "blend": BlendPD,
    "manual_sheet": ManualSheet,
}

__all__ = ["FAMILIES", "BlendPD", "ForestPD", "LightGBMPD", "LinearPD", "ManualSheet", "WOEScorecard"]
