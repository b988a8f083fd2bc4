"""The financial ratios of an enterprise application, written once over columns (:mod:`credit_engine.columns`): the
feature spec's ``derive: enterprise`` for training, batch and one application alike, and Altman's Z'' as a printed
reference.

- ``leverage``: total liabilities ÷ total assets;
- ``current_ratio``: current assets ÷ current liabilities (capped at 10; 10 without current liabilities);
- ``roa``: net profit ÷ total assets;
- ``cash_flow_cover``: operating cash flow ÷ (bank debt + the loan requested): the share of the debt one year's cash
  repays;
- ``loan_to_revenue``: the loan requested ÷ revenue (capped at 10);
- ``altman_z``: Altman's Z'' for private and non-manufacturing firms, 6.56 X1 + 3.26 X2 + 6.72 X3 + 1.05 X4 with X1
  working capital, X2 retained earnings, X3 EBIT (each ÷ total assets) and X4 book equity ÷ total liabilities (the
  liabilities taken as at least 1% of assets, so a firm without debt has a finite, high X4).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from credit_engine.columns import Columns, number

RATIO_CAP = 10.0
Z_WEIGHTS = (6.56, 3.26, 6.72, 1.05)


def altman_z(columns: Columns) -> Any:
    """Altman's Z'' of each application (higher is safer: above 2.6 safe, below 1.1 distressed)."""
    assets = number(columns["total_assets"])
    liabilities = np.maximum(number(columns["total_liabilities"]), 0.01 * assets)
    x1 = (number(columns["current_assets"]) - number(columns["current_liabilities"])) / assets
    x2 = number(columns["retained_earnings"]) / assets
    x3 = number(columns["ebit"]) / assets
    x4 = number(columns["owner_equity"]) / liabilities
    w1, w2, w3, w4 = Z_WEIGHTS
    return w1 * x1 + w2 * x2 + w3 * x3 + w4 * x4


def derive_enterprise(columns: Columns) -> dict[str, Any]:
    """The ratios above, safe on zero denominators (total assets are above 0 by the contract)."""
    assets = number(columns["total_assets"])
    current_liabilities = number(columns["current_liabilities"])
    requested = number(columns["requested_amount"])
    current = np.where(
        current_liabilities > 0, number(columns["current_assets"]) / np.maximum(current_liabilities, 1.0), RATIO_CAP
    )
    return {
        "leverage": number(columns["total_liabilities"]) / assets,
        "current_ratio": np.minimum(current, RATIO_CAP),
        "roa": number(columns["net_profit"]) / assets,
        "cash_flow_cover": number(columns["operating_cash_flow"]) / (number(columns["existing_bank_debt"]) + requested),
        "loan_to_revenue": np.minimum(requested / np.maximum(number(columns["revenue"]), 1.0), RATIO_CAP),
        "altman_z": altman_z(columns),
    }
