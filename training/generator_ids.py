"""Identifiers of the synthetic registry, built for a million rows at once.

Resident ID numbers follow GB 11643-1999 exactly as :mod:`credit_engine.contract.idnumber` does (same weights, same
check characters) but on digit matrices, because calling ``idnumber.make`` per row is far too slow for a national
registry. Birth dates are chosen so that the head's age on the application date is exactly the recorded age, and
sequence numbers are unique within (county, birth date), odd for men and even for women, so no two heads share an ID.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from credit_engine.contract import idnumber

_WEIGHTS = np.array(idnumber.WEIGHTS, dtype=np.int64)
_CHECK_ASCII = np.frombuffer(idnumber.CHECK_CHARS.encode("ascii"), dtype=np.uint8)
_ZERO = ord("0")


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) matrix of the decimal digits of non-negative integers, zero-padded on the left."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((np.asarray(values, dtype=np.int64)[:, None] // powers) % 10).astype(np.uint8)


def text(codes: np.ndarray) -> pa.StringArray:
    """Rows of an (n, width) matrix of ASCII codes as an Arrow string array (one buffer, no Python strings)."""
    n, width = codes.shape
    offsets = np.arange(0, n * width + 1, width, dtype=np.int32)
    data = np.ascontiguousarray(codes, dtype=np.uint8)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def labelled(labels: tuple[str, ...] | np.ndarray, index: np.ndarray) -> pa.StringArray:
    """``labels[index]`` for every row, as an Arrow string array."""
    return pa.array(list(labels), type=pa.string()).take(pa.array(np.asarray(index, dtype=np.int64)))


def numbered(prefix: str, values: np.ndarray, width: int) -> pa.StringArray:
    """``prefix`` followed by each value zero-padded to ``width`` digits (``A000000042``)."""
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    digits = digit_matrix(values, width) + np.uint8(_ZERO)
    return text(np.hstack([np.broadcast_to(head, (len(digits), len(head))), digits]))


def id_numbers(county_codes: np.ndarray, born: np.ndarray, sequences: np.ndarray) -> pa.StringArray:
    """Valid 18-character ID numbers from 6-digit county codes (ints), birth dates (datetime64[D]) and sequences."""
    year, month, day = split_dates(born)
    body_number = ((county_codes * 10_000 + year) * 10_000 + month * 100 + day) * 1_000 + sequences
    body = digit_matrix(body_number, 17)
    check = _CHECK_ASCII[(body.astype(np.int64) @ _WEIGHTS) % 11]
    return text(np.hstack([body + np.uint8(_ZERO), check[:, None]]))


def split_dates(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1–12) and day (1–31) of datetime64[D] values."""
    months = dates.astype("datetime64[M]")
    year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def make_date(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """datetime64[D] from year, month and day arrays (the day must exist in that month)."""
    months = (np.asarray(year) - 1970) * 12 + (np.asarray(month) - 1)
    return months.astype("datetime64[M]").astype("datetime64[D]") + (np.asarray(day) - 1).astype("timedelta64[D]")


def birth_dates(rng: np.random.Generator, on: np.ndarray, ages: np.ndarray) -> np.ndarray:
    """Birth dates at which a person is exactly ``ages`` whole years old on the dates ``on`` (datetime64[D]).

    The birthday anniversary ``ages`` years before ``on`` (29 February becomes 28 February in common years) minus
    0–364 days: always after the previous anniversary, so the age in whole years is exact.
    """
    year, month, day = split_dates(on)
    born_year = year - ages
    leap = (born_year % 4 == 0) & ((born_year % 100 != 0) | (born_year % 400 == 0))
    day = np.where((month == 2) & (day == 29) & ~leap, 28, day)
    anniversary = make_date(born_year, month, day)
    return anniversary - rng.integers(0, 365, size=len(on)).astype("timedelta64[D]")


def sequences(rng: np.random.Generator, group: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Sequence numbers 1–998, odd for men and even for women, unique within each group (county and birth date).

    Each group starts at a random slot and its members take consecutive slots, so collisions need a group of more
    than 499 people of one sex born on one day in one county.
    """
    n = len(group)
    order = np.lexsort((male, group))
    key = np.column_stack([group[order], male[order]])
    starts = np.ones(n, dtype=bool)
    starts[1:] = np.any(key[1:] != key[:-1], axis=1)
    start_index = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    rank = np.arange(n) - start_index
    offset = rng.integers(0, 499, size=n)[start_index]
    slot = np.empty(n, dtype=np.int64)
    slot[order] = (offset + rank) % 499
    return np.where(male, 2 * slot + 1, 2 * slot + 2)
