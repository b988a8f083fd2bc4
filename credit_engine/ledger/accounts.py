"""The chart of accounts of one fund, and the postings each event makes (the recipes).

Every posting carries its fund, so each fund has this small chart. Debits are positive, credits negative.

The fund's money (real, in the fund's special account 专户)::

    fund_cash              asset    the fund balance (余额); never negative at any value date
    contributed_capital    equity   contributions (注入/补充) less clawbacks (收回/核减)
    interest_income        income   interest earned on the fund account
    compensation_expense   expense  the fund's share of losses claimed (代偿)
    compensation_payable   liab.    claimed but not yet paid (pending compensation)
    recovery_income        income   the fund's pro-rata share of recoveries (追偿)

The covered loans (memorandum accounts, per product of the ledger's ``ledger_product`` table — 富民贷, 强农贷, …;
the bank's money)::

    principal_current      outstanding principal of loans that are current
    principal_overdue      outstanding principal of overdue loans, tagged with ``overdue_since``
    principal_compensated  principal of compensated loans still to be recovered or written off
    principal_recovered    principal recovered after compensation (cumulative)
    principal_written_off  principal written off (cumulative)
    bank_lending           contra: minus the sum of the five above (lent less repaid)

Insurance (保证保险, memorandum accounts: the insurer's and the premium payers' money, never the fund's)::

    insurer_receivable     the insurer's part of losses claimed and not yet paid by the insurer
    insured_losses         contra: minus the insurer's part of losses claimed (per policy year: its layer used)
    insurer_paid           the insurer's payments on claims (cumulative)
    insurer_recovered      recoveries passed back to the insurer (cumulative)
    insurer_recovery_due   contra: minus the recoveries owed to the insurer
    premium_paid           premiums paid to the insurer (cumulative)
    premium_subsidy        contra: the county's subsidy part of premiums
    premium_bank           contra: the bank's (and borrowers') part of premiums

Covered principal (what leverage counts) = ``principal_current`` + ``principal_overdue``; fund balance =
``fund_cash``; NPL principal = ``principal_overdue`` whose ``overdue_since`` is 90+ days before the as-of date.

Postings per event (P = principal, S = the fund's share, ``since`` = the overdue-since date)::

    contribution           Dr fund_cash              Cr contributed_capital
    clawback               Dr contributed_capital    Cr fund_cash
    fund_interest          Dr fund_cash              Cr interest_income
    disbursement           Dr principal_current      Cr bank_lending
    repayment              Dr bank_lending           Cr principal_current | principal_overdue(since)
    delinquency            Dr principal_overdue(since) Cr principal_current (or the old since, when re-dated)
    cure, extension        Dr principal_current      Cr principal_overdue(since)   (extension: only if overdue)
    compensation_claim     Dr principal_compensated  Cr principal_overdue(since)    P
                           Dr insurer_receivable     Cr insured_losses              I = the insurer's part
                           Dr compensation_expense   Cr compensation_payable        S = (P − I) × fund share
    compensation_payment   Dr compensation_payable   Cr fund_cash                   ≤ pending, ≤ fund balance
    recovery (R)           Dr principal_recovered    Cr principal_compensated       R
                           Dr insurer_recovered      Cr insurer_recovery_due        RI = R × I ÷ P
                           Dr fund_cash              Cr recovery_income             (R − RI) × fund share
    insurer_payment        Dr insurer_paid           Cr insurer_receivable          ≤ the insurer's part unpaid
    insurance_premium (A)  Dr premium_paid           Cr premium_subsidy             A × subsidy share
                           Dr premium_paid           Cr premium_bank                the rest
    write_off              Dr principal_written_off  Cr principal_compensated       remaining principal
    reversal               the reversed entry's postings, negated
"""

from __future__ import annotations

import datetime as dt

from credit_engine.ledger.journal import Posting

FUND_CASH = "fund_cash"
CONTRIBUTED_CAPITAL = "contributed_capital"
INTEREST_INCOME = "interest_income"
COMPENSATION_EXPENSE = "compensation_expense"
COMPENSATION_PAYABLE = "compensation_payable"
RECOVERY_INCOME = "recovery_income"
PRINCIPAL_CURRENT = "principal_current"
PRINCIPAL_OVERDUE = "principal_overdue"
PRINCIPAL_COMPENSATED = "principal_compensated"
PRINCIPAL_RECOVERED = "principal_recovered"
PRINCIPAL_WRITTEN_OFF = "principal_written_off"
BANK_LENDING = "bank_lending"
INSURER_RECEIVABLE = "insurer_receivable"
INSURED_LOSSES = "insured_losses"
INSURER_PAID = "insurer_paid"
INSURER_RECOVERED = "insurer_recovered"
INSURER_RECOVERY_DUE = "insurer_recovery_due"
PREMIUM_PAID = "premium_paid"
PREMIUM_SUBSIDY = "premium_subsidy"
PREMIUM_BANK = "premium_bank"

