"""The stress test laid out for people and programs: sheets with bilingual columns, and the JSON document.

Sheets reuse the reports' :class:`~credit_engine.reports.layout.Column` kinds (``fen`` shown in yuan, ``ratio`` as a
percentage, ``multiple`` with ×), so the workbook and the page render them with the reports' own helpers. The JSON
keeps numbers as numbers, money as ``*_yuan`` (exact from fen), probabilities as fractions.
"""

from __future__ import annotations

from credit_engine.reports.layout import Column, Sheet, yuan
from credit_engine.stress.figures import BALANCE_QUANTILES, CaseFigures, FundStress
from credit_engine.stress.service import StressResult

C = Column
FUND = (C("fund_id", "基金编号", "Fund"), C("county_name", "县", "County"), C("bank_code", "合作银行", "Bank"))
SUMMARY = (
    *FUND,
    C("balance_fen", "基金余额(元)", "Fund balance (yuan)", "fen"),
    C("covered_fen", "覆盖贷款余额(元)", "Covered principal (yuan)", "fen"),
    C("multiple", "当前放大倍数", "Current multiple", "multiple"),
    C("loans", "贷款笔数", "Loans", "int"),
    C("loans_with_model_pd", "有模型PD笔数", "Loans with a model PD", "int"),
    C("p_exhaustion_12m", "12个月耗尽概率", "P(exhausted) 12 months", "ratio"),
    C("p_exhaustion_24m", "24个月耗尽概率", "P(exhausted) 24 months", "ratio"),
    C("p_exhaustion_36m", "36个月耗尽概率", "P(exhausted) 36 months", "ratio"),
    C("p_suspension", "暂停放款概率", "P(suspension)", "ratio"),
    C("expected_shortfall_99_fen", "99%预期短缺ES(元)", "Expected shortfall 99% (yuan)", "fen"),
    C("safe_multiple", "安全放大倍数", "Safe multiple", "multiple"),
    C("top_up_fen", "需补充资金(元)", "Top-up to meet target (yuan)", "fen"),
    C("insurer", "保证保险", "Insurance cover"),
    C("p_exhaustion_horizon", "期内耗尽概率(含保险)", "P(exhausted) within horizon, with cover", "ratio"),
    C(
        "p_exhaustion_horizon_without_cover",
        "期内耗尽概率(无保险)",
        "P(exhausted) within horizon, without cover",
        "ratio",
    ),
)
BY_LEVERAGE = (
    *FUND,
    C("case", "情形", "Case"),
    C("multiple", "放大倍数", "Multiple", "multiple"),
    C("p_exhaustion_12m", "12个月耗尽概率", "P(exhausted) 12 months", "ratio"),
    C("p_exhaustion_24m", "24个月耗尽概率", "P(exhausted) 24 months", "ratio"),
    C("p_exhaustion_36m", "36个月耗尽概率", "P(exhausted) 36 months", "ratio"),
    C("p_exhaustion_horizon", "期内耗尽概率", "P(exhausted) within horizon", "ratio"),
    C(
        "p_exhaustion_horizon_without_cover",
        "期内耗尽概率(无保险)",
        "P(exhausted) within horizon, without cover",
        "ratio",
    ),
    C("p_suspension", "暂停放款概率", "P(suspension)", "ratio"),
    *(
        C(
            f"balance_p{round(q * 100):02d}_fen",
            f"期末余额P{round(q * 100)}(元)",
            f"End balance P{round(q * 100)} (yuan)",
            "fen",
        )
        for q in BALANCE_QUANTILES
    ),
    C("expected_net_loss_fen", "预期净代偿(元)", "Expected net compensation (yuan)", "fen"),
    C("expected_shortfall_99_fen", "99%预期短缺ES(元)", "Expected shortfall 99% (yuan)", "fen"),
    C("expected_unpaid_fen", "预期未付代偿(元)", "Expected unpaid claims (yuan)", "fen"),
)


def county_name(code: str) -> str:
    from credit_engine.regions import county_by_code

    try:
        county = county_by_code(code)
    except KeyError:
        return code
    return f"{county.name_zh} {county.name_en}"


