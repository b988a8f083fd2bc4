"""The enterprise ratios and Altman's Z'', the same function over a frame and over one application."""

import numpy as np
import pandas as pd
import pytest

from credit_engine.enterprise.fields import example_enterprise
from credit_engine.enterprise.ratios import RATIO_CAP, altman_z, derive_enterprise
from credit_engine.features import DERIVATIONS


def test_altman_z_of_the_example_by_hand():
    e = example_enterprise()
    assets = e["total_assets"]
    x1 = (e["current_assets"] - e["current_liabilities"]) / assets
    x2, x3 = e["retained_earnings"] / assets, e["ebit"] / assets
    x4 = e["owner_equity"] / e["total_liabilities"]
    assert altman_z(e) == pytest.approx(6.56 * x1 + 3.26 * x2 + 6.72 * x3 + 1.05 * x4)


def test_ratios_of_the_example_and_the_same_on_a_frame():
    e = example_enterprise()
    one = derive_enterprise(e)
    assert one["leverage"] == pytest.approx(0.5)
    assert one["current_ratio"] == pytest.approx(4_100_000 / 2_900_000)
    assert one["roa"] == pytest.approx(520_000 / 12_400_000)
    assert one["cash_flow_cover"] == pytest.approx(910_000 / 5_000_000)
    assert one["loan_to_revenue"] == pytest.approx(2_000_000 / 8_600_000)
    frame = pd.DataFrame([e, {**e, "current_liabilities": 0.0, "revenue": 0.0, "total_liabilities": 0.0}])
    many = derive_enterprise(frame)
    for name, value in one.items():
        assert many[name][0] == pytest.approx(value), name
    assert many["current_ratio"][1] == RATIO_CAP and many["loan_to_revenue"][1] == RATIO_CAP
    assert np.isfinite(many["altman_z"][1])  # no debt: X4 over 1% of assets, finite and high
    assert DERIVATIONS["enterprise"] is derive_enterprise


def test_more_leverage_lowers_altman_z():
    e = example_enterprise()
    levered = {**e, "total_liabilities": 11_000_000.0, "owner_equity": 1_400_000.0}
    assert altman_z(levered) < altman_z(e)
