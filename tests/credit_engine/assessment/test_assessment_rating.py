"""Rating one record runs the batch rating service's rules on the record itself: same grade, line, decision and
reasons for any application as its row of a rated frame."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credit_engine.assessment.rating import merge_reasons, rate_record
from credit_engine.contract import FIELD_BY_NAME, example_application, idnumber, validate_applications
from credit_engine.contract.record import validate_record
from credit_engine.policy import load_policy
from credit_engine.rating import InvalidScorerOutput, rate_applications

POLICY = load_policy()
CODES = ["R01", "R02", "R03", "R05", "R09", "R13", "K03", "D02", ""]


class FixedScorer:
    """Returns the PDs and reasons it was given, row by row."""

    def __init__(self, pds, reasons):
        self.pds, self.reasons = np.asarray(pds, dtype=float), reasons

    def predict_pd(self, frame):
        return self.pds

    def pd_and_reasons(self, frame, top_n=4):
        return self.pds, self.reasons


def _choice(name):
    return st.sampled_from(list(FIELD_BY_NAME[name].codes))


@st.composite
def application(draw):
    age = draw(st.integers(16, 70))
    born = dt.date(2024 - age, 1, 1)
    changes = {
        "head_id_number": idnumber.make("140121", born, 123),
        "head_age": age if born < dt.date(2024, 3, 1) else age - 1,
        "registry_status": draw(_choice("registry_status")),
        "credit_record": draw(_choice("credit_record")),
        "purpose": draw(_choice("purpose")),
        "requested_amount": draw(st.sampled_from([999.0, 1000.0, 1000.5, 30000.0, 50000.0, 50000.01, 80000.0])),
        "term_months": draw(st.sampled_from([1, 12, 36, 37, 60, 61])),
        "annual_net_income": draw(st.floats(0, 200_000).map(lambda x: round(x, 2))),
        "transfer_income": draw(st.sampled_from([0.0, 2400.0, 12345.67])),
    }
    return example_application(**changes)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            application(),
            st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.01, 0.025, 0.05, 0.0499999, 0.15, 1.0])),
            st.lists(st.sampled_from(CODES), max_size=5),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_one_record_rates_as_the_batch_service_rates_it(rows):
    applications = [record | {"application_id": f"A{i}"} for i, (record, _, _) in enumerate(rows)]
    records = [validate_record(record)[0] for record in applications]
    frame = validate_applications(pd.DataFrame(applications)).frame
    assert len(frame) == len(rows)
    batch = rate_applications(frame, FixedScorer([p for _, p, _ in rows], [r for _, _, r in rows]), POLICY)
    for position, (record, (_, pd_value, reasons)) in enumerate(zip(records, rows, strict=True)):
        single = rate_record(record, pd_value, reasons, POLICY)
        expected = batch.iloc[position]
        got_reasons = [expected[f"reason_{n}"] for n in range(1, 5)]
        assert single.grade == expected["grade"] and single.grade_zh == expected["grade_zh"]
        assert single.credit_line_yuan == expected["credit_line_yuan"]
        assert (single.decision, single.decision_zh) == (expected["decision"], expected["decision_zh"])
        assert list(single.reasons) == [code for code in got_reasons if code]
        assert ";".join(single.knockouts) == expected["knockouts"]
        assert single.policy_version == expected["policy_version"]


def test_knockouts_come_first_then_the_decision_code_then_the_model():
    record = validate_record(example_application(credit_record="adverse", purpose="wedding"))[0]
    rating = rate_record(record, 0.2, ["R06", "R01", "R02"], POLICY)
    assert rating.decision == "decline" and rating.credit_line_yuan == 0
    assert rating.reasons == ("K03", "K04", "R06", "R01")


def test_a_pd_outside_zero_and_one_is_the_scorer_breaking_its_contract():
    record = validate_record(example_application())[0]
    with pytest.raises(InvalidScorerOutput):
        rate_record(record, 1.5, [], POLICY)


def test_merging_reasons_skips_repeats_and_blanks():
    assert merge_reasons(["K01"], ["", "K01", "R01", "R02", "R03", "R04"]) == ("K01", "R01", "R02", "R03")
