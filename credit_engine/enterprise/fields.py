"""The field table of the 强农贷 enterprise application (issue 13): enterprises, cooperatives, family farms,
poverty workshops and projects that drive registered poor households (带贫).

Built of the household contract's parts (:class:`~credit_engine.contract.fields.FieldDef`, its kinds and value rules):
English snake_case names, the 中文 header accepted on import, a sanity range. A field that both contracts have
(``county_code``, ``credit_record``, ``requested_amount`` …) keeps the household's 中文 header. Finance is the last
full year in yuan; profit, EBIT, retained earnings, equity and operating cash flow may be negative. As for
households the ranges are data sanity, not product policy: the 30,000,000-yuan product limit is the policy's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from credit_engine.contract.fields import (
    CREDIT_RECORD,
    LABEL_FIELD,
    MAX_YUAN,
    FieldDef,
    alias_keys,
    header_aliases,
)
from credit_engine.enterprise import credit_code

ENTITY_TYPE = {
    "leading": "龙头企业",
    "cooperative": "农民专业合作社",
    "family_farm": "家庭农场",
    "workshop": "扶贫车间",
    "project": "项目",
}
INDUSTRY = {
    "planting": "种植",
    "breeding": "养殖",
    "processing": "加工",
    "trade": "商贸流通",
    "ecommerce": "电商",
    "tourism": "乡村旅游",
    "forestry": "林业",
}
COLLATERAL_TYPE = {
    "none": "无",
    "land_rights": "土地经营权",
    "forest_rights": "林权",
    "housing": "房屋",
    "equipment": "机器设备",
    "receivables": "应收账款",
}
GUARANTOR = {"none": "无", "government": "政府性融资担保公司", "enterprise": "企业担保", "individuals": "个人担保"}
LINKAGE_MODE = {
    "employment": "就业带动",
    "orders": "订单收购",
    "dividends": "入股分红",
    "land_lease": "土地流转",
    "household_loan": "户贷企用",
}
PURPOSE = {
    "working_capital": "流动资金",
    "purchasing": "农产品收购",
    "equipment": "设备购置",
    "facilities": "基础设施建设",
    "expansion": "扩大生产",
    "other": "其他",
}


def _money(name: str, zh: str, description: str, *, signed: bool = False) -> FieldDef:
    low = -MAX_YUAN if signed else 0
    return FieldDef(name, zh, "float", minimum=low, maximum=MAX_YUAN, description=f"{description}, yuan", money=True)


def _enum(name: str, zh: str, choices: Mapping[str, str], description: str) -> FieldDef:
    return FieldDef(name, zh, "enum", choices=choices, description=description)


def _count(name: str, zh: str, description: str) -> FieldDef:
    return FieldDef(name, zh, "int", minimum=0, maximum=1_000_000, description=description)


IDENTITY_FIELDS: tuple[FieldDef, ...] = (
    FieldDef(
        "application_id", "申请编号", "str", required=False, description="application reference", code="application_id"
    ),
    FieldDef("enterprise_id", "企业编号", "str", description="the bank's enterprise number", code="enterprise_id"),
    FieldDef("credit_code", "统一社会信用代码", "str", description="GB 32100 credit code", code="credit_code"),
    FieldDef("county_code", "县代码", "county_code", description="county code (GB/T 2260)"),
    _enum("entity_type", "主体类型", ENTITY_TYPE, "kind of applicant"),
    _enum("industry", "行业", INDUSTRY, "main industry"),
    FieldDef("years_operating", "经营年限", "int", minimum=0, maximum=100, description="years in operation"),
    FieldDef("application_date", "申请日期", "date", description="date of application, not after today"),
)
FINANCE_FIELDS: tuple[FieldDef, ...] = (
    _money("revenue", "营业收入", "revenue of the last full year"),
    _money("net_profit", "净利润", "net profit", signed=True),
    _money("ebit", "息税前利润", "earnings before interest and tax", signed=True),
    FieldDef(
        "total_assets",
        "资产总额",
        "float",
        minimum=0,
        minimum_exclusive=True,
        maximum=MAX_YUAN,
        description="total assets, yuan",
        money=True,
    ),  # fmt: skip
    _money("current_assets", "流动资产", "current assets, ≤ total_assets"),
    _money("current_liabilities", "流动负债", "current liabilities, ≤ total_liabilities"),
    _money("total_liabilities", "负债总额", "total liabilities"),
    _money("retained_earnings", "留存收益", "retained earnings", signed=True),
    _money("owner_equity", "所有者权益", "owner equity; assets = liabilities + equity within 1%", signed=True),
    _money("operating_cash_flow", "经营活动现金流量净额", "net operating cash flow", signed=True),
    _money("existing_bank_debt", "现有银行借款", "bank debt outstanding, ≤ total_liabilities"),
    FieldDef("prior_overdue_times", "历史逾期次数", "int", minimum=0, maximum=1_000, description="overdues on record"),
    _enum("credit_record", "征信记录", CREDIT_RECORD, "credit bureau record"),
)
COVER_FIELDS: tuple[FieldDef, ...] = (
    _enum("collateral_type", "抵押物类型", COLLATERAL_TYPE, "collateral offered"),
    _money("collateral_value", "抵押物价值", "appraised value of the collateral; 0 without collateral"),
    _enum("guarantor", "担保方式", GUARANTOR, "guarantee"),
    FieldDef("insured", "投保农业保险", "bool", description="crop or livestock insurance bought"),
)
LINKAGE_FIELDS: tuple[FieldDef, ...] = (
    _count("households_driven", "带动建档立卡户数", "registered poor households linked (带贫)"),
    _enum("linkage_mode", "带贫模式", LINKAGE_MODE, "how the households are driven"),
    _count("poor_employees", "吸纳贫困劳动力人数", "employees from registered poor households"),
    FieldDef(
        "local_sourcing_share", "本地采购比例", "float", minimum=0, maximum=1, description="share sourced locally, 0-1"
    ),
)
LOAN_FIELDS: tuple[FieldDef, ...] = (
    FieldDef(
        "requested_amount",
        "申请金额",
        "float",
        minimum=0,
        minimum_exclusive=True,
        maximum=MAX_YUAN,
        description="amount requested, yuan (the product limit is policy)",
        money=True,
    ),  # fmt: skip
    FieldDef("term_months", "贷款期限", "int", minimum=1, maximum=120, description="term in months"),
    _enum("purpose", "贷款用途", PURPOSE, "purpose of the loan"),
)
ENTERPRISE_FIELDS: tuple[FieldDef, ...] = (
    *IDENTITY_FIELDS, *FINANCE_FIELDS, *COVER_FIELDS, *LINKAGE_FIELDS, *LOAN_FIELDS
)  # fmt: skip
ENTERPRISE_LABEL = LABEL_FIELD
FIELD_BY_NAME: Mapping[str, FieldDef] = MappingProxyType({f.name: f for f in (*ENTERPRISE_FIELDS, LABEL_FIELD)})
HEADER_ALIASES: Mapping[str, str] = header_aliases(FIELD_BY_NAME.values())
HEADER_KEYS: Mapping[str, str] = alias_keys(HEADER_ALIASES)

_EXAMPLE: dict[str, Any] = {
    "application_id": "E-140121-000001",
    "enterprise_id": "ENT-140121-0001",
    "credit_code": credit_code.make("93140121MA0K2X7B8"),
    "county_code": "140121",
    "entity_type": "cooperative",
    "industry": "breeding",
    "years_operating": 6,
    "application_date": dt.date(2024, 3, 1),
    "revenue": 8_600_000.0,
    "net_profit": 520_000.0,
    "ebit": 780_000.0,
    "total_assets": 12_400_000.0,
    "current_assets": 4_100_000.0,
    "current_liabilities": 2_900_000.0,
    "total_liabilities": 6_200_000.0,
    "retained_earnings": 1_300_000.0,
    "owner_equity": 6_200_000.0,
    "operating_cash_flow": 910_000.0,
    "existing_bank_debt": 3_000_000.0,
    "prior_overdue_times": 0,
    "credit_record": "normal",
    "collateral_type": "land_rights",
    "collateral_value": 3_500_000.0,
    "guarantor": "government",
    "insured": True,
    "households_driven": 120,
    "linkage_mode": "employment",
    "poor_employees": 140,
    "local_sourcing_share": 0.75,
    "requested_amount": 2_000_000.0,
    "term_months": 24,
    "purpose": "working_capital",
}
"""The example application's values: a breeding cooperative of county 140121 employing 140 poor workers."""


def example_enterprise(**changes: Any) -> dict[str, Any]:
    """A complete, valid enterprise application in canonical codes (documentation, tests), with ``changes``."""
    return {**_EXAMPLE, **changes}
