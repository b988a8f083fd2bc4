"""One enterprise application is judged by the record path exactly as the table path judges a one-row frame: the
same canonical record when it is valid, the same errors (rule, field, words, value shown) when it is not."""

from __future__ import annotations

import pytest

from credit_engine.contract.validation import validate_application
from credit_engine.enterprise.fields import FIELD_BY_NAME
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


def _other_check_character(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


CHANGES = [
    {},
    {"owner_equity": 1.0},
    {"current_assets": 9.0e9},
    {"existing_bank_debt": 9.0e9},
    {"collateral_type": "none", "collateral_value": 100.0},
    {"collateral_type": "housing", "collateral_value": 0.0},
    {"households_driven": 900_000},
    {"entity_type": "农民专业合作社"},
    {"entity_type": "bogus"},
    {"revenue": "abc"},
    {"application_date": "2999-01-01"},
    {"households_driven": None},
    {"remark": "an extra key"},
]


@pytest.mark.parametrize("changes", CHANGES, ids=lambda c: ",".join(c) or "valid")
def test_one_application_is_judged_as_the_table_path_judges_it(changes):
    for body in BODIES:
        record = body | changes
        assert validate_enterprise(record) == validate_application(record, ENTERPRISE_CONTRACT)


def test_a_wrong_check_character_and_chinese_keys_are_judged_alike():
    for body in BODIES[:20]:
        wrong = body | {"credit_code": _other_check_character(body["credit_code"])}
        chinese = {FIELD_BY_NAME[k].zh: v for k, v in body.items()}
        for record in (wrong, chinese):
            assert validate_enterprise(record) == validate_application(record, ENTERPRISE_CONTRACT)
    assert validate_enterprise(wrong)[1][0].rule == "credit_code_check"
    assert validate_enterprise(BODIES[0])[1] == []
