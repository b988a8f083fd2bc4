"""The 18-character resident ID number (GB 11643-1999): checksum, birth date, masking, pseudonyms, age and gender."""

import datetime as dt

import pytest

from credit_engine.contract import idnumber

PUBLISHED_EXAMPLE = "11010519491231002X"  # the example in GB 11643-1999 itself: Beijing Chaoyang, 1949-12-31, female


def test_the_published_example_is_valid():
    assert idnumber.violation(PUBLISHED_EXAMPLE) is None
    assert idnumber.check_char(PUBLISHED_EXAMPLE[:17]) == "X"


def test_a_lower_case_x_is_normalised_before_validation():
    assert idnumber.normalise(" 11010519491231002x ") == PUBLISHED_EXAMPLE
    assert idnumber.violation("11010519491231002x") == "id_format"  # violation expects a normalised number


def test_made_numbers_are_valid_and_carry_their_birth_date():
    number = idnumber.make("140121", dt.date(1980, 5, 17), 123)
    assert len(number) == 18
    assert idnumber.violation(number) is None
    assert idnumber.birth_date(number) == dt.date(1980, 5, 17)


@pytest.mark.parametrize("wrong", ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
def test_any_other_check_character_is_a_checksum_violation(wrong):
    assert idnumber.violation(PUBLISHED_EXAMPLE[:17] + wrong) == "id_checksum"


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        ("1101051949123100", "id_format"),  # 16 characters
        ("1101051949123100200", "id_format"),  # 19 characters
        ("1101051949123100Y", "id_format"),
        ("X10105194912310021", "id_format"),  # X only as the check character
        ("110105199902300010", "id_birth_date"),  # 30 February
        ("110105199913010010", "id_birth_date"),  # month 13
        ("110105189912310010", "id_birth_date"),  # before 1900
        ("110105299912310010", "id_birth_date"),  # in the future
    ],
)
def test_format_and_birth_date_violations(number, rule):
    assert idnumber.violation(number) == rule


def test_an_impossible_date_is_caught_even_with_a_correct_check_character():
    body = "11010519990230001"
    assert idnumber.violation(body + idnumber.check_char(body)) == "id_birth_date"


def test_mask_keeps_the_first_and_last_four_characters():
    assert idnumber.mask("14012119800517123X") == "1401**********123X"
    assert idnumber.mask("1234") == "****"


def test_pseudonyms_are_stable_keyed_and_ignore_case_of_x():
    first = idnumber.pseudonymise(PUBLISHED_EXAMPLE, "secret-a")
    assert first == idnumber.pseudonymise(PUBLISHED_EXAMPLE, "secret-a")
    assert first == idnumber.pseudonymise("11010519491231002x", "secret-a")
    assert first != idnumber.pseudonymise(PUBLISHED_EXAMPLE, "secret-b")
    assert len(first) == 32 and int(first, 16) >= 0
    assert PUBLISHED_EXAMPLE not in first


@pytest.mark.parametrize(
    ("on", "age"),
    [(dt.date(2024, 5, 16), 43), (dt.date(2024, 5, 17), 44), (dt.date(2024, 12, 31), 44)],
)
def test_age_on_counts_whole_years_up_to_the_birthday(on, age):
    assert idnumber.age_on(idnumber.make("140121", dt.date(1980, 5, 17), 1), on) == age


def test_gender_follows_the_parity_of_the_sequence_number():
    born = dt.date(1975, 1, 1)
    assert idnumber.gender(idnumber.make("140121", born, 123)) == "M"
    assert idnumber.gender(idnumber.make("140121", born, 124)) == "F"
    assert idnumber.gender(PUBLISHED_EXAMPLE) == "F"


@pytest.mark.parametrize(
    "text",
    [
        "110101199003074514",  # a made-up number with a real birth date
        "hh-110101199003074514",  # inside a longer string
        "１１０１０１１９９００３０７４５１４",  # full-width digits
        "110101 19900307 4514",  # blanks between the parts
        "1101-0119-9003-0745-14",  # hyphens
        "140121900101123",  # a first-generation 15-digit number
        "L-140121900101123-2",  # the same standing apart inside an id
        "ref0110101199003074514",  # an 18-digit window of a longer digit run
    ],
)
def test_an_id_number_is_found_in_any_of_its_forms(text):
    assert idnumber.looks_like_id_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "F-race-990876230105123-1",  # 15 digits whose middle is a date but whose start is no province code
        "990000900101123",
        "990101199003074514",  # 18 characters with a birth date, no province starts with 99
        "LN-2025-000123",
        "0123456789abcdef0123456789abcdef",  # a keyed hash
        "H140121-01023",
    ],
)
def test_digit_runs_that_cannot_be_an_id_number_are_not_read_as_one(text):
    assert not idnumber.looks_like_id_number(text)
