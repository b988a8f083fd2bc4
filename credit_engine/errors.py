"""Errors shared by every layer: a precise description of what was wrong with the input, and by how much.

``RowError`` names the row (spreadsheet line number: the header is line 1, so the first data row is line 2; for
frames built in code, the 0-based position plus 2 likewise), the field and the rule it broke. ``InvalidInput``
carries the complete list; entry points turn it into exit code 2 (CLI) or HTTP 422 (API).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class RowError:
    """One broken rule in one row: ``row`` is the line number in the source file (None for a single request)."""

    row: int | None
    field: str
    rule: str
    message: str
    value: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        shown = f" (got {self.value!r})" if self.value is not None else ""
        return f"{where}{self.field}: {self.rule}: {self.message}{shown}"


class CreditEngineError(Exception):
    """Base of the engine's own errors."""


class BilingualError(CreditEngineError):
    """An engine error that states one fact in English and 中文: ``message_en`` and ``message_zh``, class attributes
    for a fixed fact or given to the constructor. Its text is ``"english / 中文"``; the API answers each language in
    its own field."""

    message_en: str = ""
    message_zh: str = ""

    def __init__(self, message_en: str | None = None, message_zh: str | None = None) -> None:
        if message_en is not None:
            self.message_en = message_en
        if message_zh is not None:
            self.message_zh = message_zh
        super().__init__(f"{self.message_en} / {self.message_zh}")


class InvalidInput(CreditEngineError):
    """The input broke one or more rules; ``errors`` lists every one of them."""

    def __init__(self, errors: list[RowError], summary: str | None = None) -> None:
        self.errors = list(errors)
        super().__init__(summary or f"{len(self.errors)} invalid value(s) in the input")
