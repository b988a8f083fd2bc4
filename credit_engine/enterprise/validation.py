"""Validation of enterprise applications: the household contract's machinery
(:func:`credit_engine.contract.validation.validate_table`) with the enterprise field table and rules, so every bad
row and field is named with its rule in 中文 and English, exactly as for households."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from credit_engine.contract.validation import Contract, ValidatedApplications, validate_application, validate_table
from credit_engine.enterprise.fields import ENTERPRISE_FIELDS, ENTERPRISE_LABEL, HEADER_KEYS
from credit_engine.enterprise.rules import ENTERPRISE_RULES
from credit_engine.errors import RowError

ENTERPRISE_CONTRACT = Contract(ENTERPRISE_FIELDS, ENTERPRISE_LABEL, ENTERPRISE_RULES, HEADER_KEYS)


def validate_enterprises(
    raw: pd.DataFrame, *, require_label: bool = False, first_row: int = 2
) -> ValidatedApplications:
    """Validate a frame of enterprise applications (headers English or 中文); the valid rows and every error."""
    return validate_table(raw, ENTERPRISE_CONTRACT, require_label=require_label, first_row=first_row)


def validate_enterprise(record: Mapping[str, Any]) -> tuple[dict[str, Any], list[RowError]]:
    """One enterprise application: its canonical record and no errors, or ``{}`` and every error (row None)."""
    return validate_application(record, ENTERPRISE_CONTRACT)
