"""What the audit log holds: one :class:`AuditEntry` per audited action, the hash of its input, and the error a
caller gets when an entry cannot be stored (:class:`AuditUnavailable`: it must not answer as if it were recorded)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from credit_engine.errors import BilingualError


class AuditUnavailable(BilingualError):
    code = "audit_unavailable"
    message_en = "the audit log cannot be written; nothing was decided or recorded"
    message_zh = "审计日志无法写入，本次请求未处理"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One audited action; ``detail`` must be plain JSON values."""

    record_id: str
    action: str
    recorded_at: dt.datetime
    key_id: str
    input_sha256: str
    outcome: str
    county_code: str | None = None
    fund_id: str | None = None
    resource_id: str | None = None
    model_version: str | None = None
    policy_version: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        return asdict(self) | {"detail": dict(self.detail)}

    def as_json(self) -> dict[str, Any]:
        return self.as_row() | {"recorded_at": self.recorded_at.isoformat()}

    @classmethod
    def from_json(cls, values: Mapping[str, Any]) -> AuditEntry:
        return cls(**(dict(values) | {"recorded_at": dt.datetime.fromisoformat(values["recorded_at"])}))


def canonical_json(payload: Any) -> str:
    """Sorted keys, no blanks, UTF-8 text, dates as ISO strings: the text an input hash is taken over."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def input_sha256(payload: Any) -> str:
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()
