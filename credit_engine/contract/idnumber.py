"""The 18-character resident ID number (GB 11643-1999): validation, masking and pseudonymisation.

Layout: 6-digit county code (GB/T 2260), 8-digit birth date, 3-digit sequence (odd for men, even for women) and a
check character computed from the 17 body digits. Raw numbers are sensitive (PIPL art. 28): joins and training use
:func:`pseudonymise` (a keyed hash), logs, screens and exports use :func:`mask`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_PATTERN = re.compile(r"[0-9]{17}[0-9X]")


def normalise(id_number: str) -> str:
    """Strip blanks and upper-case a trailing ``x`` (the only normalisation the standard allows)."""
    return id_number.strip().upper()


def check_char(body17: str) -> str:
    """The check character for 17 body digits."""
    total = sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def violation(id_number: str) -> str | None:
    """The rule a (normalised) ID number breaks, or None when it is valid.

    Rules: ``id_format`` (18 characters: 17 digits and a digit or X), ``id_birth_date`` (a real date, not in the
    future, not before 1900), ``id_checksum`` (GB 11643 check character).
    """
    if not _PATTERN.fullmatch(id_number):
        return "id_format"
    born = birth_date_or_none(id_number)
    if born is None or born.year < 1900 or born > dt.date.today():
        return "id_birth_date"
    if check_char(id_number[:17]) != id_number[17]:
        return "id_checksum"
    return None


def birth_date_or_none(id_number: str) -> dt.date | None:
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def birth_date(id_number: str) -> dt.date:
    """Birth date encoded in a valid ID number."""
    born = birth_date_or_none(id_number)
    if born is None:
        raise ValueError(f"ID number {mask(id_number)} has no valid birth date")
    return born


def gender(id_number: str) -> str:
    """``M`` when the sequence number is odd, ``F`` when even."""
    return "M" if int(id_number[16]) % 2 == 1 else "F"


def age_on(id_number: str, on: dt.date) -> int:
    """Age in whole years on a date."""
    born = birth_date(id_number)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def make(county_code: str, born: dt.date, sequence: int) -> str:
    """Build a valid ID number (used by the synthetic registry; sequence 0–999, odd = male)."""
    body = f"{county_code}{born:%Y%m%d}{sequence:03d}"
    return body + check_char(body)


def mask(id_number: str) -> str:
    """Mask for logs, screens and exports: first 4 and last 4 characters kept (``1401**********123X``)."""
    value = str(id_number)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def pseudonymise(id_number: str, secret: str) -> str:
    """Keyed hash (HMAC-SHA256, hex, 32 chars) of a normalised ID number, stable for joins."""
    digest = hmac.new(secret.encode(), normalise(id_number).encode(), hashlib.sha256).hexdigest()
    return digest[:32]


# An ID number hidden in other text: digits possibly full-width (NFKC makes them ASCII) and split by blanks,
# hyphens, dots or slashes, e.g. "hh-110101199003074514", "110101 19900307 4514", "１１０１０１…".
_SEPARATED_DIGITS = re.compile(r"[0-9](?:[\s\-./_·]*[0-9Xx])+")
_DIGIT_RUN = re.compile(r"[0-9]+[Xx]?")
_HASH = re.compile(r"[0-9a-f]{32}")
# The first two digits of every resident ID number: a province-level code of GB/T 2260 (11 Beijing … 65 Xinjiang,
# 71 Taiwan, 81 Hong Kong, 82 Macao). A digit run that starts otherwise is not read as one.
_PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)


def _plausible_18(run: str) -> bool:
    born = birth_date_or_none(run)
    return born is not None and 1900 <= born.year and born <= dt.date.today()


def _plausible_15(run: str) -> bool:
    """The first-generation 15-digit number: county (6), birth date YYMMDD of the 1900s (6), sequence (3)."""
    try:
        dt.date(1900 + int(run[6:8]), int(run[8:10]), int(run[10:12]))
    except ValueError:
        return False
    return True


def _run_is_id(run: str, bounded: bool) -> bool:
    if len(run) <= 18 and run[:2] not in _PROVINCE_PREFIXES:
        return False
    if len(run) == 18 and run[:17].isdigit():
        return _plausible_18(run.upper())
    if len(run) == 15 and run.isdigit():
        return bounded and _plausible_15(run)
    if len(run) > 18:  # a longer digit string: an 18-digit window with a valid check character and birth date
        windows = (run[i : i + 18].upper() for i in range(len(run) - 17))
        return any(w[:2] in _PROVINCE_PREFIXES and violation(w) is None for w in windows)
    return False


def _bounded(text: str, start: int, end: int) -> bool:
    """No letter or digit right before ``start`` or right after ``end`` (blanks and punctuation may be there)."""
    return not (start > 0 and text[start - 1].isalnum()) and not (end < len(text) and text[end].isalnum())


def looks_like_id_number(text: str) -> bool:
    """True when ``text`` holds something that reads as a resident ID number anywhere in it.

    Full-width digits count as digits (NFKC), and blanks, hyphens, dots, slashes or underscores between digits are
    ignored. A run of 18 (17 digits and a digit or X) with a real birth date (1900 to today), an 18-digit window of
    a longer run that is a valid ID number (check character included), or a run of exactly 15 digits that stands
    apart from letters and whose characters 7–12 are a real date (the first-generation number) is an ID number —
    when it starts with a province code of GB/T 2260, as every resident ID number does.
    A 32-character lowercase hex string (a keyed hash, an assessment id) is not read as one.
    """
    plain = unicodedata.normalize("NFKC", str(text))
    if _HASH.fullmatch(plain):
        return False
    for run in _DIGIT_RUN.finditer(plain):
        if _run_is_id(run.group(), _bounded(plain, run.start(), run.end())):
            return True
    for group in _SEPARATED_DIGITS.finditer(plain):
        squeezed = _squeezed(group.group())
        if squeezed != group.group() and _run_is_id(squeezed, _bounded(plain, group.start(), group.end())):
            return True
    return False


def _squeezed(text: str) -> str:
    return re.sub(r"[\s\-./_·]+", "", text)


def mask_within(text: str) -> str:
    """``text`` with each digit group that reads as an ID number masked (first 4 and last 4 characters kept), for
    errors and logs: a value holding an ID number is never shown whole."""
    plain = unicodedata.normalize("NFKC", str(text))
    if not looks_like_id_number(plain):
        return str(text)
    return _SEPARATED_DIGITS.sub(lambda m: mask(m.group()) if looks_like_id_number(m.group()) else m.group(), plain)
