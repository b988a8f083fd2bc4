"""The household derivation is one function: one application gets exactly what its row of a frame gets."""

from __future__ import annotations

import copy
import copyreg
import dataclasses
import io
import pickle

import numpy as np
import pandas as pd
import pytest

from credit_engine.contract import example_application
from credit_engine.features import DERIVATIONS, FeatureSpec, SpecError, household_spec


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


def _with_feature(name: str, **definition) -> dict:
    raw = household_spec().to_dict()
    raw["features"][name] = raw["features"][name] | definition
    return raw


def test_a_features_expert_bins_are_read_kept_and_fingerprinted():
    raw = _with_feature("annual_net_income", bins={"max_n_bins": 4, "min_bin_size": 0.05, "splits": [1e4, 2e4, 4e4]})
    spec = FeatureSpec.from_dict(raw, name="household")
    bins = spec.get("annual_net_income").bins
    assert (bins.max_n_bins, bins.min_bin_size, bins.splits) == (4, 0.05, (1e4, 2e4, 4e4))
    assert bins.binning_params() == {"max_n_bins": 4, "min_bin_size": 0.05, "user_splits": [1e4, 2e4, 4e4]}
    assert spec.to_dict()["features"]["annual_net_income"]["bins"] == {"max_n_bins": 4, "min_bin_size": 0.05,
                                                                        "splits": [1e4, 2e4, 4e4]}  # fmt: skip
    assert FeatureSpec.from_dict(spec.to_dict(), name="household") == spec
    assert spec.fingerprint() != household_spec().fingerprint()  # a bin constraint changes what is trained
    assert household_spec().get("annual_net_income").bins is None  # and a spec without any keeps its fingerprint
    assert pickle.loads(pickle.dumps(spec)) == spec


@pytest.mark.parametrize(
    ("feature", "bins", "message"),
    [
        ("annual_net_income", {"max_n_bins": 1}, "bins.max_n_bins must be a whole number from 2 to 20"),
        ("annual_net_income", {"max_n_bins": True}, "bins.max_n_bins"),
        ("annual_net_income", {"min_bin_size": 0.7}, "bins.min_bin_size must be a share above 0"),
        ("annual_net_income", {"splits": [2e4, 1e4]}, "bins.splits must be a non-empty list of increasing numbers"),
        ("annual_net_income", {"splits": []}, "bins.splits must be a non-empty list"),
        ("annual_net_income", {"splits": [1, "two"]}, "bins.splits must be"),
        ("annual_net_income", {"splits": [1, float("inf")]}, "bins.splits must be"),
        ("annual_net_income", {"bins": 3}, "unknown keys bins"),
        ("annual_net_income", [4], "bins is a mapping"),
        ("county_code", {"splits": [1.0]}, "only a numeric feature has cut points"),
        ("annual_net_income", {"splits": list(range(51))}, "bins.splits holds 51 cut points; at most 50"),
    ],
)
def test_a_bad_bin_constraint_names_its_feature_and_key(feature, bins, message):
    with pytest.raises(SpecError, match=f"feature '{feature}': " + ".*" + message.replace(".", r"\.")):
        FeatureSpec.from_dict(_with_feature(feature, bins=bins))


def test_an_unknown_key_of_a_feature_is_refused():
    with pytest.raises(SpecError, match="feature 'annual_net_income': unknown keys monotonic"):
        FeatureSpec.from_dict(_with_feature("annual_net_income", monotonic="increasing"))


def test_a_feature_pickled_before_bins_existed_reads_with_its_default():
    feature = household_spec().get("annual_net_income")
    old = pickle.loads(pickled_without(feature, "bins"))
    assert old.bins is None and old == feature and hash(old) == hash(feature) and repr(old) == repr(feature)