FUND_ACCOUNTS = (
    FUND_CASH,
    CONTRIBUTED_CAPITAL,
    INTEREST_INCOME,
    COMPENSATION_EXPENSE,
    COMPENSATION_PAYABLE,
    RECOVERY_INCOME,
)
LOAN_ACCOUNTS = (
    PRINCIPAL_CURRENT,
    PRINCIPAL_OVERDUE,
    PRINCIPAL_COMPENSATED,
    PRINCIPAL_RECOVERED,
    PRINCIPAL_WRITTEN_OFF,
    BANK_LENDING,
)
INSURANCE_ACCOUNTS = (
    INSURER_RECEIVABLE,
    INSURED_LOSSES,
    INSURER_PAID,
    INSURER_RECOVERED,
    INSURER_RECOVERY_DUE,
    PREMIUM_PAID,
    PREMIUM_SUBSIDY,
    PREMIUM_BANK,
)
ACCOUNTS = FUND_ACCOUNTS + LOAN_ACCOUNTS + INSURANCE_ACCOUNTS
COVERED_ACCOUNTS = (PRINCIPAL_CURRENT, PRINCIPAL_OVERDUE)


def transfer(
    debit: str,
    credit: str,
    amount_fen: int,
    product: str | None = None,
    *,
    debit_since: dt.date | None = None,
    credit_since: dt.date | None = None,
) -> tuple[Posting, ...]:
    """Move ``amount_fen`` from ``credit`` to ``debit`` (two postings; none when the amount is zero)."""
    if amount_fen == 0:
        return ()
    return (
        Posting(debit, amount_fen, product, debit_since),
        Posting(credit, -amount_fen, product, credit_since),
    )


def contribution(amount_fen: int) -> tuple[Posting, ...]:
    return transfer(FUND_CASH, CONTRIBUTED_CAPITAL, amount_fen)


def clawback(amount_fen: int) -> tuple[Posting, ...]:
    return transfer(CONTRIBUTED_CAPITAL, FUND_CASH, amount_fen)


def fund_interest(amount_fen: int) -> tuple[Posting, ...]:
    return transfer(FUND_CASH, INTEREST_INCOME, amount_fen)


def disbursement(product: str, amount_fen: int) -> tuple[Posting, ...]:
    return transfer(PRINCIPAL_CURRENT, BANK_LENDING, amount_fen, product)


def repayment(product: str, amount_fen: int, overdue_since: dt.date | None) -> tuple[Posting, ...]:
    if overdue_since is None:
        return transfer(BANK_LENDING, PRINCIPAL_CURRENT, amount_fen, product)
    return transfer(BANK_LENDING, PRINCIPAL_OVERDUE, amount_fen, product, credit_since=overdue_since)


def to_overdue(product: str, amount_fen: int, since: dt.date, old_since: dt.date | None) -> tuple[Posting, ...]:
    """Delinquency: current principal (or principal overdue since ``old_since``) becomes overdue since ``since``."""
    if old_since is None:
        return transfer(PRINCIPAL_OVERDUE, PRINCIPAL_CURRENT, amount_fen, product, debit_since=since)
    if old_since == since:
        return ()
    return transfer(
        PRINCIPAL_OVERDUE, PRINCIPAL_OVERDUE, amount_fen, product, debit_since=since, credit_since=old_since
    )


def to_current(product: str, amount_fen: int, since: dt.date) -> tuple[Posting, ...]:
    """Cure (or extension of an overdue loan): overdue principal is current again."""
    return transfer(PRINCIPAL_CURRENT, PRINCIPAL_OVERDUE, amount_fen, product, credit_since=since)


def compensation_claim(
    product: str, principal_fen: int, since: dt.date, share_fen: int, insurer_fen: int = 0
) -> tuple[Posting, ...]:
    return (
        transfer(PRINCIPAL_COMPENSATED, PRINCIPAL_OVERDUE, principal_fen, product, credit_since=since)
        + transfer(INSURER_RECEIVABLE, INSURED_LOSSES, insurer_fen, product)
        + transfer(COMPENSATION_EXPENSE, COMPENSATION_PAYABLE, share_fen, product)
    )


def compensation_payment(product: str, paid_fen: int) -> tuple[Posting, ...]:
    return transfer(COMPENSATION_PAYABLE, FUND_CASH, paid_fen, product)


def recovery(product: str, amount_fen: int, fund_part_fen: int, insurer_part_fen: int = 0) -> tuple[Posting, ...]:
    return (
        transfer(PRINCIPAL_RECOVERED, PRINCIPAL_COMPENSATED, amount_fen, product)
        + transfer(INSURER_RECOVERED, INSURER_RECOVERY_DUE, insurer_part_fen, product)
        + transfer(FUND_CASH, RECOVERY_INCOME, fund_part_fen, product)
    )


def insurer_payment(product: str, amount_fen: int) -> tuple[Posting, ...]:
    return transfer(INSURER_PAID, INSURER_RECEIVABLE, amount_fen, product)


def insurance_premium(amount_fen: int, subsidy_fen: int) -> tuple[Posting, ...]:
    return transfer(PREMIUM_PAID, PREMIUM_SUBSIDY, subsidy_fen) + transfer(
        PREMIUM_PAID, PREMIUM_BANK, amount_fen - subsidy_fen
    )


def write_off(product: str, amount_fen: int) -> tuple[Posting, ...]:
    return transfer(PRINCIPAL_WRITTEN_OFF, PRINCIPAL_COMPENSATED, amount_fen, product)
