"""The programme's counties: real GB/T 2260 codes of Shanxi, unique, enough of them to open a fund each."""

from __future__ import annotations

import re

import pytest

from credit_engine.regions import PROVINCES, SHANXI_POVERTY_COUNTIES, County, county_by_code


def test_codes_are_six_digit_shanxi_codes_and_unique() -> None:
    codes = [county.code for county in SHANXI_POVERTY_COUNTIES]

    assert all(re.fullmatch(r"14\d{4}", code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert len(codes) >= 50


def test_every_county_names_itself_in_both_languages_and_belongs_to_shanxi() -> None:
    for county in SHANXI_POVERTY_COUNTIES:
        assert county.province_code == "14" and county.province_code in PROVINCES
        assert county.name_zh.endswith(("县", "区")) and county.prefecture_zh.endswith("市")
        assert county.name_en.endswith(("County", "District"))


def test_county_by_code_finds_a_programme_county() -> None:
    assert county_by_code("141130") == County("141130", "交口县", "Jiaokou County", "吕梁市")
    assert county_by_code("140215").name_zh == "云州区"


def test_county_by_code_refuses_a_county_outside_the_programme() -> None:
    with pytest.raises(KeyError, match="140121"):
        county_by_code("140121")  # 清徐县 is not a poor county


def test_counties_are_immutable_values() -> None:
    county = SHANXI_POVERTY_COUNTIES[0]

    with pytest.raises(AttributeError):
        county.code = "140000"  # type: ignore[misc]
