"""One enterprise application is judged by the record path exactly as the table path judges a one-row frame: the
same canonical record when it is valid, the same errors (rule, field, words, value shown) when it is not; each
cross-field rule gives one application's scalars the answer it gives that row of a table's arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_engine.contract.validation import validate_application
from credit_engine.enterprise import linkage
from credit_engine.enterprise.fields import FIELD_BY_NAME, LINKAGE_MODE, example_enterprise
from credit_engine.enterprise.rules import ONE_APPLICATION_RULES
from credit_engine.enterprise.validation import ENTERPRISE_CONTRACT, validate_enterprise
from training.generator_enterprise import generate_enterprises


def _bodies(n: int) -> list[dict]:
    frame, _ = generate_enterprises(n, seed=3)
    bodies = []
    for row in frame.drop(columns="defaulted").to_dict("records"):
        body = {k: v.date().isoformat() if hasattr(v, "date") else v for k, v in row.items()}
        bodies.append({k: (v.item() if hasattr(v, "item") else v) for k, v in body.items()})
    return bodies


BODIES = _bodies(60)


ABSENT = object()  # a change that leaves the key out of the body


def _other_check_character(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


CHANGES = [
    {},
    {"owner_equity": 1.0},
    {"current_assets": 9.0e9},
    {"existing_bank_debt": 9.0e9},
    {"current_liabilities": 9.0e9},
    {"collateral_type": "none", "collateral_value": 100.0},
    {"collateral_type": "housing", "collateral_value": 0.0},
    {"households_driven": 900_000},
    {"entity_type": "农民专业合作社"},
    {"entity_type": "bogus"},
    {"revenue": "abc"},
    {"application_date": "2999-01-01"},
    {"households_driven": None},
    {"remark": "an extra key"},
    {"application_id": ABSENT},  # an optional field left out stays out of the record (the audit log's inputs)
    {"application_id": None},
]


def _change_id(changes: dict) -> str:
    return ",".join(f"no_{key}" if value is ABSENT else key for key, value in changes.items()) or "valid"


@pytest.mark.parametrize("changes", CHANGES, ids=_change_id)
def test_one_application_is_judged_as_the_table_path_judges_it(changes):
    for body in [*BODIES, example_enterprise()]:
        record = {key: value for key, value in (body | changes).items() if value is not ABSENT}
        assert validate_enterprise(record) == validate_application(record, ENTERPRISE_CONTRACT)


def test_an_optional_field_left_out_is_left_out_of_the_record_by_either_path():
    body = {key: value for key, value in example_enterprise().items() if key != "application_id"}
    record, errors = validate_enterprise(body)
    assert errors == [] and "application_id" not in record
    assert (record, errors) == validate_application(body, ENTERPRISE_CONTRACT)


def test_a_wrong_check_character_and_chinese_keys_are_judged_alike():
    for body in BODIES[:20]:
        wrong = body | {"credit_code": _other_check_character(body["credit_code"])}
        chinese = {FIELD_BY_NAME[k].zh: v for k, v in body.items()}
        for record in (wrong, chinese):
            assert validate_enterprise(record) == validate_application(record, ENTERPRISE_CONTRACT)
    assert validate_enterprise(wrong)[1][0].rule == "credit_code_check"
    assert validate_enterprise(BODIES[0])[1] == []


def _table_columns(bodies: list[dict]) -> dict:
    """The bodies' columns as the table path's rules read them (numbers as float64, enums as positions)."""
    frame = pd.DataFrame(bodies)
    columns = {}
    for name in frame.columns:
        definition = FIELD_BY_NAME.get(name)
        if definition is not None and definition.kind == "enum":
            columns[name] = np.array([definition.codes.index(v) for v in frame[name]], np.int64)
        elif definition is not None and definition.kind in ("int", "float"):
            columns[name] = frame[name].to_numpy(np.float64)
        else:
            columns[name] = frame[name].to_numpy(object)
    return columns


def _row_of(columns: dict, r: int) -> dict:
    return {name: (values[r].item() if hasattr(values[r], "item") else values[r]) for name, values in columns.items()}


@pytest.mark.parametrize("rule", ONE_APPLICATION_RULES, ids=lambda rule: rule.name)
def test_each_rule_judges_one_applications_scalars_as_its_row_of_a_table(rule):
    # every rule on the same rows as arrays and as scalars, with rows that break each rule
    bodies = [body | change for body in BODIES[:20] for change in CHANGES[:8]]
    bodies += [body | {"credit_code": _other_check_character(body["credit_code"])} for body in BODIES[:5]]
    columns = _table_columns(bodies)
    table = np.asarray(rule.broken({name: columns[name] for name in rule.fields}), bool)
    one_by_one = [rule.broken_by(_row_of(columns, r)) for r in range(len(bodies))]
    assert one_by_one == table.tolist()
    assert any(one_by_one) and not all(one_by_one)


@pytest.mark.parametrize("mode", list(LINKAGE_MODE))
def test_the_linkage_rule_at_its_edge_in_each_mode_by_either_path(mode):
    # the most households each application's means allow, computed over the table's arrays, is the edge the
    # record path (its own mode's means on scalars) keeps: that many pass, one more is refused the same way
    bodies = [body | {"linkage_mode": mode} for body in BODIES[:15]]
    most = linkage.most_households(pd.DataFrame(bodies))
    for body, edge in zip(bodies, most.tolist(), strict=True):
        assert linkage.most_households(body) == edge
        at, over = body | {"households_driven": int(edge)}, body | {"households_driven": int(edge) + 1}
        assert validate_enterprise(at) == validate_application(at, ENTERPRISE_CONTRACT)
        assert validate_enterprise(over) == validate_application(over, ENTERPRISE_CONTRACT)
        assert [e.rule for e in validate_enterprise(over)[1]] == ["households_within_linkage"]
        if edge >= 1:  # the contract's minimum of households driven is 1
            assert validate_enterprise(at)[1] == []
