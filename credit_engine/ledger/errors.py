"""Facts the ledger refuses: each error has a stable ``code`` (for files, APIs and tests) and a bilingual message.

Business refusals (a full fund, a suspended fund, a loan in the wrong state) are ``LedgerError`` subclasses; the
three ways a fund refuses a new loan (too little headroom, suspended, over its cap) are siblings under
:class:`LoanRefusedByFund`, so catching one never catches another by accident. Malformed commands raise the shared
:class:`credit_engine.errors.InvalidInput`. The API (``api/errors.py``) maps ``IdempotencyConflict`` to 422, the
fund's refusals to 409 (each with its own code) and unknown funds or loans to 404.
"""

from __future__ import annotations

from credit_engine.errors import BilingualError


def _yuan(amount_fen: int) -> str:
    """Fen as yuan in a message: thousands separated, two decimals."""
    return f"{amount_fen / 100:,.2f}"


class LedgerError(BilingualError):
    """A refused ledger operation: ``code`` is stable, ``message_en``/``message_zh`` say what and why."""

    code = "ledger_error"

    def __init__(self, message_en: str, message_zh: str, **facts: object) -> None:
        self.facts = facts
        super().__init__(message_en, message_zh)


class UnknownFund(LedgerError):
    code = "unknown_fund"

    def __init__(self, fund_id: str) -> None:
        super().__init__(f"fund {fund_id} does not exist", f"风险补偿金 {fund_id} 不存在", fund_id=fund_id)


class FundAlreadyExists(LedgerError):
    code = "fund_exists"

    def __init__(self, fund_id: str) -> None:
        super().__init__(f"fund {fund_id} already exists", f"风险补偿金 {fund_id} 已存在", fund_id=fund_id)


class UnknownLoan(LedgerError):
    code = "unknown_loan"

    def __init__(self, fund_id: str, loan_id: str) -> None:
        super().__init__(
            f"loan {loan_id} is not covered by fund {fund_id}",
            f"贷款 {loan_id} 不在风险补偿金 {fund_id} 名下",
            fund_id=fund_id,
            loan_id=loan_id,
        )


class UnknownEvent(LedgerError):
    code = "unknown_event"

    def __init__(self, fund_id: str, key: str) -> None:
        super().__init__(
            f"fund {fund_id} has no event {key}", f"风险补偿金 {fund_id} 没有事件 {key}", fund_id=fund_id, key=key
        )


class LoanStateError(LedgerError):
    """The event does not fit the loan's state (or amounts), e.g. repaying more than is outstanding."""

    code = "loan_state"


class ReversalRefused(LedgerError):
    """The transaction cannot be reversed (already reversed, a reversal itself, or not the loan's latest)."""

    code = "reversal_refused"


class ProductLimitExceeded(LedgerError):
    code = "product_limit"

    def __init__(self, product: str, amount_fen: int, limit_fen: int) -> None:
        super().__init__(
            f"{product} loan of {_yuan(amount_fen)} yuan exceeds the product limit of {_yuan(limit_fen)}",
            f"{product} 贷款金额 {_yuan(amount_fen)} 元超过产品上限 {_yuan(limit_fen)} 元",
            product=product,
            amount_fen=amount_fen,
            limit_fen=limit_fen,
        )


class LoanRefusedByFund(LedgerError):
    """The county's fund cannot cover a new loan: it has too little headroom under its cap
    (:class:`InsufficientFundHeadroom`), it is suspended (:class:`FundSuspended`), or it already stands over its cap
    (:class:`FundOverCap`). Each says which; none is a kind of another."""

    code = "loan_refused_by_fund"


class InsufficientFundHeadroom(LoanRefusedByFund):
    """A disbursement would take covered principal above cap multiple × fund balance."""

    code = "insufficient_headroom"

    def __init__(self, fund_id: str, amount_fen: int, headroom_fen: int) -> None:
        super().__init__(
            f"fund {fund_id} has {_yuan(headroom_fen)} yuan of headroom left, "
            f"the disbursement needs {_yuan(amount_fen)}",
            f"风险补偿金 {fund_id} 剩余放款额度 {_yuan(headroom_fen)} 元，不足本笔 {_yuan(amount_fen)} 元",
            fund_id=fund_id,
            amount_fen=amount_fen,
            headroom_fen=headroom_fen,
        )


class FundSuspended(LoanRefusedByFund):
    """New lending is suspended: NPL ratio above the threshold, or a suspension in the fund's policy."""

    code = "fund_suspended"

    def __init__(self, fund_id: str, reason_en: str, reason_zh: str) -> None:
        super().__init__(
            f"fund {fund_id} is suspended: {reason_en}",
            f"风险补偿金 {fund_id} 已暂停新增放款：{reason_zh}",
            fund_id=fund_id,
        )


class FundOverCap(LoanRefusedByFund):
    """Covered principal already stands above cap × balance (a clawback left it there): no loan until it is under."""

    code = "fund_over_cap"

    def __init__(self, fund_id: str, amount_fen: int, over_cap_fen: int) -> None:
        super().__init__(
            f"fund {fund_id} is over its cap by {_yuan(over_cap_fen)} yuan and lends nothing until it is back "
            f"under (the disbursement needs {_yuan(amount_fen)})",
            f"风险补偿金 {fund_id} 超上限 {_yuan(over_cap_fen)} 元，回到上限以内前不得新增放款"
            f"（本笔 {_yuan(amount_fen)} 元）",
            fund_id=fund_id,
            amount_fen=amount_fen,
            headroom_fen=0,
            over_cap_fen=over_cap_fen,
        )


class FundWouldGoNegative(LedgerError):
    code = "fund_would_go_negative"

    def __init__(self, fund_id: str, amount_fen: int, available_fen: int) -> None:
        super().__init__(
            f"fund {fund_id} holds {_yuan(available_fen)} yuan, cannot pay out {_yuan(amount_fen)}",
            f"风险补偿金 {fund_id} 余额 {_yuan(available_fen)} 元，不足支付 {_yuan(amount_fen)} 元",
            fund_id=fund_id,
            amount_fen=amount_fen,
            available_fen=available_fen,
        )


class IdempotencyConflict(LedgerError):
    """The idempotency key was already used for a different command body (HTTP 422)."""

    code = "idempotency_conflict"

    def __init__(self, fund_id: str, key: str) -> None:
        super().__init__(
            f"idempotency key {key} of fund {fund_id} was already used for a different command",
            f"风险补偿金 {fund_id} 的幂等键 {key} 已用于另一内容不同的指令",
            fund_id=fund_id,
            key=key,
        )


class ValueDateOutOfRange(LedgerError):
    code = "value_date_out_of_range"


class UnbalancedEntry(LedgerError):
    code = "unbalanced_entry"

    def __init__(self, event_type: str, total_fen: int) -> None:
        super().__init__(
            f"{event_type} entry does not balance: postings sum to {total_fen} fen",
            f"{event_type} 分录借贷不平：合计 {total_fen} 分",
            total_fen=total_fen,
        )


class LedgerNotMigrated(LedgerError):
    code = "ledger_not_migrated"

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(
            f"the ledger database is at revision {current}, not {head}: run `credit-engine ledger migrate`",
            f"台账数据库版本为 {current}，不是最新 {head}：请运行 `credit-engine ledger migrate`",
        )
