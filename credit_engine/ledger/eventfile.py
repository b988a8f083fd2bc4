"""Reading a partner bank's event file (CSV or XLSX, English or Chinese headers) into validated events.

The whole file is checked before anything is posted: columns, event types, the columns each type needs
(:data:`REQUIRED`; ``event_id``, ``event_type``, ``fund_id`` and ``value_date`` always, except that a reversal takes
the value date of the event it reverses), dates, amounts in yuan with at most two decimals (a third decimal is an
error, never rounded), days past due, products, households driven (``households_driven`` / 带贫户数: required ≥ 1
on a disbursement of an enterprise product such as 强农贷, refused on a household one such as 富民贷), and event
ids unique per fund within the file. Any broken rule raises ``InvalidInput`` listing every bad cell (spreadsheet
row number — the header is row 1 — column and rule); a header naming no event column at all is one error. The file
is read by the bounded reader (:mod:`credit_engine.tablefile`) within :data:`EVENT_LIMITS`.
Ids and references follow their code's pattern (:mod:`credit_engine.identifiers`: no control characters, no ID
number inside, the pattern of their kind); amounts go through the one money parser
(:func:`credit_engine.ledger.money.yuan_to_fen`). A raw 18-digit ID number in ``borrower_ref`` is pseudonymised with
the keyed hash before it goes anywhere; an invalid one, or one in any other form or column, is refused and shown
masked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from credit_engine import identifiers
from credit_engine.contract import idnumber
from credit_engine.errors import InvalidInput, RowError
from credit_engine.ledger.money import yuan_to_fen
from credit_engine.ledger.products import ProductCatalog, linkage_problem
from credit_engine.tablefile import TableLimits, read_rows

COLUMNS = {
    "event_id": ("事件编号", "事件id"),
    "event_type": ("事件类型",),
    "value_date": ("起息日", "发生日期", "日期"),
    "fund_id": ("基金编号", "风险补偿金编号"),
    "loan_id": ("贷款编号", "借据号"),
    "product": ("产品", "贷款产品"),
    "borrower_ref": ("借款人编号", "借款人"),
    "amount_yuan": ("金额(元)", "金额", "金额（元）"),
    "days_past_due": ("逾期天数",),
    "maturity_date": ("到期日",),
    "reverses_event_id": ("冲正事件编号", "被冲正事件编号"),
    "households_driven": ("带贫户数", "带动脱贫户数"),
}
EVENT_TYPES = {
    "contribution": ("注入", "补充"),
    "clawback": ("收回", "核减"),
    "fund_interest": ("利息", "账户利息"),
    "disbursement": ("放款", "发放"),
    "repayment": ("还款", "还本"),
    "delinquency": ("逾期",),
    "cure": ("逾期解除", "正常化"),
    "compensation_claim": ("代偿申请",),
    "compensation_payment": ("代偿支付", "代偿"),
    "recovery": ("追偿", "追回"),
    "write_off": ("核销",),
    "extension": ("展期",),
    "reversal": ("冲正",),
    "insurance_premium": ("保费", "保险费"),
    "insurer_payment": ("保险理赔", "保险赔付"),
}
REQUIRED = {
    "contribution": ("amount_yuan",),
    "clawback": ("amount_yuan",),
    "fund_interest": ("amount_yuan",),
    "disbursement": ("loan_id", "product", "borrower_ref", "amount_yuan", "maturity_date"),
    "repayment": ("loan_id", "amount_yuan"),
    "delinquency": ("loan_id", "days_past_due"),
    "cure": ("loan_id",),
    "compensation_claim": ("loan_id",),
    "compensation_payment": ("loan_id",),
    "recovery": ("loan_id", "amount_yuan"),
    "write_off": ("loan_id",),
    "extension": ("loan_id", "maturity_date"),
    "reversal": ("reverses_event_id",),
    "insurance_premium": ("amount_yuan",),
    "insurer_payment": ("loan_id",),
}
OPTIONAL = {"disbursement": ("households_driven",)}
"""Columns an event type reads when filled (a 强农贷 disbursement's households driven; required by its product)."""
MAX_EVENT_ROWS = 100_000
EVENT_LIMITS = TableLimits(
    max_rows=MAX_EVENT_ROWS,
    max_columns=len(COLUMNS) + 50,
    max_bytes=256 * 1024**2,
    max_unzipped_bytes=256 * 1024**2,
    max_shared_strings=500_000,
)
"""An event file holds at most 100,000 events (a bank's file per day and county is far smaller) and the event
columns plus a margin for the bank's own."""
_ALIASES = {alias.lower(): name for name, aliases in COLUMNS.items() for alias in (name, *aliases)}
_TYPE_ALIASES = {alias: name for name, aliases in EVENT_TYPES.items() for alias in (name, *aliases)}
RULES = {
    "value_date": "date",
    "maturity_date": "date",
    "amount_yuan": "yuan_format",
    "days_past_due": "whole_days",
    "product": "product",
    "borrower_ref": "pseudonymous_ref",
    "households_driven": "whole_households",
}


@dataclass(frozen=True, slots=True)
class EventRow:
    """One validated event of the file (``row`` is its spreadsheet row number)."""

    row: int
    event_id: str
    event_type: str
    fund_id: str
    value_date: dt.date | None
    loan_id: str | None = None
    product: str | None = None
    borrower_ref: str | None = None
    amount_fen: int | None = None
    days_past_due: int | None = None
    maturity_date: dt.date | None = None
    reverses_event_id: str | None = None
    households_driven: int | None = None


def read_table(path: Path, limits: TableLimits | None = None) -> list[list[str]]:
    """The file's rows as text cells (first sheet of a workbook; CSV in UTF-8, UTF-8 with BOM or GB18030), read
    within ``limits`` (default :data:`EVENT_LIMITS`; a file over one raises ``TableTooLarge``)."""
    if not path.is_file():
        raise FileNotFoundError(f"event file {path} not found / 找不到事件文件")
    return [[cell.strip() for cell in row] for row in read_rows(path, limits or EVENT_LIMITS)]


def _header(cells: list[str]) -> tuple[dict[str, int], list[RowError]]:
    columns: dict[str, int] = {}
    errors = []
    for index, title in enumerate(cells):
        key = title.strip().lower().replace("（", "(").replace("）", ")")
        if key in _ALIASES:
            columns.setdefault(_ALIASES[key], index)
    if not columns:
        return columns, [_no_event_columns(cells)]
    for name in ("event_id", "event_type", "fund_id", "value_date"):
        if name not in columns:
            errors.append(RowError(1, name, "missing_column", f"column {name} / {COLUMNS[name][0]} is missing"))
    return columns, errors


def _no_event_columns(cells: list[str]) -> RowError:
    """One error for a file none of whose headers is an event column (not one per missing column or row)."""
    found = ", ".join(cells[:12]) + (" …" if len(cells) > 12 else "") or "(none)"
    expected = ", ".join(f"{name} ({COLUMNS[name][0]})" for name in ("event_id", "event_type", "fund_id", "value_date"))
    message = (
        f"no header names an event column; found: {found}; expected: {expected} … / "
        f"表头中没有任何事件文件的列。文件表头：{found}；应有的表头：{expected} 等"
    )
    return RowError(1, "file", "no_event_columns", message, found[:200])


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.split(" ")[0].split("T")[0].replace("/", "-"))