def case_row(case: CaseFigures) -> dict[str, object]:
    """One case's figures with plain keys (``*_fen`` amounts)."""
    row: dict[str, object] = {
        "case": "当前 current" if case.leverage is None else f"测试 tested {case.leverage:g}×",
        "leverage": case.leverage,
        "multiple": case.multiple,
        **{f"p_exhaustion_{m}m": p for m, p in case.exhaustion_by_month.items()},
        "p_exhaustion_horizon": case.exhaustion_within_horizon,
        "p_suspension": case.suspension,
        **{f"balance_p{round(q * 100):02d}_fen": v for q, v in case.balance_quantiles_fen.items()},
        "expected_net_loss_fen": case.expected_net_loss_fen,
        "expected_shortfall_99_fen": case.expected_shortfall_99_fen,
        "expected_unpaid_fen": case.expected_unpaid_fen,
    }
    return row


def _without_cover(fund: FundStress, index: int) -> float:
    """P(exhaustion within the horizon) of case ``index`` without the fund's cover (the same figure without one)."""
    cases = fund.uninsured or fund.cases
    return cases[index].exhaustion_within_horizon


def fund_row(fund: FundStress) -> dict[str, object]:
    current = case_row(fund.current)
    return {
        "fund_id": fund.fund_id,
        "county_code": fund.county_code,
        "county_name": county_name(fund.county_code),
        "bank_code": fund.bank_code,
        "balance_fen": fund.balance_fen,
        "covered_fen": fund.covered_fen,
        "multiple": fund.current.multiple,
        "loans": fund.loans,
        "loans_with_model_pd": fund.loans_with_model_pd,
        **{k: v for k, v in current.items() if k.startswith("p_") or k == "expected_shortfall_99_fen"},
        "safe_multiple": fund.safe_multiple,
        "top_up_fen": fund.top_up_fen,
        "insurer": fund.insurer or "",
        "p_exhaustion_horizon_without_cover": _without_cover(fund, 0),
    }


def sheets(result: StressResult) -> list[Sheet]:
    summary = [fund_row(f) for f in result.funds]
    cases = [
        {**fund_row(f), **case_row(case), "p_exhaustion_horizon_without_cover": _without_cover(f, i)}
        for f in result.funds
        for i, case in enumerate(f.cases)
    ]
    return [
        Sheet("stress", "压力测试汇总", "Stress test summary", SUMMARY, summary),
        Sheet("by_leverage", "各放大倍数结果", "Results by multiple", BY_LEVERAGE, cases),
    ]


def _yuan(row: dict[str, object]) -> dict[str, object]:
    return {
        (k.removesuffix("_fen") + "_yuan" if k.endswith("_fen") else k): (
            float(yuan(int(v))) if k.endswith("_fen") and v is not None else v  # type: ignore[call-overload]
        )
        for k, v in row.items()
    }


def settings_of(result: StressResult) -> dict[str, object]:
    s, o = result.scenario, result.options
    return {
        "scenario_version": s.version,
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "horizon_months": o.horizon_months,
        "scenarios": o.scenarios,
        "seed": o.seed,
        "leverages": list(o.leverages),
        "target_exhaustion_probability": s.target_exhaustion_probability,
        "province_factor_share": s.province_factor_share,
        "fund_interest_rate": s.fund_interest_rate,
        "recovery_rate": s.recovery_rate,
        "recovery_lag_months": s.recovery_lag_months,
    }


def document(result: StressResult) -> dict[str, object]:
    """The JSON document: settings, PD sources, one entry per fund with its current and tested cases."""
    funds = []
    for fund in result.funds:
        entry = _yuan(fund_row(fund))
        entry["current"] = _yuan(case_row(fund.current)) | {"exhaustion_curve": list(fund.current.exhaustion_curve)}
        entry["tested"] = [_yuan(case_row(c)) for c in fund.tested]
        if fund.uninsured:  # the same cases without the insurance cover, side by side
            entry["without_cover"] = [_yuan(case_row(c)) for c in fund.uninsured]
        funds.append(entry)
    return {
        **settings_of(result),
        "loans": result.loans,
        "loans_with_model_pd": result.loans_with_model_pd,
        "loans_with_product_pd": result.loans - result.loans_with_model_pd,
        "funds": funds,
    }
