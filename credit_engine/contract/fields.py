"""The field table of the household application contract (DESIGN.md, "Data contract: the household application").

One :class:`FieldDef` per column: English snake_case name, the 中文 header accepted on import, the kind of value and
its sanity range. The ranges are *data sanity*, not product policy: a 48-month term or an 80,000 yuan request is a
valid application that the policy module declines with its own reason code, so the schema accepts it. Enumerations
keep their English codes in table order (the categories models see) with the 中文 label of each code; headers
from registry spreadsheets are mapped to field names through :data:`HEADER_ALIASES`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, get_args

from credit_engine.contract import idnumber
from credit_engine.errors import InvalidInput, RowError

Kind = Literal["str", "int", "float", "bool", "date", "enum", "id_number", "county_code"]
KINDS: tuple[str, ...] = get_args(Kind)


def checkers_by_kind(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """One checker per field kind, found in a module's ``namespace`` by its name ``_check_<kind>``: the one-value
    path (:mod:`.value`) and the column path (:mod:`.columns`) build their tables this way, so both cover every kind
    of :data:`KINDS` (a missing checker fails at import)."""
    missing = [kind for kind in KINDS if f"_check_{kind}" not in namespace]
    if missing:
        raise ImportError(f"no checker for the field kinds {missing}")
    return {kind: namespace[f"_check_{kind}"] for kind in KINDS}


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One contract column; ``choices`` maps each English code to its 中文 label, in table order.

    ``code`` makes a text field an identifier of that kind (:data:`credit_engine.identifiers.CODES`); ``money``
    makes a float field yuan: a number or plain decimal text (``123``, ``123.45``), at most 2 decimals.
    """

    name: str
    zh: str
    kind: Kind
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    choices: Mapping[str, str] | None = field(default=None, hash=False)
    description: str = ""
    minimum_exclusive: bool = False
    code: str | None = None
    money: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name!r}: unknown kind {self.kind!r}")
        if (self.kind == "enum") != bool(self.choices):
            raise ValueError(f"field {self.name!r}: enums, and only enums, have choices")
        if self.choices is not None:
            object.__setattr__(self, "choices", MappingProxyType(dict(self.choices)))

    @property
    def codes(self) -> tuple[str, ...]:
        """English codes of an enum, in table order (the categories of the canonical column)."""
        return tuple(self.choices or ())


MAX_YUAN = 10_000_000_000
"""The upper bound of every amount of the application (requested_amount has its own, lower one)."""


def _money(name: str, zh: str, description: str) -> FieldDef:
    return FieldDef(name, zh, "float", minimum=0, maximum=MAX_YUAN, description=f"{description}, yuan", money=True)


def _flag(name: str, zh: str, description: str) -> FieldDef:
    return FieldDef(name, zh, "bool", description=description)


def _enum(name: str, zh: str, choices: Mapping[str, str], description: str) -> FieldDef:
    return FieldDef(name, zh, "enum", choices=choices, description=description)


REGISTRY_STATUS = {"registered": "建档立卡", "exited": "已脱贫", "monitored": "监测户", "none": "非建档立卡"}
GENDER = {"M": "男", "F": "女"}
EDUCATION = {"none": "文盲半文盲", "primary": "小学", "junior": "初中", "senior": "高中中专", "college": "大专及以上"}
HEALTH = {"healthy": "健康", "chronic": "长期慢性病", "serious": "大病", "disabled": "残疾"}
POVERTY_CAUSE = {
    "illness": "因病",
    "disability": "因残",
    "schooling": "因学",
    "disaster": "因灾",
    "marriage": "因婚",
    "land": "缺土地",
    "water": "缺水",
    "skills": "缺技术",
    "capital": "缺资金",
    "labour": "缺劳力",
    "transport": "交通条件落后",
    "motivation": "自身发展动力不足",
    "other": "其他",
}
VILLAGE_EVALUATION = {"excellent": "优秀", "good": "较好", "fair": "一般", "poor": "差"}
CREDIT_RECORD = {"none": "无记录", "normal": "正常", "watch": "关注", "adverse": "不良"}
PURPOSE = {
    "crops": "种植",
    "livestock": "养殖",
    "processing": "加工",
    "trade": "商贸",
    "tourism": "乡村旅游",
    "ecommerce": "电商",
    "forestry": "林果",
    "housing": "建房",
    "wedding": "婚嫁",
    "consumption": "消费",
    "other": "其他",
}

