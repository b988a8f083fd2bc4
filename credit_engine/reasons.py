"""One table of business reasons, in 中文 and English, that every decision speaks through.

Model factors (``R`` codes) come from the features that pushed a household's risk up, grouped so that several
income features read as one reason a village officer understands. Knock-out rules have ``K`` codes, decision-level
findings ``D`` codes. Features of a custom spec that the table does not know fall back to ``R99`` (other factors).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    text_zh: str
    text_en: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "text_zh": self.text_zh, "text_en": self.text_en}


_ALL = (
    Reason("R01", "家庭收入偏低", "low household income"),
    Reason("R02", "负债相对资产偏高", "high debts relative to assets"),
    Reason("R03", "家庭资产偏少", "few household assets"),
    Reason("R04", "家庭劳动力不足", "few able-bodied workers in the household"),
    Reason("R05", "户主健康状况较差或缺少医保", "head of household in poor health or without medical insurance"),
    Reason("R06", "有历史逾期还款记录", "past overdue repayments"),
    Reason("R07", "征信记录欠佳", "weak credit bureau record"),
    Reason("R08", "村评议或邻里评价较低", "low village evaluation or neighbour relations"),
    Reason("R09", "申请金额相对收入偏高", "amount requested is high relative to income"),
    Reason("R10", "户主年龄因素", "age of the head of household"),
    Reason("R11", "户主文化程度较低", "low education of the head of household"),
    Reason("R12", "所在村基础条件薄弱", "weak village infrastructure or economy"),
    Reason("R13", "致贫原因风险较高", "higher-risk cause of poverty"),
    Reason("R14", "住房安全或保险保障不足", "unsafe housing or no loan insurance"),
    Reason("R15", "贷款用途风险较高", "riskier loan purpose"),
    Reason("R16", "经营销售渠道有限", "limited sales channels"),
    Reason("R27", "本县近期违约高于模型预测", "recent defaults in the county above the model's prediction"),
    Reason("R99", "其他因素", "other factors"),
    Reason("K01", "非建档立卡、脱贫或监测户", "not a registered, exited or monitored household"),
    Reason("K02", "户主年龄不在政策范围内", "head of household outside the eligible age range"),
    Reason("K03", "征信有不良记录", "adverse credit bureau record"),
    Reason("K04", "贷款用途不属于生产经营", "loan purpose is not productive"),
    Reason("K05", "申请金额超出产品限额", "amount outside the product's limits"),
    Reason("K06", "贷款期限超出产品限制", "term outside the product's limits"),
    Reason("D01", "违约概率高于审批上限", "probability of default above the approval limit"),
    Reason("D02", "违约概率处于人工复核区间", "probability of default in the manual review band"),
    Reason("D03", "还款能力不足以支持授信", "repayment capacity too low for a credit line"),
    Reason("D04", "评级对应授信额度为零", "the grade carries no credit line"),
)

_ENTERPRISE = (  # 强农贷 (issue 13): enterprise model factors (R17-R26), loan-size limits (L01-L05)
    Reason("R17", "资产负债率偏高", "high leverage (liabilities to assets)"),
    Reason("R18", "短期偿债能力偏弱", "weak liquidity (current assets to current liabilities)"),
    Reason("R19", "盈利能力偏弱", "weak profitability"),
    Reason("R20", "经营现金流对债务覆盖不足", "operating cash flow covers little of the debt"),
    Reason("R21", "申请金额相对营业收入偏高", "amount requested is high relative to revenue"),
    Reason("R22", "综合财务状况偏弱 (Altman Z'')", "weak overall financial position (Altman Z'')"),
    Reason("R23", "经营年限较短", "few years in operation"),
    Reason("R24", "主体类型或行业风险较高", "riskier kind of applicant or industry"),
    Reason("R25", "抵押、担保或农业保险保障不足", "little collateral, guarantee or farm insurance"),
    Reason("R26", "带贫联结较弱", "weak links to the poor households driven"),
    Reason("K11", "征信有不良记录", "adverse credit bureau record"),
    Reason("K12", "历史逾期次数超出政策上限", "more overdues on record than the policy allows"),
    Reason("K13", "带动建档立卡户数低于政策下限", "fewer registered poor households driven than the policy minimum"),
    Reason("K14", "净资产不为正", "net assets (owner equity) not above zero"),
    Reason("K15", "经营年限低于政策下限", "fewer years in operation than the policy minimum"),
    Reason("K16", "申请金额低于强农贷最低金额", "amount below the 强农贷 minimum"),
    Reason("K17", "贷款期限超出强农贷产品限制", "term outside the 强农贷 product's limits"),
    Reason("D05", "可贷金额低于产品最低金额", "the loan size comes out below the product's minimum"),
    Reason("L01", "评级对应的风险限额低于申请金额", "the grade's risk-based limit is below the amount requested"),
    Reason("L02", "经营现金流不足以偿还申请金额", "operating cash flow cannot service the amount requested"),
    Reason("L03", "带动建档立卡户数少于申请金额所需", "fewer households driven than the amount needs"),
    Reason("L04", "抵押物不足以覆盖申请金额", "collateral does not cover the amount requested"),
    Reason("L05", "申请金额超出强农贷产品限额", "amount above the 强农贷 product limit"),
)

REASONS: Mapping[str, Reason] = MappingProxyType({r.code: r for r in (*_ALL, *_ENTERPRISE)})

_FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "R01": ("annual_net_income", "income_per_capita", "transfer_income"),
    "R02": ("total_liabilities", "debt_to_assets"),
    "R03": ("total_assets", "arable_land_mu", "livestock_units", "coop_share_capital"),
    "R04": ("labor_count", "labor_share", "household_size", "migrant_workers"),
    "R05": ("head_health", "medical_insurance"),
    "R06": ("prior_overdue_times", "overdue_rate", "prior_loans"),
    "R07": ("credit_record",),
    "R08": ("village_evaluation", "neighbor_relations", "cooperative_member"),
    "R09": ("requested_amount", "loan_to_income", "term_months"),
    "R10": ("head_age",),
    "R11": ("head_education",),
    "R12": ("village_road_hardened", "village_broadband", "village_migration_rate", "county_code"),
    "R13": ("poverty_cause", "registry_status", "head_gender"),
    "R14": ("housing_safe", "loan_insurance"),
    "R15": ("purpose",),
    "R16": ("ecommerce_sales",),
    "R17": ("leverage",),
    "R18": ("current_ratio",),
    "R19": ("roa", "net_profit"),
    "R20": ("cash_flow_cover", "operating_cash_flow"),
    "R21": ("loan_to_revenue",),
    "R22": ("altman_z",),
    "R23": ("years_operating",),
    "R24": ("entity_type", "industry"),
    "R25": ("collateral_type", "guarantor", "insured"),
    "R26": ("linkage_mode", "households_driven", "local_sourcing_share", "poor_employees"),
}

FEATURE_REASONS: Mapping[str, str] = MappingProxyType(
    {feature: code for code, features in _FEATURE_GROUPS.items() for feature in features}
)

FALLBACK_CODE = "R99"
MAX_REASONS = 4


def reason_for_feature(feature: str) -> str:
    """The business reason code a feature speaks through (``R99`` for features the table does not know)."""
    return FEATURE_REASONS.get(feature, FALLBACK_CODE)


def reason(code: str) -> Reason:
    """The reason with this code; ``KeyError`` names an unknown code."""
    try:
        return REASONS[code]
    except KeyError:
        raise KeyError(f"unknown reason code {code!r}") from None
