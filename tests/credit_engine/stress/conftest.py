"""Fixtures of the stress tests: live books built in memory (one product, equal loans) and the shipped scenario with
a product's settings changed, so a test reads as the book and the economy it stresses plus one assertion."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from credit_engine.ledger.domain import default_terms
from credit_engine.stress.live_book import LiveBook
from credit_engine.stress.scenario import load_scenario


def equal_loans(  # noqa: PLR0913 - the book's facts
    loans: int,
    pd: float,
    *,
    loan_yuan: int = 40_000,
    months: int = 60,
    balance_yuan: int = 5_000_000,
    fund_id: str = "F-1",
    county: str = "140122",
    **terms: object,
) -> LiveBook:
    """A fund whose book is ``loans`` 富民贷 of ``loan_yuan`` each, maturing in ``months``, every one with PD ``pd``."""
    ints = lambda value: np.full(loans, value, dtype=np.int64)  # noqa: E731
    return LiveBook(
        fund_id=fund_id,
        county_code=county,
        bank_code="RCC",
        as_of=dt.date(2025, 12, 31),
        terms=default_terms().replace(**terms),
        balance_fen=balance_yuan * 100,
        pending_compensation_fen=0,
        products=("fumin", "qiangnong"),
        performing_fen=ints(loan_yuan * 100),
        overdue_fen=ints(0),
        months_overdue=ints(0),
        product_index=ints(0),
        months_to_maturity=ints(months),
        pd=np.full(loans, pd),
        model_pd=np.zeros(loans, dtype=bool),
    )


@pytest.fixture
def book():
    return equal_loans


@pytest.fixture
def scenario():
    """The shipped scenario with 富民贷's settings replaced: ``scenario(asset_correlation=0.15, recovery_rate=0)``."""
    shipped = load_scenario()

    def make(**changes: object):
        product_fields = {k: changes.pop(k) for k in list(changes) if k in ("asset_correlation", "default_pd")}
        fumin = dataclasses.replace(shipped.products["fumin"], **product_fields)
        return dataclasses.replace(shipped, products={**shipped.products, "fumin": fumin}, **changes)

    return make
