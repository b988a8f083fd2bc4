"""Domain errors to HTTP, in one place, with one body shape: ``{"error", "message", "message_zh", "details"}``.

The engine's errors name what happened (``InsufficientFundHeadroom``, ``UnknownFund``, ``InvalidInput`` …); the
table below gives each its status. Request validation (FastAPI's own) and HTTP errors (404 route, 405, 413) are
reshaped the same way. Anything unexpected is a 500 that says nothing about the code or the database; a database
that cannot be reached is a 503. No stack trace, SQL or raw input ever goes into a response body.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from api.model_holder import ModelReloadFailed, ModelUnavailable, ReloadInProgress
from api.schemas.common import ErrorDetail
from credit_engine.access.keys import KeysUnavailable
from credit_engine.access.principal import AccessDenied
from credit_engine.access.requests import IdempotencyKeyReused, RequestInFlight
from credit_engine.assessment.service import AssessmentNotFound
from credit_engine.audit.entry import AuditUnavailable
from credit_engine.errors import CreditEngineError, InvalidInput, RowError
from credit_engine.ledger import errors as ledger
from credit_engine.service_db.database import ServiceDbNotMigrated

log = logging.getLogger("api.errors")

# (status, error code) of each engine error; subclasses not listed take their nearest listed base.
STATUS: dict[type[Exception], tuple[int, str]] = {
    InvalidInput: (422, "InvalidInput"),
    AccessDenied: (403, "Forbidden"),
    AssessmentNotFound: (404, "NotFound"),
    ledger.UnknownFund: (404, "UnknownFund"),
    ledger.UnknownLoan: (404, "UnknownLoan"),
    ledger.UnknownEvent: (404, "UnknownEvent"),
    ledger.InsufficientFundHeadroom: (409, "InsufficientFundHeadroom"),
    ledger.FundSuspended: (409, "FundSuspended"),
    ledger.FundOverCap: (409, "FundOverCap"),
    ledger.FundAlreadyExists: (409, "FundAlreadyExists"),
    ledger.LoanStateError: (409, "LoanStateError"),
    ledger.ReversalRefused: (409, "ReversalRefused"),
    ledger.FundWouldGoNegative: (409, "FundWouldGoNegative"),
    ledger.ProductLimitExceeded: (422, "ProductLimitExceeded"),
    ledger.ValueDateOutOfRange: (422, "ValueDateOutOfRange"),
    ledger.IdempotencyConflict: (422, "IdempotencyConflict"),
    ledger.LedgerNotMigrated: (503, "DatabaseNotMigrated"),
    ledger.LedgerError: (409, "LedgerRefused"),
    IdempotencyKeyReused: (422, "IdempotencyConflict"),
    RequestInFlight: (409, "RequestInFlight"),
    ModelUnavailable: (503, "ModelUnavailable"),
    ModelReloadFailed: (409, "ModelReloadFailed"),
    ReloadInProgress: (409, "ReloadInProgress"),
    AuditUnavailable: (503, "AuditUnavailable"),
    ServiceDbNotMigrated: (503, "DatabaseNotMigrated"),
    KeysUnavailable: (503, "KeysUnavailable"),
}
_HTTP = {
    400: ("BadRequest", "the request is malformed", "请求格式有误"),
    401: ("Unauthorized", "a valid API key is required (Authorization: Bearer …)", "需要有效的 API 密钥"),
    404: ("NotFound", "no such resource", "没有该资源"),
    405: ("MethodNotAllowed", "method not allowed here", "不支持该请求方法"),
    406: ("NotAcceptable", "cannot answer in the requested media type", "无法返回所请求的格式"),
    413: ("PayloadTooLarge", "the request body is over the size limit", "请求内容超过大小限制"),
    415: ("UnsupportedMediaType", "unsupported content type", "不支持的内容类型"),
}
_PYDANTIC_ZH = {
    "missing": "必填",
    "extra_forbidden": "不允许的字段",
    "string_type": "须为文本",
    "int_type": "须为整数",
    "int_parsing": "须为整数",
    "string_too_long": "文本过长",
    "string_too_short": "文本过短",
    "string_pattern_mismatch": "格式不符",
    "literal_error": "取值不在允许范围内",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "bool_type": "须为 true 或 false",
    "model_attributes_type": "须为 JSON 对象",
    "dict_type": "须为 JSON 对象",
    "json_invalid": "不是有效的 JSON",
}


def body(error: str, message: str, message_zh: str, details: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"error": error, "message": message, "message_zh": message_zh, "details": details or []}


def error_response(status: int, content: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(content, status_code=status, headers=headers)


def detail(field: str, rule: str, message: str, value: object = None) -> dict[str, str]:
    """One bad field: its name in English and 中文, the rule, the message and the value given (ID numbers masked)."""
    return ErrorDetail.of(field, rule, message, value).model_dump(exclude_none=True)


def row_details(errors: list[RowError]) -> list[dict[str, str]]:
    return [detail(e.field, e.rule, e.message, e.value) for e in errors]


def status_of(error: Exception) -> tuple[int, str]:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500, "InternalError"


def engine_error_body(error: CreditEngineError) -> tuple[int, dict[str, Any]]:
    status, code = status_of(error)
    if isinstance(error, InvalidInput):
        text = f"{len(error.errors)} invalid value(s) in the input"
        return status, body(code, text, f"输入有误，共 {len(error.errors)} 处", row_details(error.errors))
    english = getattr(error, "message_en", None)
    chinese = getattr(error, "message_zh", None)
    if status == 500 or english is None or chinese is None:
        english, _, chinese = str(error).partition(" / ")
    if status == 500:
        log.error("engine error answered as 500: %s", type(error).__name__)
        return status, body(code, "internal error", "内部错误")
    return status, body(code, english, chinese or english)


async def _engine_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, CreditEngineError)
    status, content = engine_error_body(error)
    return error_response(status, content)


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    details = []
    for item in error.errors():
        kind = str(item.get("type", "invalid"))
        message = str(item.get("msg", "invalid"))
        if " / " not in message:
            message = f"{message} / {_PYDANTIC_ZH.get(kind, '输入有误')}"
        given = item.get("input")
        value = given if kind != "missing" and isinstance(given, str | int | float) else None
        details.append(detail(_location(tuple(item.get("loc", ()))), kind, message, value))
    text = f"{len(details)} invalid value(s) in the request"
    return error_response(422, body("InvalidInput", text, f"请求有误，共 {len(details)} 处", details))


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    code, english, chinese = _HTTP.get(error.status_code, ("HttpError", "request refused", "请求被拒绝"))
    headers = dict(error.headers or {})
    return error_response(error.status_code, body(code, english, chinese), headers or None)


async def _database_error(request: Request, error: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", type(error).__name__)
    return error_response(503, body("DatabaseUnavailable", "the database is unavailable", "数据库暂时不可用"))


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, body("InternalError", "internal error", "内部错误"))


def install(app: FastAPI) -> None:
    """Register the handlers: one per family of errors."""
    app.add_exception_handler(CreditEngineError, _engine_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
