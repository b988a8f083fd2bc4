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
