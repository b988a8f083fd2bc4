"""The one error shape of every response, yuan amounts, strict dates, and the documented error responses."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from credit_engine import identifiers
from credit_engine.contract import idnumber
from credit_engine.field_names import field_zh
from credit_engine.ledger.money import MAX_AMOUNT_FEN, AmountError, yuan_to_fen


class ErrorDetail(BaseModel):
    field: str = Field(description="The field (or header, query parameter) that broke a rule.")
    field_zh: str | None = Field(default=None, description="The field's 中文 name, e.g. 户主年龄 for head_age.")
    rule: str = Field(description="The rule it broke, e.g. `required`, `type_int`, `yuan_decimals`.")
    message: str = Field(description="What is wrong, in English and 中文.")
    value: str | None = Field(
        default=None, description="The value given (ID numbers masked, at most 80 characters); absent when missing."
    )

    @classmethod
    def of(cls, field: str, rule: str, message: str, value: object = None) -> ErrorDetail:
        """A bad field named in English and 中文, with the value given (ID numbers masked)."""
        shown = None
        if value is not None:
            shown = idnumber.mask(str(value)) if field.endswith("head_id_number") else identifiers.shown(value)
        return cls(field=field, field_zh=field_zh(field), rule=rule, message=message, value=shown)


class ErrorBody(BaseModel):
    """Every error, everywhere: a stable code, English and 中文, and (422) every bad field."""

    error: str = Field(description="Stable code, e.g. `InvalidInput`, `InsufficientFundHeadroom`.")
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
            detail = {
                "field": "head_age",
                "field_zh": "户主年龄",
                "rule": "type_int",
                "message": "must be a whole number / 必须是整数",
                "value": "forty",
            }
            example["details"] = [detail]
        found[code] = {
            "model": ErrorBody,
            "description": description,
            "content": {"application/json": {"example": example}},
        }
    return found


def _yuan(value: Any) -> Decimal:
    try:
        amount_fen = yuan_to_fen(value)
    except AmountError as error:
        raise PydanticCustomError(error.rule, str(error)) from None
    if amount_fen <= 0:
        raise PydanticCustomError("yuan_positive", "must be more than 0 yuan / 须大于 0 元")
    return Decimal(amount_fen) / 100


Yuan = Annotated[
    Decimal,
    BeforeValidator(_yuan),
    PlainSerializer(float, return_type=float),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_AMOUNT_FEN // 100, "multipleOf": 0.01},
                {"type": "string", "pattern": r"^[0-9]{1,16}(\.[0-9]{1,2})?$"},
            ],
            "description": (
                "Yuan, more than 0 and at most 10,000,000,000 (a loan: at most its product's limit), at most 2 "
                "decimals (a third decimal is refused, never rounded): a JSON number or plain decimal text."
            ),
            "examples": [30000, "1234.56"],
        }
    ),
]
"""Yuan in a request: a JSON number or plain decimal text (the ledger's one money parser), > 0; exact."""


def _code_validator(kind: str):
    def check(value: Any) -> Any:
        if not isinstance(value, str):
            raise PydanticCustomError("string_type", "must be text / 须为文本")
        rule = identifiers.code_violation(kind, value)
        if rule is not None:
            raise PydanticCustomError(rule, identifiers.message(kind, rule))
        return value

    return check


def code(kind: str, example: str, description: str | None = None) -> Any:
    """An identifier of ``kind`` (:data:`credit_engine.identifiers.CODES`) as a request field or parameter type."""
    schema: dict[str, Any] = {
        "type": "string",
        "pattern": identifiers.json_pattern(kind),
        "maxLength": identifiers.CODES[kind].max_length,
        "examples": [example],
    }
    if description:
        schema["description"] = description
    return Annotated[str, BeforeValidator(_code_validator(kind)), WithJsonSchema(schema)]


def fen(amount: Decimal) -> int:
    return int(amount * 100)


def yuan_of(amount_fen: int | None) -> float | None:
    """Fen as yuan for a response (a number with at most 2 decimals)."""
    return None if amount_fen is None else amount_fen / 100


FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
# A moment stays a day inside the days' range, so its date in any time zone is still within it.
_FIRST_MOMENT = dt.datetime.combine(FIRST_DAY + dt.timedelta(days=1), dt.time())
_LAST_MOMENT = dt.datetime.combine(LAST_DAY - dt.timedelta(days=1), dt.time())


def _within_years(value: Any, first: Any, last: Any) -> None:
    if not first <= value <= last:
        raise PydanticCustomError("date_range", "must be between 1900 and 2199 / 须在 1900 至 2199 年之间")


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
    _within_years(day, FIRST_DAY, LAST_DAY)
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
    _within_years(value.replace(tzinfo=None), _FIRST_MOMENT, _LAST_MOMENT)
    return value


IsoMoment = Annotated[
    dt.datetime,
    BeforeValidator(_moment),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-01-05T09:00:00+08:00"]}),
]
"""A recording time (ISO 8601; without a zone it is China time where the ledger reads it)."""
