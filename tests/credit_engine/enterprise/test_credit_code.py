"""The GB 32100-2015 check character, against a computation written here from the standard's text."""

import pytest

from credit_engine.enterprise import credit_code

# The standard's character set in its order: 0-9, then A-Z without I, O, Z, S, V.
STANDARD_SET = "0123456789" + "".join(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in "IOZSV")


def expected_check(first_17: str) -> str:
    """Weight of position i is 3^i mod 31; the check value makes the weighted sum a multiple of 31."""
    total = sum(STANDARD_SET.index(c) * pow(3, i, 31) for i, c in enumerate(first_17))
    return STANDARD_SET[-total % 31]


# Real-format prefixes: authority 9 (market regulation) and kind 1 (enterprise) / 3 (cooperative) / 2 (individual
# business), then the county code and a 9-character organisation code.
PREFIXES = ("91140121MA0K2X7B8", "93140121MA0H1PL9U", "92141126L00012345", "91110000600037341", "12100000400010398")


def test_the_standard_set_and_weights():
    assert credit_code.CHARSET == STANDARD_SET and len(STANDARD_SET) == 31
    assert credit_code.WEIGHTS == tuple(pow(3, i, 31) for i in range(17))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_check_character_matches_an_independent_computation(prefix):
    assert credit_code.check_character(prefix) == expected_check(prefix)
    assert credit_code.is_valid(prefix + expected_check(prefix))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_mutated_character_is_caught(prefix):
    code = credit_code.make(prefix)
    for position in (0, 8, 16, 17):
        wrong = STANDARD_SET[(STANDARD_SET.index(code[position]) + 1) % 31]
        mutated = code[:position] + wrong + code[position + 1 :]
        assert not credit_code.is_valid(mutated), mutated


def test_characters_outside_the_set_and_wrong_lengths_are_invalid():
    code = credit_code.make(PREFIXES[0])
    assert not credit_code.is_valid(code.lower())
    assert not credit_code.is_valid(code[:-1])
    assert not credit_code.is_valid("I" + code[1:])
    with pytest.raises(ValueError):
        credit_code.check_character("9114012")
