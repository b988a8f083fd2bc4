"""The outcome definition (贷后表现定义) as versioned, validated configuration: window, DPD threshold, bad events.

A definition is a YAML file (the shipped one is ``credit_engine/policy/outcomes-2026.1.yaml``). It names its
``version``, the ledger product whose loans are household outcomes, the performance window in months after
disbursement, the days past due that make a loan bad, which events make it bad (``dpd``, ``compensation_claim``,
``write_off``) and the tolerance of the pseudonym-and-date link between a loan and its assessment. A bad file is
refused with an :class:`OutcomeDefinitionError` naming the field, in English and 中文; :meth:`with_overrides`
applies a command's options (a bad value names the field the same way), and :meth:`OutcomeDefinition.fingerprint`
(sha256 of the canonical content, as the rating policy's) tells two definitions apart that claim one version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from credit_engine.errors import BilingualError
from credit_engine.policy.config import UniqueKeyLoader  # the one YAML loader that refuses duplicate keys

SHIPPED_DEFINITION = "outcomes-2026.1.yaml"
BAD_EVENTS = ("dpd", "compensation_claim", "write_off")
BAD_EVENTS_ZH = {"dpd": "逾期达到阈值", "compensation_claim": "代偿申请", "write_off": "核销"}
FIELDS_ZH = {
    "version": "版本",
    "product": "产品",
    "effective_from": "生效日期",
    "window_months": "表现期(月)",
    "dpd_threshold": "逾期天数阈值",
    "bad_events": "坏样本事件",
    "link_tolerance_days": "关联容差(天)",
}


class OutcomeDefinitionError(BilingualError):
    """A definition file is missing, not YAML, or breaks a rule; ``problems`` lists ``(field, message)`` pairs."""

    code = "invalid_outcome_definition"

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = list(problems)
        en = "; ".join(f"{field}: {message}" if field else message for field, message in self.problems)
        zh = "；".join(
            f"{FIELDS_ZH.get(field, field)}（{field}）取值有误" if field else "格式有误" for field, _ in problems
        )
        super().__init__(f"outcome definition {source} is invalid: {en}", f"贷后表现定义 {source} 有误：{zh}")


class OutcomeDefinition(BaseModel):
    """What makes a disbursed loan bad, good or censored; build with :func:`load_definition`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1)
    product: str = Field(min_length=1)
    effective_from: dt.date
    window_months: int = Field(ge=1, le=60)
    dpd_threshold: int = Field(ge=1, le=720)
    bad_events: tuple[str, ...] = Field(min_length=1)
    link_tolerance_days: int = Field(ge=0, le=365)

    @field_validator("bad_events")
    @classmethod
    def _known_events(cls, events: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [event for event in events if event not in BAD_EVENTS]
        if unknown:
            raise ValueError(f"{unknown} are not bad events ({', '.join(BAD_EVENTS)})")
        if len(set(events)) != len(events):
            raise ValueError(f"bad events must be distinct, got {list(events)}")
        return events

    def canonical(self) -> dict[str, Any]:
        """The definition's content as plain JSON values (what the fingerprint is taken over)."""
        return self.model_dump(mode="json")

    def fingerprint(self) -> str:
        """sha256 (hex) of the canonical content: layout and comments don't count, every value does."""
        text = json.dumps(self.canonical(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def with_overrides(self, source: str = "options", **changes: int | None) -> OutcomeDefinition:
        """This definition with the given values (None: unchanged), validated like a file."""
        given = {name: value for name, value in changes.items() if value is not None}
        return _validated(self.canonical() | given, source) if given else self


def _validated(raw: dict[str, Any], source: str) -> OutcomeDefinition:
    try:
        return OutcomeDefinition.model_validate(raw)
    except ValidationError as error:
        raise OutcomeDefinitionError(source, [_problem(item) for item in error.errors()]) from error


def _problem(item: Any) -> tuple[str, str]:
    return ".".join(str(part) for part in item["loc"]), str(item["msg"]).removeprefix("Value error, ")


def parse_definition(text: str, source: str = "<text>") -> OutcomeDefinition:
    """A definition from YAML text; ``source`` names it in error messages."""
    try:
        raw = yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as error:
        raise OutcomeDefinitionError(source, [("", f"not valid YAML: {error}")]) from error
    if not isinstance(raw, dict):
        raise OutcomeDefinitionError(source, [("", "a definition is a mapping with keys version, window_months, ...")])
    return _validated(raw, source)


def load_definition(path: Path | None = None) -> OutcomeDefinition:
    """The definition in ``path``; ``None`` reads the shipped one."""
    if path is None:
        shipped = resources.files("credit_engine.policy").joinpath(SHIPPED_DEFINITION)
        return parse_definition(shipped.read_text(encoding="utf-8"), source=SHIPPED_DEFINITION)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise OutcomeDefinitionError(str(path), [("", f"cannot be read: {error.strerror or error}")]) from error
    return parse_definition(text, source=str(path))
