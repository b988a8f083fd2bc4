"""The workspace's words, 中文 and English: every label is shown in both, the page's language first.

The language is Chinese unless ``?lang=en`` (or the ``ce_lang`` cookie it sets) asks for English.
"""

from __future__ import annotations

from fastapi import Request
from markupsafe import Markup, escape

LANG_COOKIE = "ce_lang"
LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    "app": ("风险补偿金工作台", "Fund workspace"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "api_key": ("API 密钥", "API key"),
    "sign_in_help": (
        "请使用风险补偿金管理员或审计员的 API 密钥登录",
        "Sign in with the API key of a fund administrator or an auditor",
    ),
    "actions": ("待办事项", "Action list"),
    "no_actions": ("没有需要处理的事项", "Nothing needs action"),
    "rule": ("规则", "Rule"),
    "figure": ("数据", "Figure"),
    "fund": ("基金", "Fund"),
    "county": ("县", "County"),
    "province": ("省", "Province"),
    "provinces": ("各省", "Provinces"),
    "counties": ("各县", "Counties"),
    "funds": ("基金", "Funds"),
    "loans": ("在贷贷款", "Open loans"),
    "loan": ("贷款", "Loan"),
    "bank": ("合作银行", "Bank"),
    "balance": ("基金余额(元)", "Fund balance (yuan)"),
    "covered": ("在保余额(元)", "Covered principal (yuan)"),
    "multiple": ("放大倍数", "Multiple"),
    "floor": ("下限", "Floor"),
    "cap": ("上限", "Cap"),
    "shortfall": ("距下限差额(元)", "Floor shortfall (yuan)"),
    "headroom": ("剩余额度(元)", "Headroom (yuan)"),
    "npl_ratio": ("不良率", "NPL ratio"),
    "status": ("状态", "Status"),
    "by_product": ("分产品在保余额", "Covered principal by product"),
    "product": ("产品", "Product"),
    "amount": ("金额(元)", "Amount (yuan)"),
    "compensation": ("代偿与追偿", "Compensation and recoveries"),
    "claimed": ("已申请代偿(元)", "Compensation claimed (yuan)"),
    "paid": ("已支付代偿(元)", "Compensation paid (yuan)"),
    "pending": ("待支付代偿(元)", "Compensation pending (yuan)"),
    "recovered": ("已追偿本金(元)", "Principal recovered (yuan)"),
    "recovered_to_fund": ("追偿返还基金(元)", "Recoveries returned to the fund (yuan)"),
    "written_off": ("已核销(元)", "Written off (yuan)"),
    "series": ("月末序列", "Month-end series"),
    "month_end": ("月末", "Month-end"),
    "history": ("事件记录", "Event history"),
    "event": ("事件", "Event"),
    "value_date": ("起息日", "Value date"),
    "recorded_at": ("记录时间", "Recorded at"),
    "recorded_by": ("记录人(密钥)", "Recorded by (key)"),
    "as_of": ("截至日期", "As of"),
    "known_at": ("截至记录时间", "As known at"),
    "show": ("查看", "Show"),
    "export": ("导出 XLSX", "Export XLSX"),
    "maturity": ("到期日", "Maturity"),
    "outstanding": ("未还本金(元)", "Outstanding (yuan)"),
    "overdue": ("逾期本金(元)", "Overdue principal (yuan)"),
    "overdue_since": ("逾期起始日", "Overdue since"),
    "state": ("贷款状态", "Loan state"),
    "state_current": ("正常", "current"),
    "state_overdue": ("逾期", "overdue"),
    "off_book": ("已结清或已代偿（不在银行账上）", "repaid or compensated (off the bank's book)"),
    "borrower": ("借款人(假名)", "Borrower (pseudonym)"),
    "stress": ("压力测试", "Stress test"),
    "stress_help": ("基金耗尽概率与安全倍数", "Probability of exhaustion and the safe multiple"),
    "p_exhaustion": ("耗尽概率", "P(exhaustion)"),
    "months": ("个月内", "months"),
    "safe_multiple": ("安全倍数", "Safe multiple"),
    "scenarios": ("情景数", "Scenarios"),
    "top_up": ("恢复目标所需补充(元)", "Top-up to meet the target (yuan)"),
    "insurance": ("保证保险", "Insurance cover"),
    "no_cover": ("无保险", "no cover"),
    "insurer": ("保险公司", "Insurer"),
    "cover_kind": ("保障方式", "Kind"),
    "kind_share": ("比例分担", "share of each loss"),
    "kind_first_loss": ("首损层", "first-loss layer"),
    "cover_share": ("保险分担比例", "Insurer's share"),
    "cover_layer": ("首损层(每保单年度)", "First-loss layer (a policy year)"),
    "of_insured": ("年初承保本金的", "of the insured principal on the policy year's first day"),
    "premium_rate": ("年保费率", "Premium rate (a year)"),
    "premium_subsidy": ("县财政保费补贴", "County subsidy of the premium"),
    "covered_products": ("承保产品", "Covered products"),
    "all_products": ("全部产品", "every product"),
    "cover_dates": ("保险期间", "In force"),
    "open_ended": ("长期有效", "open-ended"),
    "insured_principal": ("保险覆盖余额(元)", "Insured principal (yuan)"),
    "insurer_claimed": ("保险应赔(元)", "Insurer's part claimed (yuan)"),
    "insurer_paid": ("保险已赔付(元)", "Insurer payments (yuan)"),
    "with_cover": ("有保险", "with the cover"),
    "without_cover": ("无保险", "without the cover"),
    "full_results": ("完整结果", "Full results"),
    "not_found": ("未找到，或不在您的权限范围内", "Not found, or outside your key's scope"),
    "csrf": ("表单已失效，请刷新页面后重试", "The form has expired: reload the page and try again"),
    "bad_key": ("API 密钥无效或已撤销", "The API key is not valid or has been revoked"),
    "keys_unavailable": (
        "数据库暂时不可用，暂时无法核验 API 密钥，请稍后重试",
        "The API key cannot be checked right now (database unavailable); try again shortly",
    ),
    "bad_date": (
        "日期或时间格式有误（as_of: YYYY-MM-DD；known_at: ISO 8601）",
        "Invalid date or time (as_of: YYYY-MM-DD; known_at: ISO 8601)",
    ),
    "bad_input": ("输入有误", "Invalid input"),
    "error": ("错误", "Error"),
    "signed_in_as": ("已登录", "Signed in as"),
    "back": ("返回待办", "Back to the action list"),
}


def lang_of(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return asked if asked in LANGS else "zh"


def both(zh: str, en: str, lang: str) -> Markup:
    """Both texts, the page's language first, the other alongside (marked with its ``lang``)."""
    first, second = ((zh, "zh"), (en, "en")) if lang == "zh" else ((en, "en"), (zh, "zh"))
    return Markup('<span lang="{}">{}</span> <span class="alt" lang="{}">{}</span>').format(
        first[1], escape(first[0]), second[1], escape(second[0])
    )


def translator(lang: str):  # noqa: ANN201 - a function key -> Markup
    def t(key: str) -> Markup:
        zh, en = TEXT[key]
        return both(zh, en, lang)

    return t
