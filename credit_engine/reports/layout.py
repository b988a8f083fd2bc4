"""How each view is laid out for people: its columns (key, 中文, English, kind) and its rows as plain values.

A :class:`Sheet` is one view ready for any renderer: the CSV writes the primary sheet, the workbook one worksheet
per sheet, the web page one table per sheet. Column kinds tell renderers how to show a value: ``fen`` (money,
shown in yuan), ``ratio`` (a percentage), ``multiple`` (×), ``int``, ``bool``, ``status``, ``date`` and ``text``.
:func:`yuan` is the one conversion from fen to yuan: exact, through ``Decimal``. Per-product columns (covered
principal, subsidy) come from the report's products (:func:`views`), one per product, headed by its names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from credit_engine.ledger.products import Product
from credit_engine.reports.build import Report
from credit_engine.reports.leverage import STATUS_LABELS
from credit_engine.reports.products import COVERED_KEY, SUBSIDY_KEY, product_columns


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class Sheet:
    key: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    rows: list[dict]


def yuan(amount_fen: int) -> Decimal:
    """Fen as yuan, exactly (123456 → Decimal('1234.56'))."""
    return Decimal(amount_fen).scaleb(-2)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


C = Column
FUND = (C("fund_id", "基金编号", "Fund"), C("county_name", "县", "County"), C("bank", "合作银行", "Bank"))
AREA = (C("code", "代码", "Code"), C("name", "名称", "Name"), C("funds", "基金数", "Funds", "int"))


def covered_columns(products: Iterable[Product]) -> tuple[Column, ...]:
    """A product's covered principal: ``富民贷余额(元)`` / ``Household loans (yuan)``."""
    found = product_columns(products, COVERED_KEY, "{}余额(元)", "{} (yuan)")
    return tuple(C(key, zh, en, "fen") for key, zh, en in found)


def subsidy_columns(products: Iterable[Product]) -> tuple[Column, ...]:
    """A product's subsidy due: ``富民贷贴息(元)`` / ``Household loans subsidy (yuan)``."""
    found = product_columns(products, SUBSIDY_KEY, "{}贴息(元)", "{} subsidy (yuan)")
    return tuple(C(key, zh, en, "fen") for key, zh, en in found)


FUND_BALANCE = (C("fund_balance_fen", "基金余额(元)", "Fund balance (yuan)", "fen"),)
LEVERAGE = (
    C("covered_principal_fen", "覆盖贷款余额(元)", "Covered principal (yuan)", "fen"),
    C("multiple", "放大倍数", "Multiple", "multiple"),
    C("floor_multiple", "倍数下限", "Floor", "multiple"),
    C("floor_shortfall_fen", "距下限缺口(元)", "Floor shortfall (yuan)", "fen"),
    C("headroom_fen", "距上限余量(元)", "Cap headroom (yuan)", "fen"),
    C("npl_ratio", "不良率", "NPL ratio", "ratio"),
    C("household_share", "富民贷占比", "Household share", "ratio"),
)
HOUSEHOLD = (
    C("household_share", "富民贷占比", "Household share", "ratio"),
    C("household_min_share", "最低占比", "Minimum share", "ratio"),
    C("meets_minimum", "是否达标", "Meets minimum", "bool"),
    C("household_gap_fen", "富民贷缺口(元)", "Household lending gap (yuan)", "fen"),
)
QUALITY = (
    C("covered_principal_fen", "覆盖贷款余额(元)", "Covered principal (yuan)", "fen"),
    C("current_fen", "正常(元)", "Current (yuan)", "fen"),
    C("overdue_1_30_fen", "逾期1–30天(元)", "1–30 days (yuan)", "fen"),
    C("overdue_31_60_fen", "逾期31–60天(元)", "31–60 days (yuan)", "fen"),
    C("overdue_61_89_fen", "逾期61–89天(元)", "61–89 days (yuan)", "fen"),
    C("overdue_90_plus_fen", "逾期90天以上(元)", "90+ days (yuan)", "fen"),
    C("npl_ratio", "不良率", "NPL ratio", "ratio"),
    C("compensation_claimed_fen", "申请代偿(元)", "Compensation claimed (yuan)", "fen"),
    C("compensation_paid_fen", "已代偿(元)", "Compensation paid (yuan)", "fen"),
    C("compensation_pending_fen", "待付代偿(元)", "Compensation pending (yuan)", "fen"),
    C("recovered_fen", "追偿回收本金(元)", "Recovered principal (yuan)", "fen"),
    C("recovered_to_fund_fen", "回收入基金(元)", "Recovered to the fund (yuan)", "fen"),
    C("written_off_fen", "核销(元)", "Written off (yuan)", "fen"),
    C("loss_rate", "损失率", "Loss rate", "ratio"),
    C("insurer_claimed_fen", "保险承担损失(元)", "Insurer's part of losses (yuan)", "fen"),
    C("insurer_paid_fen", "保险已赔付(元)", "Insurer payments (yuan)", "fen"),
)
LINKAGE = (
    C("qiangnong_loans", "强农贷笔数", "Enterprise loans", "int"),
    C("households_driven", "带贫户数", "Poor households driven", "int"),
    C("linked_principal_fen", "带贫贷款余额(元)", "Linked principal (yuan)", "fen"),
    C("principal_per_household_fen", "户均带贫贷款(元)", "Principal per household driven (yuan)", "fen"),
)
STATUS = (C("status", "状态", "Status", "status"),)
INSURANCE = (
    C("insured_principal_fen", "保险覆盖余额(元)", "Insured principal (yuan)", "fen"),
    C("insurer_paid_fen", "保险已赔付(元)", "Insurer payments (yuan)", "fen"),
)
OVER_CAP = (C("over_cap_fen", "超上限金额(元)", "Over cap by (yuan)", "fen"),)
AREA_CAP = (
    C("cap_multiple", "倍数上限(有上限基金)", "Cap (capped funds)", "multiple"),
    C("uncapped_funds", "无上限基金数", "Uncapped funds", "int"),
)
SUMMARY = (
    C("worst_status", "最严重基金状态", "Most severe fund status", "status"),
    C("status_summary", "各状态基金数", "Funds by status"),
)
SUBSIDY = (
    C("period_from", "起始日", "From", "date"),
    C("period_to", "截止日", "To", "date"),
    C("subsidy_rate", "贴息利率", "Subsidy rate", "ratio"),
    C("loans", "贴息贷款笔数", "Loans subsidised", "int"),
    C("current_loan_days", "正常计息天数", "Current loan-days", "int"),
    C("overdue_loan_days", "逾期不贴息天数", "Overdue loan-days (no subsidy)", "int"),
)
SUBSIDY_TOTAL = (C("subsidy_fen", "应贴息合计(元)", "Subsidy due (yuan)", "fen"),)
SUBSIDY_LOANS = (
    C("fund_id", "基金编号", "Fund"),
    C("loan_id", "贷款编号", "Loan"),
    C("product", "产品", "Product"),
    C("borrower_ref", "借款人(假名)", "Borrower (pseudonym)"),
    C("current_days", "正常天数", "Current days", "int"),
    C("overdue_days", "逾期天数", "Overdue days", "int"),
    C("subsidy_fen", "应贴息(元)", "Subsidy due (yuan)", "fen"),
)
SERIES = (
    C("on", "月末", "Month-end", "date"),
    C("code", "县代码", "County code"),
    C("name", "县", "County"),
    C("fund_balance_fen", "基金余额(元)", "Fund balance (yuan)", "fen"),
    C("covered_principal_fen", "覆盖贷款余额(元)", "Covered principal (yuan)", "fen"),
    C("multiple", "放大倍数", "Multiple", "multiple"),
    C("npl_ratio", "不良率", "NPL ratio", "ratio"),
)


