"""The 中文 name of every field a request, a file or a query carries, so an error can name it in both languages.

The household contract's fields take their Chinese header (户主年龄 for ``head_age``), the bank event file's columns
their first Chinese header (金额(元) for ``amount_yuan``), and the fund's terms and request parameters the names
below. :func:`field_zh` answers for a dotted location too (``rows.3.head_age``: its last part that is a name).
"""

from __future__ import annotations

from credit_engine.contract.fields import FIELD_BY_NAME
from credit_engine.ledger.eventfile import COLUMNS

_OTHERS = {
    "bank_code": "银行代码",
    "county_code": "县代码",
    "fund_id": "基金编号",
    "amount_yuan": "金额(元)",
    "floor_multiple": "放大倍数下限",
    "cap_multiple": "放大倍数上限",
    "no_cap": "不设上限",
    "fund_share": "代偿比例",
    "trigger_days": "代偿触发逾期天数",
    "payment_deadline_days": "代偿支付期限(天)",
    "npl_suspension": "暂停放款不良率",
    "household_min_share": "农户贷款最低占比",
    "subsidy_rate": "贴息比例",
    "lending_suspended": "暂停放款",
    "effective_from": "生效日期",
    "assessment_id": "评估编号",
    "idempotency_key": "幂等键",
    "Idempotency-Key": "幂等键",
    "as_of": "截至日期",
    "known_at": "已知时点",
    "county": "县代码",
    "province": "省代码",
    "format": "格式",
    "from": "起始日期",
    "to": "截止日期",
    "file": "文件",
    "recorded_by": "记账人",
}
FIELD_ZH: dict[str, str] = {
    **{name: aliases[0] for name, aliases in COLUMNS.items()},
    **_OTHERS,
    **{name: definition.zh for name, definition in FIELD_BY_NAME.items()},
}


def field_zh(location: str) -> str | None:
    """The 中文 name of a field or of the last named part of a dotted location, or None when it has none."""
    for part in reversed(location.split(".")):
        if part in FIELD_ZH:
            return FIELD_ZH[part]
    return None
