"""The vectorised identifiers agree with the ID-number rules of the contract, row for row."""

from __future__ import annotations

import datetime as dt

import numpy as np

from credit_engine.contract import idnumber
from training import generator_ids as ids


def test_vectorised_id_numbers_match_idnumber_make() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    counties = rng.choice([140122, 141130, 140215], size=n)
    born = np.datetime64("1940-01-01") + rng.integers(0, 30_000, size=n).astype("timedelta64[D]")
    born[:3] = np.array(["1960-02-29", "2000-12-31", "1999-01-01"], dtype="datetime64[D]")
    sequence = rng.integers(0, 1000, size=n)
    sequence[:2] = (0, 999)

    made = ids.id_numbers(counties, born, sequence).to_pylist()

    expected = [
        idnumber.make(str(c), dt.date.fromisoformat(str(b)), int(s))
        for c, b, s in zip(counties, born, sequence, strict=True)
    ]
    assert made == expected
    assert any(number.endswith("X") for number in made)


def test_birth_dates_give_the_exact_age_on_the_application_date() -> None:
    rng = np.random.default_rng(1)
    on = np.datetime64("2021-01-01") + rng.integers(0, 1461, size=3000).astype("timedelta64[D]")
    on[:2] = np.array(["2024-02-29", "2023-03-01"], dtype="datetime64[D]")
    ages = rng.integers(16, 85, size=len(on))

    born = ids.birth_dates(rng, on, ages)

    numbers = ids.id_numbers(np.full(len(on), 140122), born, np.ones(len(on), dtype=np.int64)).to_pylist()
    got = [idnumber.age_on(n, dt.date.fromisoformat(str(d))) for n, d in zip(numbers, on, strict=True)]
    assert got == ages.tolist()


def test_sequences_are_unique_per_group_and_carry_the_sex() -> None:
    rng = np.random.default_rng(2)
    group = np.concatenate([np.zeros(450, dtype=np.int64), rng.integers(1, 50, size=2000)])
    male = rng.random(len(group)) < 0.5

    sequence = ids.sequences(rng, group, male)

    assert ((sequence % 2 == 1) == male).all()
    assert sequence.min() >= 1 and sequence.max() <= 999
    pairs = set(zip(group.tolist(), sequence.tolist(), strict=True))
    assert len(pairs) == len(group)


def test_numbered_pads_with_zeros_after_the_prefix() -> None:
    assert ids.numbered("A", np.array([1, 42, 123456789]), 9).to_pylist() == ["A000000001", "A000000042", "A123456789"]
