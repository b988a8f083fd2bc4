"""Schemas of assessments: the application (the data contract, generated from its field table) and the results."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from api.schemas.common import ErrorDetail
from credit_engine import identifiers
from credit_engine.assessment import BatchRow, StoredAssessment
from credit_engine.contract import APPLICATION_FIELDS, FieldDef, example_application, idnumber
from credit_engine.contract.idnumber import mask
from credit_engine.identifiers import json_pattern
from credit_engine.reasons import MAX_REASONS

Decision = Literal["approve", "refer", "decline"]
FundStatus = Literal["ok", "below_floor", "at_cap", "over_cap", "suspended", "no_fund", "unknown"]
EXAMPLE_COUNTY, EXAMPLE_BANK = "140122", "SXRCU"  # 阳曲县: the first fund of the demo ledger, which `serve --demo` uses


def example_body(county: str = EXAMPLE_COUNTY) -> dict[str, Any]:
    """The contract's example application moved to ``county`` (ids, ID number and village there) as a JSON body:
    the OpenAPI example, and the body of the curl ``serve --demo`` prints and the README shows."""
    record = example_application(
        application_id=f"A-{county}-000001",
        household_id=f"H{county}-01023",
        head_id_number=idnumber.make(county, dt.date(1980, 5, 17), 123),
        county_code=county,
        village_code=f"{county}101001",
    )
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in record.items()}


_YUAN_TEXT = r"^[0-9]{1,16}(\.[0-9]{1,2})?$"


def _field_schema(definition: FieldDef) -> dict[str, Any]:
    kind = definition.kind
    schema: dict[str, Any]
    if kind == "enum":
        labels = "; ".join(f"{code} ({zh})" for code, zh in (definition.choices or {}).items())
        schema = {"type": "string", "enum": [*definition.codes, *(definition.choices or {}).values()]}
        schema["description"] = f"{definition.zh}: {definition.description}. One of {labels}."
        return schema
    schema = {
        "str": {"type": "string", "maxLength": 64},
        "int": {"type": "integer"},
        "float": {"type": "number"},
        "bool": {"type": "boolean"},
        "date": {"type": "string", "format": "date"},
        "id_number": {"type": "string", "pattern": "^[0-9]{17}[0-9Xx]$"},
        "county_code": {"type": "string", "pattern": "^[0-9]{6}$"},
    }[kind]
    if definition.code is not None:
        schema = {"type": "string", "pattern": json_pattern(definition.code)}
    if definition.money:
        schema = {"anyOf": [{"type": "number", "multipleOf": 0.01}, {"type": "string", "pattern": _YUAN_TEXT}]}
    if definition.minimum is not None:
        key = "exclusiveMinimum" if definition.minimum_exclusive else "minimum"
        schema[key] = definition.minimum
    if definition.maximum is not None:
        schema["maximum"] = definition.maximum
    if not definition.required:
        schema = {"anyOf": [schema, {"type": "null"}]}
    schema["description"] = f"{definition.zh}: {definition.description}."
    return schema


def application_schema() -> dict[str, Any]:
    """JSON Schema of a 富民贷 application, from the contract's field table (the single source of truth)."""
    return {
        "title": "FuminApplication",
        "type": "object",
        "description": (
            "A household's 富民贷 application (DESIGN.md data contract). English field names; 中文 names and enum "
            "labels are accepted too. Ranges here are data sanity; product limits are policy knock-outs. Cross-field "
            "rules (labour ≤ household size, age and gender agree with the ID number, …) give a 422 naming the field."
        ),
        "properties": {f.name: _field_schema(f) for f in APPLICATION_FIELDS},
        "required": [f.name for f in APPLICATION_FIELDS if f.required],
        "additionalProperties": False,
        "example": example_body(),
    }


class ReasonOut(BaseModel):
    code: str = Field(examples=["R06"])
    text_zh: str = Field(examples=["有历史逾期还款记录"])
    text_en: str = Field(examples=["past overdue repayments"])


class FundHeadroomOut(BaseModel):
    fund_id: str | None = Field(description="The county's fund at the key's bank (None: none, or unknown).")
    status: FundStatus = Field(description="ok, below_floor lend; at_cap, over_cap, suspended, no_fund, unknown refer.")
    headroom_yuan: float | None = Field(description="Headroom under the cap in yuan (None: no cap, or unknown).")


class AssessmentOut(BaseModel):
    assessment_id: str
    decision: Decision
    pd: float = Field(ge=0, le=1, description="Calibrated probability of default within 12 months.")
    grade: str = Field(examples=["AA"])
    credit_line_yuan: int = Field(ge=0, description="Whole yuan; 0 when declined.")
    reasons: list[ReasonOut] = Field(max_length=MAX_REASONS, description="Up to 4, most important first.")
    fund: FundHeadroomOut
    model_version: str = Field(examples=["household-pd/3"])
    policy_version: str = Field(examples=["fumin-2026.1"])

    model_config = {
        "json_schema_extra": {
            "example": {
                "assessment_id": "9f1c2e4b7a0d4c6f8e2b1a3c5d7e9f01",
                "decision": "approve",
                "pd": 0.018,
                "grade": "AA",
                "credit_line_yuan": 30000,
                "reasons": [{"code": "R06", "text_zh": "有历史逾期还款记录", "text_en": "past overdue repayments"}],
                "fund": {"fund_id": "F-140121-RCC", "status": "ok", "headroom_yuan": 12500000.0},
                "model_version": "household-pd/3",
                "policy_version": "fumin-2026.1",
            }
        }
    }


class StoredAssessmentOut(BaseModel):
    """An assessment as recorded: its inputs (ID number masked, plus its keyed pseudonym) and its result."""

    assessment_id: str
    recorded_at: dt.datetime
    key_id: str
    county_code: str | None
    input_sha256: str = Field(description="SHA-256 of the canonical inputs as shown (ID pseudonymised).")
    inputs: dict[str, Any] = Field(examples=[{"head_id_number": mask(example_application()["head_id_number"])}])
    result: AssessmentOut
    model_version: str | None
    policy_version: str | None

    @classmethod
    def of(cls, stored: StoredAssessment) -> StoredAssessmentOut:
        return cls.model_validate(stored, from_attributes=True)


class BatchRowOut(BaseModel):
    row: int = Field(description="Position in the JSON list (from 0) or spreadsheet line (header = 1).")
    application_id: str | None
    assessment: AssessmentOut | None = None
    errors: list[ErrorDetail] = Field(default_factory=list)


class BatchOut(BaseModel):
    assessed: int
    invalid: int
    rows: list[BatchRowOut]

    @classmethod
    def of(cls, rows: list[BatchRow]) -> BatchOut:
        out = [
            BatchRowOut(
                row=r.row,
                application_id=None if r.application_id is None else identifiers.shown(r.application_id),
                assessment=r.assessment.as_result() if r.assessment else None,
                errors=[ErrorDetail.of(e.field, e.rule, e.message, e.value) for e in r.errors],
            )
            for r in rows
        ]
        assessed = sum(r.assessment is not None for r in rows)
        return cls(assessed=assessed, invalid=len(rows) - assessed, rows=out)
