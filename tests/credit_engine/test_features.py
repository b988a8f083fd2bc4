"""The household derivation is one function: one application gets exactly what its row of a frame gets."""

from __future__ import annotations

import copy
import copyreg
import dataclasses
import io
import pickle

import numpy as np
import pandas as pd

from credit_engine.contract import example_application
from credit_engine.features import DERIVATIONS, FeatureSpec, household_spec


def pickled_without(obj: object, *names: str) -> bytes:
    """``obj`` pickled as a version of its class without the trailing fields ``names`` would have pickled it: the
    slots dataclass's state (a list of field values in field order) without their values."""
    fields = [f.name for f in dataclasses.fields(obj)]
    assert fields[-len(names) :] == list(names)
    old_state = obj.__getstate__()[: -len(names)]

    class OldPickler(pickle.Pickler):
        def reducer_override(self, value):
            if value is obj:
                return copyreg.__newobj__, (type(obj),), old_state
            return NotImplemented

    buffer = io.BytesIO()
    OldPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


def test_a_spec_pickled_before_calibration_folds_existed_reads_with_its_default():
    spec = household_spec()
    assert spec.calibration_folds is None
    old = pickle.loads(pickled_without(spec, "calibration_folds"))
    assert isinstance(old, FeatureSpec) and old.calibration_folds is None
    assert repr(old) == repr(spec) and old == spec and hash(old) == hash(spec)
    assert old.to_dict() == spec.to_dict() and old.fingerprint() == spec.fingerprint()
    assert copy.deepcopy(old) == spec and pickle.loads(pickle.dumps(old)) == spec


def test_a_spec_with_every_field_still_round_trips():
    spec = dataclasses.replace(household_spec(), calibration_folds=10)
    again = pickle.loads(pickle.dumps(spec))
    assert again == spec and again.calibration_folds == 10 and copy.deepcopy(spec) == spec


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