_KINDS = {"event_id": "event_id", "fund_id": "fund_id", "loan_id": "loan_id", "reverses_event_id": "event_id"}


class _CellError(ValueError):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def _borrower(text: str, secret: str) -> str:
    normalised = idnumber.normalise(text)
    if len(normalised) == 18 and normalised[:17].isdigit():
        rule = idnumber.violation(normalised)
        if rule is None:
            return idnumber.pseudonymise(normalised, secret)
        raise _CellError("pseudonymous_ref", f"looks like an ID number but breaks {rule} / 疑似身份证号但校验不通过")
    return _code("borrower_ref", text)


def _code(name: str, text: str) -> str:
    rule = identifiers.code_violation(name if name == "borrower_ref" else _KINDS[name], text)
    if rule is not None:
        raise _CellError(rule, identifiers.message(_KINDS.get(name, name), rule))
    return text


def _convert(name: str, text: str, secret: str, products: ProductCatalog | None) -> object:
    """Typed value of one cell; ``ValueError`` names the rule broken."""
    if name in ("value_date", "maturity_date"):
        return _date(text)
    if name == "amount_yuan":
        fen = yuan_to_fen(text)
        if fen <= 0:
            raise _CellError("yuan_positive", "must be more than 0 yuan / 须大于 0 元")
        return fen
    if name == "days_past_due":
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 36500:
            raise ValueError("a whole number of days, 1 to 36500 / 1 至 36500 天的整数")
        return int(text)
    if name == "households_driven":
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 1_000_000:
            raise ValueError("带贫户数须为 1 至 1000000 的整数 / households_driven: a whole number, 1 to 1000000")
        return int(text)
    if name == "product":  # without the catalog, the disbursement resolves it when posted
        return text if products is None else products.parse(text).code
    if name == "borrower_ref":
        return _borrower(text, secret)
    return _code(name, text)


