"""The monitoring run laid out for people and programs: one sheet per section with bilingual columns, and the JSON
document.

Sheets reuse the reports' :class:`~credit_engine.reports.layout.Column` kinds (``ratio`` as a percentage, ``int``
with separators), so the workbook and the page render them with the reports' helpers. A status is shown as its
bilingual label (正常 green, 关注 watch, 处置 act, …); an empty section shows one row saying why it is empty.
"""

from __future__ import annotations

from typing import Any

from credit_engine.contract.fields import FIELD_BY_NAME
from credit_engine.monitoring.fairness import DIMENSIONS
from credit_engine.monitoring.policy import STATUS_LABELS
from credit_engine.monitoring.service import MonitoringResult
from credit_engine.monitoring.stability import ALL
from credit_engine.reports.layout import Column, Sheet

C = Column
STATUS = C("status", "状态", "Status")
CALIBRATION = (
    C("loans", "贷款笔数", "Loans", "int"),
    C("bads", "坏样本数", "Bads", "int"),
    C("predicted_pd", "预测违约率", "Predicted PD", "ratio"),
    C("realised_rate", "实际违约率", "Realised default rate", "ratio"),
    C("interval_low", "置信区间下限", "Interval low", "ratio"),
    C("interval_high", "置信区间上限", "Interval high", "ratio"),
    C("gap", "偏差(实际−预测)", "Gap (realised − predicted)", "ratio"),
    STATUS,
)
SECTIONS: dict[str, tuple[str, str, tuple[Column, ...]]] = {
    "stability": ("稳定性 PSI与CSI", "Stability: PSI of the PD, CSI of each feature", (
        C("cohort", "申请月队列", "Cohort (application month)"), C("variable", "变量", "Variable"),
        C("index", "指标", "Index"), C("rows", "评估数", "Assessments", "int"), C("value", "指数值", "Value"), STATUS,
    )),
    "by_county": ("分县稳定性", "Stability by county: PSI of the PD; CSI of features at watch or act, else the "
                  "one that moved most; against the county's own reference", (
        C("county", "县", "County"), C("variable", "变量", "Variable"), C("index", "指标", "Index"),
        C("rows", "评估数", "Assessments", "int"), C("reference_rows", "参照样本数", "Reference rows", "int"),
        C("value", "指数值", "Value"), C("sampling_psi", "抽样噪声", "Sampling alone"), STATUS,
    )),
    "pd_bins": ("PD分箱分布", "PD bins: reference vs monitored", (
        C("bin", "PD区间", "PD bin"), C("reference_share", "训练占比", "Reference share", "ratio"),
        C("actual_share", "监控占比", "Monitored share", "ratio"),
    )),
    "discrimination": ("区分能力", "Discrimination on matured loans", (
        C("metric", "指标", "Metric"), C("value", "值", "Value"), C("loans", "贷款笔数", "Loans", "int"),
        C("bads", "坏样本数", "Bads", "int"), STATUS,
    )),
    "by_grade": ("按等级校准", "Predicted vs realised by grade", (C("grade", "等级", "Grade"), *CALIBRATION)),
    "by_vintage": (
        "按放款月校准", "Predicted vs realised by vintage", (C("vintage", "放款月", "Vintage"), *CALIBRATION)
    ),
    "early_reads": ("早期表现(逾期30+)", "Early reads: 30+ DPD by months on book", (
        C("vintage", "放款月", "Vintage"), C("mob", "账龄(月)", "Months on book", "int"),
        C("loans", "贷款笔数", "Loans", "int"), C("reached", "已达账龄", "Reached MOB", "int"),
        C("late", "逾期30+笔数", "30+ DPD", "int"), C("late_rate", "逾期30+比例", "30+ DPD rate", "ratio"),
        C("interval_low", "置信区间下限", "Interval low", "ratio"),
        C("interval_high", "置信区间上限", "Interval high", "ratio"),
        C("predicted_pd", "预测违约率", "Predicted PD", "ratio"), STATUS,
    )),
    "fairness": ("公平性", "Fairness by county, gender and age band", ()),
    "decisions": ("决策结构", "Decision mix by cohort", (
        C("cohort", "申请月队列", "Cohort"), C("assessments", "评估数", "Assessments", "int"),
        C("approve_share", "批准占比", "Approved", "ratio"), C("refer_share", "转人工占比", "Referred", "ratio"),
        C("decline_share", "拒绝占比", "Declined", "ratio"),
        C("knocked_out_share", "准入否决占比", "Knocked out", "ratio"),
        C("fund_referrals", "因基金额度转人工", "Referred by the fund's headroom", "int"),
        C("fund_referral_share", "因基金额度转人工占比", "Share referred by the fund", "ratio"), STATUS,
    )),
    "reasons": ("否决规则与基金原因", "Knock-outs by rule, fund reasons", (
        C("kind", "类别", "Kind"), C("code", "代码", "Code"), C("count", "笔数", "Count", "int"),
        C("share", "占评估比例", "Share of assessments", "ratio"), STATUS,
    )),
}  # fmt: skip
STATUS_KEYS = ("status", "ratio_status", "calibration_status")
VARIABLE_LABELS = {
    "pd": "违约概率 PD",
    "income_per_capita": "人均纯收入 income_per_capita",
    "debt_to_assets": "资产负债率 debt_to_assets",
    "loan_to_income": "贷款收入比 loan_to_income",
    "labor_share": "劳动力占比 labor_share",
    "overdue_rate": "逾期率 overdue_rate",
}


