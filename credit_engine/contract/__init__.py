"""The household application contract: the field table, validation of applications, and file readers/writers.

``from credit_engine.contract import validate_applications, read_table`` is all a job or a route needs; the ID
number rules live in :mod:`credit_engine.contract.idnumber`.
"""

from credit_engine.contract.fields import (
    APPLICATION_FIELDS,
    FIELD_BY_NAME,
    HEADER_ALIASES,
    LABEL_FIELD,
    FieldDef,
    example_application,
    field_for_header,
    label_zh,
    normalise_headers,
)
from credit_engine.contract.rules import CROSS_FIELD_RULES
from credit_engine.contract.tabular import (
    read_table,
    rejects_path,
    require_contract_headers,
    write_rejects,
    write_table,
)
from credit_engine.contract.validation import ValidatedApplications, validate_application, validate_applications

__all__ = [
    "APPLICATION_FIELDS",
    "CROSS_FIELD_RULES",
    "FIELD_BY_NAME",
    "HEADER_ALIASES",
    "LABEL_FIELD",
    "FieldDef",
    "example_application",
    "ValidatedApplications",
    "field_for_header",
    "label_zh",
    "normalise_headers",
    "read_table",
    "rejects_path",
    "require_contract_headers",
    "validate_application",
    "validate_applications",
    "write_rejects",
    "write_table",
]
