"""The written forms the data contract accepts, defined once for both validation paths.

A value is checked either in a column (:mod:`credit_engine.contract.columns`, vectorised) or in one record
(:mod:`credit_engine.contract.record`, plain Python); both read the same text rules from here: the names of the
rules a value can break, in the order they are tried (with the int8 codes the column path stores), the patterns of
whole numbers, decimal numbers, yuan and dates, the words read as yes and no, the earliest date, and the test that an
amount in yuan has at most two decimals.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd

RULES: tuple[str, ...] = (
    "",  # code 0: no rule broken
    *"required type_int type_number type_bool type_date choice min max".split(),
    *"id_format id_birth_date id_checksum county_code_format date_in_future".split(),
    *"control_character id_number code_format yuan_format yuan_decimals".split(),
)
CODE = {rule: code for code, rule in enumerate(RULES)}
OK = 0

INT = r"[+-]?[0-9]{1,18}"
YUAN = r"[0-9]{1,16}(?:\.[0-9]{1,40})?"  # plain decimal text; more than 2 decimals is its own rule
SIGNED_YUAN = rf"-?{YUAN}"  # money a field allows below 0 (an enterprise's profit, equity, cash flow)
NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?"
DATE = re.compile(r"([0-9]{4})(?:[-/.]|年)([0-9]{1,2})(?:[-/.]|月)([0-9]{1,2})日?(?:[ T]00:00(?::00(?:\.0+)?)?)?")
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "是"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "否"})
EARLIEST_DATE: dt.date = pd.Timestamp.min.ceil("D").date()  # datetime64[ns] cannot hold an earlier day


def yuan_pattern(minimum: float | None) -> str:
    """The written form of an amount in yuan: signed when the field's minimum is below 0."""
    return SIGNED_YUAN if minimum is not None and minimum < 0 else YUAN


def whole_fen(yuan: Any) -> Any:
    """Where amounts in yuan have at most 2 decimals (one test for a column and for a single record's value: a
    float gives a bool, computed in plain Python — round half to even as numpy's — without a one-value array)."""
    fen = yuan * 100.0
    if isinstance(fen, float):
        return math.isfinite(fen) and abs(fen - round(fen)) < 1e-6  # inf: numpy's NaN gap, not whole
    return np.abs(fen - np.round(fen)) < 1e-6