APPLICATION_FIELDS: tuple[FieldDef, ...] = (
    FieldDef(
        "application_id", "申请编号", "str", required=False, description="application reference", code="application_id"
    ),
    FieldDef("household_id", "户编号", "str", description="household number in the registry", code="household_id"),
    FieldDef("head_id_number", "户主身份证号", "id_number", description="head's resident ID (GB 11643)"),
    FieldDef("county_code", "县代码", "county_code", description="county code (GB/T 2260)"),
    FieldDef(
        "village_code", "村代码", "str", description="village code: the county code and 6 digits", code="village_code"
    ),
    _enum("registry_status", "建档立卡状态", REGISTRY_STATUS, "poverty registry status"),
    FieldDef("head_age", "户主年龄", "int", minimum=0, maximum=120, description="head's age; agrees with the ID"),
    _enum("head_gender", "户主性别", GENDER, "head's gender; agrees with the ID"),
    _enum("head_education", "文化程度", EDUCATION, "head's education"),
    _enum("head_health", "健康状况", HEALTH, "head's health"),
    FieldDef("household_size", "家庭人口", "int", minimum=1, maximum=20, description="members of the household"),
    FieldDef("labor_count", "劳动力人数", "int", minimum=0, maximum=20, description="able to work, ≤ household_size"),
    FieldDef("migrant_workers", "外出务工人数", "int", minimum=0, maximum=20, description="migrant workers, ≤ labor"),
    _enum("poverty_cause", "主要致贫原因", POVERTY_CAUSE, "main cause of poverty"),
    _money("annual_net_income", "家庭年纯收入", "household net income per year"),
    _money("transfer_income", "转移性收入", "transfers per year (subsidies, 低保)"),
    _money("total_assets", "家庭资产总值", "total assets"),
    _money("total_liabilities", "负债总额", "total liabilities, bank and informal"),
    FieldDef("arable_land_mu", "耕地面积(亩)", "float", minimum=0, description="arable land, mu"),
    FieldDef("livestock_units", "牲畜存栏", "float", minimum=0, description="livestock units"),
    _flag("housing_safe", "住房安全", "housing is safe"),
    _flag("medical_insurance", "参加医保", "enrolled in medical insurance"),
    _flag("loan_insurance", "投保信贷保证保险", "loan guarantee insurance bought"),
    _flag("cooperative_member", "加入合作社", "member of a cooperative"),
    _money("coop_share_capital", "信用社股金", "credit-cooperative share capital"),
    _money("ecommerce_sales", "电商销售额", "e-commerce sales per year"),
    _enum("village_evaluation", "村评议", VILLAGE_EVALUATION, "village character evaluation"),
    FieldDef("neighbor_relations", "邻里关系", "int", minimum=1, maximum=5, description="neighbour relations, 1-5"),
    _enum("credit_record", "征信记录", CREDIT_RECORD, "credit bureau record"),
    FieldDef("prior_loans", "历史贷款笔数", "int", minimum=0, maximum=1_000, description="loans taken before, 0-1,000"),
    FieldDef("prior_overdue_times", "历史逾期次数", "int", minimum=0, maximum=12_000, description="≤ prior_loans × 12"),
    FieldDef(
        "requested_amount",
        "申请金额",
        "float",
        minimum=0,
        minimum_exclusive=True,
        maximum=30_000_000,
        description="amount requested, yuan (product limits are policy)",
        money=True,
    ),
    FieldDef("term_months", "贷款期限", "int", minimum=1, maximum=120, description="term in months"),
    _enum("purpose", "贷款用途", PURPOSE, "purpose of the loan"),
    FieldDef("application_date", "申请日期", "date", description="date of application, not after today"),
    _flag("village_road_hardened", "通硬化路", "village has a hardened road"),
    _flag("village_broadband", "通宽带", "village has broadband"),
    FieldDef("village_migration_rate", "村劳动力外出比例", "float", minimum=0, maximum=1, description="share, 0-1"),
)

LABEL_FIELD = FieldDef(
    "defaulted", "是否违约", "int", minimum=0, maximum=1, description="1 if 90+ days overdue within 12 months"
)

FIELD_BY_NAME: Mapping[str, FieldDef] = MappingProxyType({f.name: f for f in (*APPLICATION_FIELDS, LABEL_FIELD)})

_FULL_WIDTH = str.maketrans({"（": "(", "）": ")"})
_BLANKS = re.compile(r"\s+")


def _header_key(header: Any) -> str:
    """Blanks removed, full-width parentheses made ASCII, ASCII letters lower-cased."""
    return _BLANKS.sub("", str(header)).translate(_FULL_WIDTH).lower()


