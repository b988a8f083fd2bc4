"""Schemas of 强农贷 assessments: the enterprise application, generated from the enterprise field table (the
single source of truth, like ``FuminApplication``); results are the 富民贷 assessment's shapes (the loan size is the
``credit_line_yuan``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.schemas.assessments import _field_schema
from credit_engine.enterprise.fields import ENTERPRISE_FIELDS, example_enterprise

EXAMPLE_COUNTY = "140122"


def example_enterprise_body(county: str = EXAMPLE_COUNTY) -> dict[str, Any]:
    """The enterprise contract's example application moved to ``county``, as a JSON body (the OpenAPI example)."""
    record = example_enterprise(
        application_id=f"E-{county}-000001", enterprise_id=f"ENT-{county}-0001", county_code=county
    )
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in record.items()}


def enterprise_application_schema() -> dict[str, Any]:
    """JSON Schema of a 强农贷 application, from the enterprise contract's field table."""
    return {
        "title": "QiangnongApplication",
        "type": "object",
        "description": (
            "An enterprise, cooperative, family farm, poverty workshop or project applying for 强农贷 (issue 13 data "
            "contract). English field names; 中文 names and enum labels are accepted too. Ranges here are data "
            "sanity; product limits and eligibility are policy knock-outs. Cross-field rules (the GB 32100 check "
            "character, assets = liabilities + equity within 1%, households within what the linkage mode allows, …) "
            "give a 422 naming the field."
        ),
        "properties": {f.name: _field_schema(f) for f in ENTERPRISE_FIELDS},
        "required": [f.name for f in ENTERPRISE_FIELDS if f.required],
        "additionalProperties": False,
        "example": example_enterprise_body(),
    }
