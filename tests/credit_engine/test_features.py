"""The household derivation is one function: one application gets exactly what its row of a frame gets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_engine.contract import example_application
from credit_engine.features import DERIVATIONS, household_spec


def test_one_application_derives_what_its_row_derives():
    changes = [
        {},
        {"prior_loans": 0, "prior_overdue_times": 0, "annual_net_income": 0.0},
        {"prior_loans": 3, "prior_overdue_times": 20, "total_assets": 0.0, "total_liabilities": 90_000.0},
        {"household_size": 1, "labor_count": 0, "requested_amount": 1_000.0, "annual_net_income": 123_456.78},
    ]
    records = [example_application(**change) for change in changes]
    derive = DERIVATIONS[household_spec().derive]
    table = derive(pd.DataFrame(records))

    for i, record in enumerate(records):
        one = derive(record)
        assert set(one) == set(table)
        for name, values in table.items():
            assert np.ndim(one[name]) == 0 and float(one[name]) == values[i], name
