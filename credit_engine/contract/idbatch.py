"""GB 11643 checks of many resident ID numbers at once: the vectorised twin of :func:`idnumber.violation`.

The 18 characters of every well-formed number are viewed as one uint8 matrix; birth dates and the check character
are computed column-wise with numpy, so a million numbers take a fraction of a second. Also the calendar arithmetic
this needs (real dates from year/month/day, and back), shared with the date checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit_engine.contract import idnumber

_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_CHECK_BYTES = np.frombuffer(idnumber.CHECK_CHARS.encode("ascii"), dtype=np.uint8)
_WEIGHTS = np.array(idnumber.WEIGHTS, dtype=np.int32)
_PLACES = np.array([1000, 100, 10, 1], dtype=np.int32)


@dataclass(frozen=True, slots=True)
class IdFacts:
    """Per number: ``valid`` (format, birth date and checksum all right), ``birth_ymd`` (yyyymmdd, -1 when the
    date is not real) and ``male`` (odd sequence number)."""

    valid: np.ndarray
    birth_ymd: np.ndarray
    male: np.ndarray


def id_facts(numbers: pd.Series, today: np.datetime64) -> IdFacts:
    """Check normalised ID numbers (trimmed, upper-case text) as :func:`idnumber.violation` does, all at once."""
    well_formed = numbers.str.fullmatch("[0-9]{17}[0-9X]").to_numpy(dtype=bool)
    valid = well_formed.copy()
    birth_ymd = np.full(len(numbers), -1, np.int32)
    male = np.zeros(len(numbers), bool)
    if well_formed.any():
        joined = "".join(numbers[well_formed].to_numpy(dtype=object))
        chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        digits = chars[:, :17].astype(np.int32) - ord("0")
        year = digits[:, 6:10] @ _PLACES
        month, day = digits[:, 10] * 10 + digits[:, 11], digits[:, 12] * 10 + digits[:, 13]
        dates, real = calendar_dates(year, month, day)
        real &= (year >= 1900) & (dates <= today)
        checksum_ok = chars[:, 17] == _CHECK_BYTES[(digits @ _WEIGHTS) % 11]
        valid[well_formed] = real & checksum_ok
        birth_ymd[well_formed] = np.where(real, year * 10000 + month * 100 + day, -1)
        male[well_formed] = digits[:, 16] % 2 == 1
    return IdFacts(valid, birth_ymd, male)


def calendar_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """datetime64[D] of year/month/day arrays, and whether each is a real date (garbage where it is not)."""
    year, month, day = (np.asarray(a, dtype=np.int64) for a in (year, month, day))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month, 1, 12) - 1] + (leap & (month == 2))
    real = (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days) & (year >= 1) & (year <= 9999)
    year, month, day = np.where(real, year, 1970), np.where(real, month, 1), np.where(real, day, 1)
    months = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1).astype("timedelta64[M]")
    return months.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]"), real


def civil_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of days since 1970-01-01 (integer arithmetic, H. Hinnant's ``civil_from_days``)."""
    z = days + 719468
    era = np.floor_divide(z, 146097)
    day_of_era = z - era * 146097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = np.where(shifted_month < 10, shifted_month + 3, shifted_month - 9)
    return year_of_era + era * 400 + (month <= 2), month, day
