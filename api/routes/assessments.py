"""Assessments of 富民贷 applications: one at the counter, a batch from a bank's system, and the record of either."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.audit_writer import recorded_in_audit
from api.deps import AssessorDep, JsonBody, PrincipalDep, ServicesDep, json_body
from api.schemas.assessments import AssessmentOut, BatchOut, StoredAssessmentOut
from api.schemas.common import error_responses
from credit_engine.assessment import MAX_BATCH_ROWS
from credit_engine.assessment.spreadsheets import SUFFIXES as SPREADSHEET_SUFFIXES
from credit_engine.assessment.spreadsheets import batch_workbook, read_applications
from credit_engine.errors import InvalidInput, RowError
from credit_engine.tablefile import checked_suffix

router = APIRouter(prefix="/v1", tags=["assessments 评估"])
JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APPLICATION = {"$ref": "#/components/schemas/FuminApplication"}
DOWNLOAD = 'attachment; filename="assessments.xlsx"'


@router.post(
    "/fumin/assessments",
    response_model=AssessmentOut,
    summary="Assess one 富民贷 application / 单笔评估",
    responses=error_responses(401, 403, 413, 422, 503),
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": APPLICATION}}}},
)
async def assess(body: JsonBody, principal: PrincipalDep, services: ServicesDep) -> Response:
    """Validate the application, apply the policy's knock-outs, score it with the champion, grade it, set the line,
    look at the county fund's headroom and decide: approve, refer or decline, with up to 4 reasons in 中文 and English.
    The decision is on the audit record (ID number masked) before it is returned.

    Runs on the event loop: the work is a millisecond of CPU, and the audit write is awaited, not waited for on a
    thread (a thread hop per request would cost more than the model). The body is encoded here: the result is
    built by the service in the response model's shape (the tests check it against the OpenAPI schema), and a
    second validation of it would cost a tenth of the request."""
    assessment, recorded = services.assessor.assess_and_record(principal, body, services.audit.submit_async)
    await recorded_in_audit(recorded, services.audit.timeout)
    return Response(json.dumps(assessment.as_result(), ensure_ascii=False).encode(), media_type=JSON)


@router.get(
    "/assessments/{assessment_id}",
    response_model=StoredAssessmentOut,
    summary="An assessment as recorded / 评估记录",
    responses=error_responses(401, 403, 404, 503),
)
def stored_assessment(assessment_id: str, principal: PrincipalDep, assessor: AssessorDep) -> StoredAssessmentOut:
    """The decision with its inputs (ID number masked), model and policy versions: to explain or replay it."""
    return StoredAssessmentOut.of(assessor.stored(principal, assessment_id))


async def batch_input(request: Request) -> tuple[list[Any], int, bool]:
    """(applications, number of the first row, read from a file) from a JSON list or an uploaded CSV/XLSX.

    The file is read within the batch's limits on a worker thread: parsing a spreadsheet never holds the event
    loop (``/healthz`` and every other request keep answering while a large upload is read or refused)."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=2)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            message = "upload the applications as the form field `file` / 请以 file 字段上传文件"
            raise InvalidInput([RowError(None, "file", "required", message)])
        suffix = checked_suffix(upload.filename, SPREADSHEET_SUFFIXES)
        return await run_in_threadpool(_read_upload, upload.file, suffix), 2, True
    body = await json_body(request)
    return (body if isinstance(body, list) else [body]), 0, False


def _read_upload(source: BinaryIO, suffix: str) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        source.seek(0)
        with path.open("wb") as target:
            shutil.copyfileobj(source, target)
        return read_applications(path)


BATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"type": "array", "items": APPLICATION, "maxItems": MAX_BATCH_ROWS}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary", "description": "CSV or XLSX"}},
                "required": ["file"],
            }
        },
    },
}


BATCH_PATH = "/v1/fumin/assessments:batch"


@router.post(
    BATCH_PATH.removeprefix("/v1"),
    response_model=BatchOut,
    summary="Assess up to 1,000 applications / 批量评估",
    responses={
        **error_responses(400, 401, 403, 413, 422, 503),
        200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}},
    },
    openapi_extra={"requestBody": BATCH_BODY},
)
def assess_batch(
    batch: Annotated[tuple[list[Any], int, bool], Depends(batch_input)],
    principal: PrincipalDep,
    assessor: AssessorDep,
    format: Annotated[
        Literal["json", "xlsx"], Query(description="`xlsx`: a spreadsheet with Chinese headers")
    ] = "json",
) -> Any:
    """A JSON list of applications or an uploaded CSV/XLSX (中文 or English headers): one result per row, bad rows
    with their errors (they never fail the good ones). `format=xlsx` returns the results as a spreadsheet."""
    applications, first_row, from_file = batch
    rows = assessor.assess_batch(principal, applications, first_row, from_file=from_file)
    if format == "xlsx":
        return Response(batch_workbook(rows), media_type=XLSX, headers={"Content-Disposition": DOWNLOAD})
    return BatchOut.of(rows)
