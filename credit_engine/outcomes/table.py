"""The outcome table: one row per linked 富民贷 loan, its columns, and the summary of what was kept and left out.

:func:`outcome_table` turns loan histories, their links and the recorded assessments into rows and a summary.
Columns (:data:`COLUMNS`), in order: the loan (``fund_id``, ``loan_id``, ``product``, ``disbursed_on``,
``maturity_date``, ``principal_yuan``), the link (``assessment_id``, ``link_method``, ``assessed_at``), the
assessment's inputs in the data contract's columns as the audit log kept them — the head's ID number never, only
``head_id_pseudonym`` — then what the engine predicted (``pd``, ``grade``, ``decision``, ``credit_line_yuan``,
``model_version``, ``policy_version``, ``policy_fingerprint``) and the outcome (``label``, ``defaulted`` 1 / 0 /
empty as the contract's training label, ``censored``, ``bad_on``, ``bad_event``, ``window_end``). The summary
counts loans, linked rows and labels, and says how many disbursed loans were left out and why, and how many
assessments have no outcome by their decision (declined and referred applications were never lent to: reject
inference is out of scope, the bias is reported).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credit_engine.assessment.audit_record import StoredAssessment
from credit_engine.contract.fields import APPLICATION_FIELDS, FieldDef
from credit_engine.outcomes.definition import OutcomeDefinition
from credit_engine.outcomes.events import LoanHistory, disbursement_stands
from credit_engine.outcomes.labels import Label, LoanOutcome, label_loan
from credit_engine.outcomes.linking import link_loans

LOAN_COLUMNS = {
    "fund_id": "str",
    "loan_id": "str",
    "product": "str",
    "disbursed_on": "date",
    "maturity_date": "date",
    "principal_yuan": "float",
    "assessment_id": "str",
    "link_method": "str",
    "assessed_at": "timestamp",
}
PREDICTION_COLUMNS = {
    "pd": "float",
    "grade": "str",
    "decision": "str",
    "credit_line_yuan": "float",
    "model_version": "str",
    "policy_version": "str",
    "policy_fingerprint": "str",
}
OUTCOME_COLUMNS = {
    "label": "str",
    "defaulted": "int",
    "censored": "bool",
    "bad_on": "date",
    "bad_event": "str",
    "window_end": "date",
}


def _contract_kind(field: FieldDef) -> str:
    return field.kind if field.kind in ("int", "float", "bool", "date") else "str"


CONTRACT_COLUMNS = {
    **{f.name: _contract_kind(f) for f in APPLICATION_FIELDS if f.kind != "id_number"},
    "head_id_pseudonym": "str",
}
COLUMNS: Mapping[str, str] = {**LOAN_COLUMNS, **CONTRACT_COLUMNS, **PREDICTION_COLUMNS, **OUTCOME_COLUMNS}
"""Every column of the outcome table and its kind: str, int, float, bool, date or timestamp (UTC)."""

DEFINITION_PRODUCT_LEFT_OUT = "other_product"
NO_LINK = "no_linkable_assessment"
REVERSED = "disbursement_reversed"


@dataclass(frozen=True, slots=True)
class OutcomeTable:
    rows: list[dict[str, Any]]
    summary: dict[str, Any]


def outcome_table(
    histories: Sequence[LoanHistory],
    named: Mapping[tuple[str, str], str],
    assessments: Sequence[StoredAssessment],
    definition: OutcomeDefinition,
    as_of: dt.date,
    known_at: dt.datetime,
) -> OutcomeTable:
    """The rows of the linked loans of the definition's product and the summary of the build."""
    standing = [h for h in histories if disbursement_stands(h, as_of, known_at)]
    ours = [h for h in standing if h.product == definition.product]
    others = [h for h in standing if h.product != definition.product]
    links = link_loans(ours, named, assessments, definition.link_tolerance_days)
    rows, labels = [], Counter()
    for history in sorted(ours, key=lambda h: (h.disbursed_on, h.fund_id, h.loan_id)):
        link = links.get((history.fund_id, history.loan_id))
        if link is None:
            continue
        outcome = label_loan(history, definition, as_of, known_at)
        labels[outcome.label.value] += 1
        rows.append(outcome_row(history, *link, outcome))
    linked_ids = {stored.assessment_id for stored, _ in links.values()}
    left_out = {
        NO_LINK: len(ours) - len(links),
        DEFINITION_PRODUCT_LEFT_OUT: dict(sorted(Counter(h.product for h in others).items())),
        REVERSED: len(histories) - len(standing),
    }
    unlinked = Counter(s.detail.decision or "unknown" for s in assessments if s.assessment_id not in linked_ids)
    summary = {
        "loans": len(standing),
        "linked": len(rows),
        **{label.value: labels[label.value] for label in Label},
        "linked_by": dict(sorted(Counter(method for _, method in links.values()).items())),
        "left_out": left_out,
        "assessments_without_outcome": dict(sorted(unlinked.items())),
    }
    return OutcomeTable(rows, summary)


def outcome_row(history: LoanHistory, stored: StoredAssessment, method: str, outcome: LoanOutcome) -> dict[str, Any]:
    """One row of the table, every column of :data:`COLUMNS` (None where the record has no value)."""
    result = stored.result
    row: dict[str, Any] = {
        "fund_id": history.fund_id,
        "loan_id": history.loan_id,
        "product": history.product,
        "disbursed_on": history.disbursed_on,
        "maturity_date": history.maturity_date,
        "principal_yuan": history.principal_fen / 100,
        "assessment_id": stored.assessment_id,
        "link_method": method,
        "assessed_at": stored.recorded_at,
    }
    row |= {name: _value(stored.inputs.get(name), kind) for name, kind in CONTRACT_COLUMNS.items()}
    row |= {
        "pd": result.get("pd"),
        "grade": result.get("grade"),
        "decision": stored.detail.decision,
        "credit_line_yuan": result.get("credit_line_yuan"),
        "model_version": stored.model_version,
        "policy_version": stored.policy_version,
        "policy_fingerprint": stored.detail.policy_fingerprint,
    }
    return row | {
        "label": outcome.label.value,
        "defaulted": outcome.defaulted,
        "censored": outcome.label is Label.CENSORED,
        "bad_on": outcome.bad_on,
        "bad_event": outcome.bad_event,
        "window_end": outcome.window_end,
    }


def _value(value: Any, kind: str) -> Any:
    """A JSON value of the audit record as the column's kind (dates come back as ISO text)."""
    if value is None:
        return None
    if kind == "date":
        return dt.date.fromisoformat(str(value)[:10])
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return bool(value)
    return str(value)
