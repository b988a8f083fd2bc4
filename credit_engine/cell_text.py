"""Text as a spreadsheet must receive it: never a formula, never a character its file format cannot hold.

Excel, LibreOffice and WPS run a cell whose text begins with ``=``, ``+``, ``-`` or ``@`` as a formula (also after
a tab or a carriage return: CSV injection), and an XLSX cell cannot hold the control characters XML forbids
(openpyxl refuses them). Codes, names and messages come from users and from the append-only ledger, so every
writer of the project that hands text to a spreadsheet goes through this module:

* :func:`csv_text` — a CSV field: formula-like text gets a leading apostrophe, which spreadsheets show as text;
* :func:`xml_text` — text for an XLSX cell or a web page: every character XML forbids (NUL and the other C0
  controls but tab, line feed and carriage return) becomes U+FFFD, visibly, so a stored value is shown and never
  turns silently into another, valid-looking one;
* :func:`inert_cell` — makes an openpyxl cell holding formula-like text an inert string (string type and Excel's
  quote prefix): the value is kept exactly, shown as text, and stays text when someone edits it;
* :func:`xlsx_value` — a value for a write-only sheet: :func:`xml_text` and, for formula-like text, an inert cell.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REPLACEMENT = "\ufffd"
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # outside XML 1.0's Char


def looks_like_formula(value: object) -> bool:
    """Text a spreadsheet would run (or start to parse) as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_text(value: object) -> object:
    """A CSV field: formula-like text with a leading apostrophe; anything else unchanged."""
    return "'" + value if looks_like_formula(value) else value  # type: ignore[operator]


def xml_text(value: str) -> str:
    """``value`` with every character XML 1.0 forbids replaced by U+FFFD."""
    return NOT_XML.sub(REPLACEMENT, value)


def inert_cell(cell: Any) -> Any:
    """``cell`` (an openpyxl cell of any mode) typed as a string with the quote prefix when its text looks like a
    formula; returned for chaining. openpyxl types text starting with ``=`` as a formula: this undoes that."""
    if looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def xlsx_value(sheet: Any, value: Any) -> Any:
    """What to append to a write-only ``sheet`` for ``value``: text cleaned by :func:`xml_text`, formula-like text
    as an inert :class:`~openpyxl.cell.WriteOnlyCell`, anything else unchanged."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return value
    text = xml_text(value)
    return inert_cell(WriteOnlyCell(sheet, value=text)) if looks_like_formula(text) else text