def _parse_row(number: int, cells: list[str], columns: dict[str, int], secret: str, products: ProductCatalog | None):
    raw = {name: cells[index].strip() if index < len(cells) else "" for name, index in columns.items()}
    errors: list[RowError] = []
    kind = _TYPE_ALIASES.get(raw.get("event_type", "").lower(), _TYPE_ALIASES.get(raw.get("event_type", "")))
    if kind is None:
        errors.append(
            RowError(number, "event_type", "event_type", "unknown event type / 未知事件类型", raw.get("event_type"))
        )
    needed = {"event_id", "fund_id", *REQUIRED.get(kind or "", ())} | ({"value_date"} if kind != "reversal" else set())
    values: dict[str, object] = {}
    optional = OPTIONAL.get(kind or "", ())
    for name in COLUMNS:
        text = raw.get(name, "")
        if not text:
            if name in needed:
                errors.append(RowError(number, name, "required", f"required for {kind} / 该事件类型必填"))
            continue
        if name == "event_type" or (name not in needed and name not in ("value_date", "amount_yuan", *optional)):
            continue
        try:
            values[name] = _convert(name, text, secret, products)
        except ValueError as error:
            rule = getattr(error, "rule", None) or RULES.get(name, "text")
            errors.append(RowError(number, name, rule, str(error), identifiers.shown(text)))
    if kind == "disbursement" and {"value_date", "maturity_date"} <= values.keys():
        if values["maturity_date"] <= values["value_date"]:  # type: ignore[operator]
            errors.append(
                RowError(number, "maturity_date", "after_value_date", "must follow the value date / 须晚于起息日")
            )
    errors += _linkage_errors(number, values, products)
    if errors:
        return None, errors
    amount = values.pop("amount_yuan", None)
    row = EventRow(row=number, event_type=kind, amount_fen=amount, value_date=values.pop("value_date", None), **values)
    return row, []


def _linkage_errors(number: int, values: dict[str, object], products: ProductCatalog | None) -> list[RowError]:
    """A disbursement's households driven against its product (with the catalog; without, the posting checks)."""
    if products is None or "product" not in values:  # only a disbursement reads its product
        return []
    found = linkage_problem(products.parse(values["product"]), values.get("households_driven"))
    if found is None:
        return []
    shown = values.get("households_driven")
    return [RowError(number, "households_driven", found[0], found[1], None if shown is None else str(shown))]


def read_events(path: Path, secret: str, products: ProductCatalog | None = None) -> list[EventRow]:
    """Every event of the file, validated (products against ``products``, the ledger's catalog, when given);
    ``InvalidInput`` with every broken rule if any row is malformed."""
    table = read_table(Path(path))
    if not table:
        raise InvalidInput([RowError(1, "file", "empty", "the file has no header / 文件为空")])
    columns, errors = _header(table[0])
    if errors:
        raise InvalidInput(errors)
    events, seen = [], {}
    for number, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        event, row_errors = _parse_row(number, cells, columns, secret, products)
        errors += row_errors
        if event is not None:
            key = (event.fund_id, event.event_id)
            if key in seen:
                errors.append(
                    RowError(
                        number, "event_id", "duplicate_event_id", f"also on row {seen[key]} / 重复", event.event_id
                    )
                )
            seen.setdefault(key, number)
            events.append(event)
    if errors:
        raise InvalidInput(errors, f"{len(errors)} problem(s) in {Path(path).name}: nothing was posted")
    return events
