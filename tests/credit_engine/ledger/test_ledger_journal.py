"""Journal entries are balanced values; money parses exactly; the chart's recipes balance (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from credit_engine.ledger import accounts
from credit_engine.ledger.errors import UnbalancedEntry
from credit_engine.ledger.journal import JournalEntry, Posting
from credit_engine.ledger.money import fen_to_yuan, ratio_to_bps, share_of, yuan_to_fen

DAY = dt.date(2025, 3, 1)


def test_an_entry_whose_postings_do_not_sum_to_zero_cannot_exist():
    with pytest.raises(UnbalancedEntry):
        JournalEntry("F", "contribution", DAY, (Posting("fund_cash", 100), Posting("contributed_capital", -99)))


def test_amounts_must_be_integer_fen():
    with pytest.raises(TypeError):
        JournalEntry("F", "contribution", DAY, (Posting("fund_cash", 1.5), Posting("contributed_capital", -1.5)))


def test_a_reversal_negates_every_posting():
    entry = JournalEntry("F", "contribution", DAY, accounts.contribution(500))
    assert sum(p.amount_fen for p in entry.postings + entry.reversed_postings()) == 0


@pytest.mark.parametrize(
    "postings",
    [
        accounts.contribution(1),
        accounts.clawback(1),
        accounts.fund_interest(1),
        accounts.disbursement("fumin", 7),
        accounts.repayment("fumin", 7, DAY),
        accounts.to_overdue("fumin", 7, DAY, None),
        accounts.to_current("fumin", 7, DAY),
        accounts.compensation_claim("fumin", 7, DAY, 5),
        accounts.compensation_payment("fumin", 5),
        accounts.recovery("fumin", 7, 5),
        accounts.write_off("fumin", 7),
    ],
)
def test_every_recipe_balances(postings):
    assert sum(p.amount_fen for p in postings) == 0


@pytest.mark.parametrize(
    ("text", "fen"), [("1234.5", 123450), ("1234.50", 123450), ("0.01", 1), ("50000", 5000000), (1234.56, 123456)]
)
def test_yuan_with_two_decimals_is_exact_fen(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize(
    "text",
    ["1.005", "abc", "NaN", "", "1e2", "1,000", "１０００", "1_000", "+1000", ".5", "1000.", "1e400", "-5"]
    + [float("inf"), 1e16],
)
def test_a_third_decimal_or_garbage_is_refused_never_rounded(text):
    with pytest.raises(ValueError):
        yuan_to_fen(text)


def test_fen_print_as_yuan_without_floats():
    assert (fen_to_yuan(123456789), fen_to_yuan(-5)) == ("1234567.89", "-0.05")


def test_shares_round_half_up_to_the_fen():
    assert (share_of(5, 7000), share_of(15, 5000)) == (4, 8)


def test_ratios_become_basis_points():
    assert (ratio_to_bps("0.7"), ratio_to_bps("10.5")) == (7000, 105000)