def header_aliases(fields: Iterable[FieldDef]) -> Mapping[str, str]:
    """Every header accepted for a field table: each field's English name and 中文 header (also with full-width
    brackets), mapped to the field's name — one function for every contract (households, enterprises)."""
    fields = list(fields)
    return MappingProxyType(
        {
            **{f.name: f.name for f in fields},
            **{f.zh: f.name for f in fields},
            **{f.zh.translate({ord("("): "（", ord(")"): "）"}): f.name for f in fields},
        }
    )


def alias_keys(aliases: Mapping[str, str]) -> Mapping[str, str]:
    """The aliases keyed as headers are compared (blanks removed, brackets ASCII, lower case)."""
    return MappingProxyType({_header_key(alias): name for alias, name in aliases.items()})


HEADER_ALIASES: Mapping[str, str] = header_aliases(FIELD_BY_NAME.values())
HEADER_KEYS: Mapping[str, str] = alias_keys(HEADER_ALIASES)


def field_for_header(header: Any, keys: Mapping[str, str] = HEADER_KEYS) -> str | None:
    """The field a spreadsheet header names (English or 中文, blanks and full-width brackets tolerated), or None;
    ``keys`` (:func:`alias_keys`) of another contract's table for its headers."""
    return keys.get(_header_key(header))


def normalise_headers(headers: Iterable[Any], keys: Mapping[str, str] = HEADER_KEYS) -> list[Any]:
    """Contract headers renamed to their English field names; other headers kept as they are.

    Raises :class:`InvalidInput` (rule ``duplicate_column``, row 1: the header line) when two headers name the same
    field, e.g. both ``户主年龄`` and ``head_age``. ``keys`` as for :func:`field_for_header`.
    """
    headers = list(headers)
    renamed = [field_for_header(h, keys) or h for h in headers]
    seen: dict[Any, Any] = {}
    errors = []
    for original, name in zip(headers, renamed, strict=True):
        if name in seen:
            errors.append(
                RowError(
                    1,
                    str(name),
                    "duplicate_column",
                    f"two columns name this field: {seen[name]!r} and {original!r} / 两列对应同一字段",
                    str(original),
                )
            )
        else:
            seen[name] = original
    if errors:
        raise InvalidInput(errors, "duplicate columns in the header / 表头有重复列")
    return renamed


def label_zh(field_name: str, code: Any) -> str:
    """中文 label of an enum code (``label_zh("head_gender", "M") == "男"``) or of a yes/no value (是/否)."""
    definition = FIELD_BY_NAME[field_name]
    if definition.kind == "bool":
        return "是" if bool(code) else "否"
    if definition.choices is None or code not in definition.choices:
        raise KeyError(f"{field_name}: {code!r} is not one of {', '.join(definition.codes) or 'its values'}")
    return definition.choices[code]


_EXAMPLE: dict[str, Any] = {
    "application_id": "A-140121-000001",
    "household_id": "H140121-01023",
    "head_id_number": idnumber.make("140121", dt.date(1980, 5, 17), 123),
    "county_code": "140121",
    "village_code": "140121101001",
    "registry_status": "registered",
    "head_age": 43,
    "head_gender": "M",
    "head_education": "junior",
    "head_health": "healthy",
    "household_size": 4,
    "labor_count": 2,
    "migrant_workers": 1,
    "poverty_cause": "illness",
    "annual_net_income": 28_000.0,
    "transfer_income": 2_400.0,
    "total_assets": 85_000.0,
    "total_liabilities": 6_000.0,
    "arable_land_mu": 5.5,
    "livestock_units": 3.0,
    "housing_safe": True,
    "medical_insurance": True,
    "loan_insurance": False,
    "cooperative_member": True,
    "coop_share_capital": 1_000.0,
    "ecommerce_sales": 0.0,
    "village_evaluation": "good",
    "neighbor_relations": 4,
    "credit_record": "normal",
    "prior_loans": 1,
    "prior_overdue_times": 0,
    "requested_amount": 30_000.0,
    "term_months": 24,
    "purpose": "livestock",
    "application_date": dt.date(2024, 3, 1),
    "village_road_hardened": True,
    "village_broadband": False,
    "village_migration_rate": 0.35,
}
"""The example application's values: one registered household of county 140121."""


def example_application(**changes: Any) -> dict[str, Any]:
    """A complete, valid application in canonical codes (documentation, API examples, tests), with ``changes``; a
    changed ``county_code`` brings a village of that county unless ``village_code`` is given too."""
    example = dict(_EXAMPLE)
    county = str(changes.get("county_code", ""))
    if len(county) == 6 and county.isdigit() and "village_code" not in changes:  # a village of that county
        example["village_code"] = f"{county}101001"
    return {**example, **changes}
