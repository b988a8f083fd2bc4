"""The one error shape of every response, yuan amounts, strict dates, and the documented error responses."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from credit_engine.ledger.money import yuan_to_fen


class ErrorDetail(BaseModel):
    field: str = Field(description="The field (or header, query parameter) that broke a rule.")
    rule: str = Field(description="The rule it broke, e.g. `required`, `type_int`, `yuan_decimals`.")
    message: str = Field(description="What is wrong, in English and 中文.")


class ErrorBody(BaseModel):
    """Every error, everywhere: a stable code, English and 中文, and (422) every bad field."""

    error: str = Field(description="Stable code, e.g. `InvalidInput`, `InsufficientFundCapacity`.")
    message: str
    message_zh: str
    details: list[ErrorDetail] = Field(default_factory=list)


_ERROR_EXAMPLES: dict[int, tuple[str, str, str, str]] = {
    400: ("BadRequest", "the request is malformed", "请求格式有误", "Malformed request"),
    401: ("Unauthorized", "a valid API key is required", "需要有效的 API 密钥", "Missing, unknown or revoked API key"),
    403: (
        "Forbidden",
        "this API key may not do that, or not here",
        "此 API 密钥无权执行该操作或无权访问该范围",
        "Outside the key's role or scope",
    ),  # noqa: E501
    404: ("NotFound", "not found", "未找到", "Not found (keys that see everything only)"),
    409: ("Conflict", "refused in the current state", "当前状态下无法执行", "Refused by the current state"),
    413: ("PayloadTooLarge", "the request body is too large", "请求内容过大", "Request body over the limit"),
    422: ("InvalidInput", "1 invalid value(s) in the input", "输入有误", "Invalid input: every bad field listed"),
    503: ("ServiceUnavailable", "the database is unavailable", "数据库暂时不可用", "A dependency is down"),
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these status codes, each with the error shape and an example."""
    found: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        error, message, message_zh, description = _ERROR_EXAMPLES[code]
        example = {"error": error, "message": message, "message_zh": message_zh, "details": []}
        if code == 422:
            detail = {"field": "head_age", "rule": "type_int", "message": "must be a whole number / 必须是整数"}
            example["details"] = [detail]
        found[code] = {
            "model": ErrorBody,
            "description": description,
            "content": {"application/json": {"example": example}},
        }
    return found


def _yuan(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise PydanticCustomError(
            "yuan_type", "must be an amount in yuan, e.g. 30000 or 1234.56 / 须为以元为单位的金额"
        )
    try:
        fen = yuan_to_fen(str(value))
    except (ValueError, InvalidOperation):
        raise PydanticCustomError(
            "yuan_decimals", "must be yuan with at most 2 decimals / 须为元，最多两位小数"
        ) from None
    if fen <= 0:
        raise PydanticCustomError("yuan_positive", "must be more than 0 yuan / 须大于 0 元")
    return Decimal(fen) / 100


Yuan = Annotated[
    Decimal,
    BeforeValidator(_yuan),
    PlainSerializer(float, return_type=float),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.01},
                {"type": "string", "pattern": r"^[0-9]{1,15}(\.[0-9]{1,2})?$"},
            ],
            "description": "Yuan, more than 0, at most 2 decimals (a third decimal is refused, never rounded).",
            "examples": [30000, "1234.56"],
        }
    ),
]
"""Yuan in a request: a JSON number or numeric string, > 0, at most 2 decimals; exact (``Decimal``)."""


def fen(amount: Decimal) -> int:
    return int(amount * 100)


def yuan_of(amount_fen: int | None) -> float | None:
    """Fen as yuan for a response (a number with at most 2 decimals)."""
    return None if amount_fen is None else amount_fen / 100


FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def _date(value: Any) -> dt.date:
    day = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None:
        raise PydanticCustomError(
            "date_format", "must be a real date written YYYY-MM-DD / 须为 YYYY-MM-DD 格式的有效日期"
        )
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PydanticCustomError("date_range", "must be between 1900 and 2199 / 须在 1900 至 2199 年之间")
    return day


IsoDate = Annotated[
    dt.date,
    BeforeValidator(_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2025-06-30"]}),
]
"""A calendar date written ``YYYY-MM-DD`` (no timestamps, no numbers)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _moment(value: Any) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            value = None
    if not isinstance(value, dt.datetime):
        raise PydanticCustomError(
            "datetime_format", "must be an ISO time, e.g. 2026-01-05T09:00:00+08:00 / 须为 ISO 时间"
        )
    if not dt.datetime(1900, 1, 2) <= value.replace(tzinfo=None) <= dt.datetime(2199, 12, 30):
        raise PydanticCustomError("date_range", "must be between 1900 and 2199 / 须在 1900 至 2199 年之间")
    return value


IsoMoment = Annotated[
    dt.datetime,
    BeforeValidator(_moment),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-01-05T09:00:00+08:00"]}),
]
"""A recording time (ISO 8601; without a zone it is China time where the ledger reads it)."""