def fairness_columns(grades: tuple[str, ...]) -> tuple[Column, ...]:
    return (
        C("dimension", "维度", "Dimension"), C("group", "组别", "Group"),
        C("assessments", "评估数", "Assessments", "int"), C("approvals", "批准数", "Approvals", "int"),
        C("approval_rate", "批准率", "Approval rate", "ratio"),
        C("approval_ratio", "批准率/最高组", "Ratio to the highest", "ratio"),
        C("ratio_status", "批准率状态", "Ratio status"), C("mean_pd", "平均PD", "Mean PD", "ratio"),
        C("matured_loans", "已成熟贷款", "Matured loans", "int"),
        C("realised_rate", "实际违约率", "Realised default rate", "ratio"),
        C("calibration_gap", "校准偏差", "Calibration gap", "ratio"),
        C("calibration_status", "校准状态", "Calibration status"),
        *(C(f"grade_{g}", f"{g}级占比", f"Grade {g}", "ratio") for g in grades),
    )  # fmt: skip


def county_label(code: str) -> str:
    """``140122 阳曲县 Yangqu`` for a programme county, the code alone otherwise."""
    from credit_engine.regions import county_by_code

    try:
        county = county_by_code(code)
    except KeyError:
        return code
    return f"{code} {county.name_zh} {county.name_en}"


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    shown = dict(row)
    for key in STATUS_KEYS:
        if key in shown:
            shown[key] = STATUS_LABELS.get(shown[key], "仅供参考 info")
    if "variable" in shown:
        field = FIELD_BY_NAME.get(shown["variable"])
        shown["variable"] = (
            f"{field.zh} {field.name}" if field else VARIABLE_LABELS.get(shown["variable"], shown["variable"])
        )
    if shown.get("cohort") == ALL:
        shown["cohort"] = "全部 all"
    if "county" in shown:
        shown["county"] = county_label(str(shown["county"]))
    if shown.get("dimension") == "county_code":
        shown["group"] = county_label(str(shown["group"]))
    if "dimension" in shown:
        shown["dimension"] = " ".join(DIMENSIONS.get(shown["dimension"], (shown["dimension"],)))
    return shown


def sheets(result: MonitoringResult, grades: tuple[str, ...]) -> list[Sheet]:
    """One sheet per section, in order; an empty one holds a single row with the reason in its first column."""
    found = []
    for key, (zh, en, columns) in SECTIONS.items():
        columns = columns or fairness_columns(grades)
        rows = [_shown(row) for row in result.sections.get(key, [])]
        if not rows:
            rows = [{columns[0].key: result.notes.get(key, "无 / none")}]
        found.append(Sheet(key, zh, en, columns, rows))
    return found


def document(result: MonitoringResult) -> dict[str, Any]:
    """The run as plain JSON values: statuses as codes, rates as fractions."""
    return {
        "title": "模型监控 Model monitoring",
        "as_of": result.as_of.isoformat(),
        "since": result.since.isoformat() if result.since else None,
        "model": dict(result.model),
        "policy": {"version": result.policy.version, "fingerprint": result.policy.fingerprint()},
        "status": result.status,
        "exit_code": result.exit_code,
        "counts": result.counts,
        "sections": result.sections,
        "notes": result.notes,
    }
