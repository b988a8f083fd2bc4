"""Assessments of 强农贷 applications: one at the counter and a batch (JSON, CSV or XLSX), the 富民贷 routes' flow
with the enterprise assessor (:class:`credit_engine.enterprise.assessment.EnterpriseAssessor`)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from api.audit_writer import recorded_in_audit
from api.deps import JsonBody, PrincipalDep, ServicesDep
from api.routes.assessments import BATCH_BODY, JSON, XLSX, batch_input
from api.schemas.assessments import AssessmentOut, BatchOut
from api.schemas.common import error_responses
from credit_engine.assessment.spreadsheets import batch_workbook
from credit_engine.enterprise.assessment import EnterpriseAssessor

router = APIRouter(prefix="/v1", tags=["qiangnong 强农贷"])
APPLICATION = {"$ref": "#/components/schemas/QiangnongApplication"}
BATCH_PATH = "/v1/qiangnong/assessments:batch"
DOWNLOAD = 'attachment; filename="qiangnong-assessments.xlsx"'
_BATCH_BODY = {
    **BATCH_BODY,
    "content": {
        **BATCH_BODY["content"],
        "application/json": {"schema": {**BATCH_BODY["content"]["application/json"]["schema"], "items": APPLICATION}},
    },
}


async def enterprise_assessor(request: Request) -> EnterpriseAssessor:
    return request.app.state.services.enterprise_assessor


EnterpriseAssessorDep = Annotated[EnterpriseAssessor, Depends(enterprise_assessor)]


@router.post(
    "/qiangnong/assessments",
    response_model=AssessmentOut,
    summary="Assess one 强农贷 application / 强农贷单笔评估",
    responses=error_responses(401, 403, 413, 422, 503),
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": APPLICATION}}}},
)
async def assess(body: JsonBody, principal: PrincipalDep, services: ServicesDep) -> Response:
    """Validate the enterprise application, apply the 强农贷 knock-outs, score it with the enterprise champion, grade
    it, size the loan (risk limit, cash-flow capacity, households driven, collateral, product limit), look at the
    county fund's headroom and its 富民贷 share, and decide, with up to 4 reasons in 中文 and English. 503 while no
    enterprise model is registered. On the audit record before it is returned."""
    assessor = services.enterprise_assessor
    assessment, recorded = assessor.assess_and_record(principal, body, services.audit.submit_async)
    await recorded_in_audit(recorded, services.audit.timeout)
    return Response(json.dumps(assessment.as_result(), ensure_ascii=False).encode(), media_type=JSON)


@router.post(
    BATCH_PATH.removeprefix("/v1"),
    response_model=BatchOut,
    summary="Assess up to 1,000 强农贷 applications / 强农贷批量评估",
    responses={
        **error_responses(400, 401, 403, 413, 422, 503),
        200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}},
    },
    openapi_extra={"requestBody": _BATCH_BODY},
)
def assess_batch(
    batch: Annotated[tuple[list[Any], int, bool], Depends(batch_input)],
    principal: PrincipalDep,
    assessor: EnterpriseAssessorDep,
    format: Annotated[
        Literal["json", "xlsx"], Query(description="`xlsx`: a spreadsheet with Chinese headers")
    ] = "json",
) -> Any:
    """A JSON list of enterprise applications or an uploaded CSV/XLSX (中文 or English headers): one result per row,
    bad rows with their errors naming row and field (they never fail the good ones)."""
    applications, first_row, from_file = batch
    rows = assessor.assess_batch(principal, applications, first_row, from_file=from_file)
    if format == "xlsx":
        return Response(batch_workbook(rows), media_type=XLSX, headers={"Content-Disposition": DOWNLOAD})
    return BatchOut.of(rows)