def views(products: Iterable[Product]) -> dict[str, tuple[str, str, tuple[Column, ...]]]:
    """Every view's names and columns, the per-product ones built from the ledger's ``products``."""
    products = tuple(products)
    leverage = FUND_BALANCE + covered_columns(products) + LEVERAGE
    return {
        "leverage": ("放大倍数(基金)", "Leverage by fund", FUND + leverage + INSURANCE + OVER_CAP + STATUS),
        "leverage_county": ("放大倍数(县)", "Leverage by county", AREA + leverage + AREA_CAP + STATUS + SUMMARY),
        "leverage_province": ("放大倍数(省)", "Leverage by province", AREA + leverage + AREA_CAP + STATUS + SUMMARY),
        "household": ("富民贷占比", "Household share", FUND + covered_columns(products) + HOUSEHOLD),
        "portfolio": ("资产质量(基金)", "Portfolio quality by fund", FUND + QUALITY + LINKAGE + STATUS),
        "portfolio_county": (
            "资产质量(县)",
            "Portfolio quality by county",
            AREA[:2] + QUALITY + LINKAGE + STATUS + SUMMARY,
        ),
        "portfolio_province": (
            "资产质量(省)",
            "Portfolio quality by province",
            AREA[:2] + QUALITY + LINKAGE + STATUS + SUMMARY,
        ),
        "subsidy": ("贴息(基金)", "Subsidy by fund", FUND + SUBSIDY + subsidy_columns(products) + SUBSIDY_TOTAL),
        "subsidy_loans": ("贴息明细(贷款)", "Subsidy by loan", SUBSIDY_LOANS),
    }


def sheets(report: Report, series_level: str = "county") -> list[Sheet]:
    """One sheet per view of the report, then the month-end series by county or by province (when there is one)."""
    found = []
    layout = views(report.products)
    for key, lines in report.views.items():
        zh, en, columns = layout[key]
        found.append(Sheet(key, zh, en, columns, [line.as_dict() for line in lines]))
    if report.series:
        zh, en = (
            ("月度序列(县)", "Month-end series by county")
            if series_level == "county"
            else ("月度序列(省)", "Month-end series by province")
        )
        columns = (
            SERIES
            if series_level == "county"
            else (SERIES[0], C("code", "省代码", "Province code"), C("name", "省", "Province"), *SERIES[3:])
        )
        found.append(Sheet("series", zh, en, columns, series_rows(report, series_level)))
    return found


def series_rows(report: Report, level: str = "county") -> list[dict]:
    """The series summed per county (or per province) and month-end."""
    from credit_engine.reports.leverage import county_name, province_name

    counties = {p.fund_id: p.county_code for p in report.positions}
    width = 6 if level == "county" else 2
    sums: dict[tuple, list[int]] = {}
    for point in report.series:
        key = (point.on, counties[point.fund_id][:width])
        total = sums.setdefault(key, [0, 0, 0])
        total[0] += point.fund_balance_fen
        total[1] += point.covered_principal_fen
        total[2] += point.npl_fen
    name = county_name if level == "county" else province_name
    rows = []
    for (on, code), (balance, covered, npl) in sorted(sums.items()):
        rows.append(
            {
                "on": on.isoformat(),
                "code": code,
                "name": name(code),
                "fund_balance_fen": balance,
                "covered_principal_fen": covered,
                "multiple": round(covered / balance, 6) if balance > 0 else None,
                "npl_ratio": round(npl / covered, 6) if covered else 0.0,
            }
        )
    return rows
