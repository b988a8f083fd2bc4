"""Identifiers and codes that come from outside (requests, bank files, registry spreadsheets, the command line): the
one definition of each code's pattern, and the two rules every identifier obeys before its pattern.

Every identifier is text without control characters (U+0000–U+001F, U+007F), bidirectional overrides and isolates
(U+202A–U+202E, U+2066–U+2069) or zero-width characters (U+200B–U+200F, U+2060, U+FEFF) — rule
``control_character`` —, never holds a resident ID number in any form (18 or 15 digits, full-width, separated,
inside a longer string: :func:`credit_engine.contract.idnumber.looks_like_id_number`) — rule ``id_number`` —, and
matches the pattern of its kind in :data:`CODES` — rule ``code_format``. The one exception: a ``borrower_ref`` that
*is* a canonical 18-character ID number is pseudonymised with the keyed hash where it arrives (never stored raw).
Free text (names) only has to be free of those characters, a tab excepted. The API schemas, the data contract, the
event files, the ledger's commands and the command line all check through :func:`code_violation`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from credit_engine.contract import idnumber
from credit_engine.errors import InvalidInput, RowError

_INVISIBLE = "\x00-\x08\x0a-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
CONTROL_CHARACTERS = re.compile(f"[{_INVISIBLE}]")
"""Characters no text field may hold (tab is missing here: free text may hold it, identifiers may not)."""
_SHOWN_LENGTH = 80


@dataclass(frozen=True, slots=True)
class CodeFormat:
    """The pattern of one kind of identifier (matched whole) and how to say it in English and 中文."""

    pattern: str
    max_length: int
    description: str
    description_zh: str

    def matches(self, text: str) -> bool:
        return len(text) <= self.max_length and re.fullmatch(self.pattern, text) is not None


_ID_CHARS = "1–{n} of A–Z a–z 0–9 . _ -", "1–{n} 位字母、数字或 . _ -"
_KEY_CHARS = "1–{n} of A–Z a–z 0–9 . _ : -", "1–{n} 位字母、数字或 . _ : -"
_EVENT_CHARS = "1–{n} of A–Z a–z 0–9 . _ : / -", "1–{n} 位字母、数字或 . _ : / -"


def _chars(pattern: str, n: int, words: tuple[str, str]) -> CodeFormat:
    return CodeFormat(pattern, n, words[0].format(n=n), words[1].format(n=n))


CODES: dict[str, CodeFormat] = {
    "fund_id": _chars(r"[A-Za-z0-9._-]{1,64}", 64, _ID_CHARS),
    "loan_id": _chars(r"[A-Za-z0-9._-]{1,64}", 64, _ID_CHARS),
    "event_id": _chars(r"[A-Za-z0-9._:/-]{1,128}", 128, _EVENT_CHARS),
    "borrower_ref": _chars(r"[A-Za-z0-9._:-]{1,64}", 64, _KEY_CHARS),
    "application_id": _chars(r"[A-Za-z0-9._:-]{1,64}", 64, _KEY_CHARS),
    "household_id": _chars(r"[A-Za-z0-9._:-]{1,64}", 64, _KEY_CHARS),
    "assessment_id": _chars(r"[A-Za-z0-9._:-]{1,64}", 64, _KEY_CHARS),
    "bank_code": CodeFormat(r"[A-Z0-9_-]{1,32}", 32, "1–32 of A–Z 0–9 _ -", "1–32 位大写字母、数字或 _ -"),
    "county_code": CodeFormat(r"[0-9]{6}", 6, "6 digits (GB/T 2260)", "6 位数字 (GB/T 2260)"),
    "province_code": CodeFormat(r"[0-9]{2}", 2, "2 digits", "2 位数字"),
    "village_code": CodeFormat(
        r"[0-9]{12}", 12, "12 digits: the county code and 6 digits", "12 位数字：县代码加 6 位数字"
    ),
    "enterprise_id": _chars(r"[A-Za-z0-9._:-]{1,64}", 64, _KEY_CHARS),
    "credit_code": CodeFormat(
        r"[0-9A-HJ-NPQRTUW-Y]{18}",
        18,
        "18 characters of 0–9 and A–Z without I, O, Z, S, V (GB 32100)",
        "18 位数字或大写字母（不含 I、O、Z、S、V，GB 32100）",
    ),
}
"""Each kind of identifier and its pattern. ``event_id`` is also the pattern of idempotency keys and of the event a
reversal names; ``village_code`` must also start with its row's ``county_code`` (a rule of the contract);
``credit_code`` (统一社会信用代码) must also end in its GB 32100 check character
(:mod:`credit_engine.enterprise.credit_code`)."""


def json_pattern(kind: str) -> str:
    """The kind's pattern anchored for a JSON Schema."""
    return f"^{CODES[kind].pattern}$"


def _is_pseudonymisable(text: str) -> bool:
    """A canonical 18-character ID number, as given for a borrower (it is replaced by its keyed hash)."""
    return len(text) == 18 and idnumber.violation(text.upper()) is None


def code_violation(kind: str, value: object) -> str | None:
    """The rule ``value`` breaks as an identifier of ``kind`` (``control_character``, ``id_number``,
    ``code_format``), or None. Nothing is trimmed: a blank around an identifier is a ``code_format``."""
    if not isinstance(value, str):
        return "code_format"
    if CONTROL_CHARACTERS.search(value) or "\t" in value:
        return "control_character"
    if kind == "borrower_ref" and _is_pseudonymisable(value):
        return None
    if idnumber.looks_like_id_number(value):
        return "id_number"
    return None if CODES[kind].matches(value) else "code_format"


def text_violation(value: str) -> str | None:
    """``control_character`` when free text holds a character no text may hold (a tab is allowed), else None."""
    return "control_character" if CONTROL_CHARACTERS.search(value) else None


def message(kind: str, rule: str) -> str:
    """The bilingual message of a broken identifier rule."""
    if rule == "control_character":
        return "must not contain control, bidirectional or zero-width characters / 不得含控制字符、方向控制符或零宽字符"
    if rule == "id_number":
        return "must not contain a resident ID number / 不得包含身份证号"
    code = CODES[kind]
    return f"must be {code.description} / 须为{code.description_zh}"


def shown(value: object) -> str:
    """A value as an error may repeat it: ID numbers masked, invisible characters as ``\\uXXXX``, at most 80
    characters."""
    text = idnumber.mask_within(str(value))
    text = CONTROL_CHARACTERS.sub(lambda m: f"\\u{ord(m.group()):04x}", text).replace("\t", "\\t")
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def require_code(field: str, kind: str, value: object, row: int | None = None) -> None:
    """Raise :class:`InvalidInput` naming ``field`` when ``value`` is not a valid identifier of ``kind``."""
    rule = code_violation(kind, value)
    if rule is not None:
        raise InvalidInput([RowError(row, field, rule, message(kind, rule), shown(value))])


def require_text(field: str, value: str, row: int | None = None) -> None:
    """Raise :class:`InvalidInput` naming ``field`` when free text holds a character no text may hold."""
    rule = text_violation(value)
    if rule is not None:
        raise InvalidInput([RowError(row, field, rule, message("", rule), shown(value))])
