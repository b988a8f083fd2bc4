"""Dates and moments in a request: one range (the years 1900 to 2199), a moment kept a day inside it."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import TypeAdapter, ValidationError

from api.schemas.common import IsoDate, IsoMoment

DATE, MOMENT = TypeAdapter(IsoDate), TypeAdapter(IsoMoment)


@pytest.mark.parametrize("text", ["1900-01-01", "2199-12-31"])
def test_the_first_and_last_days_are_dates(text):
    assert DATE.validate_python(text) == dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("adapter", "text"),
    [(DATE, "1899-12-31"), (DATE, "2200-01-01"), (MOMENT, "1900-01-01T23:00:00"), (MOMENT, "2199-12-31T00:00:00")],
)
def test_a_day_or_moment_outside_the_years_breaks_date_range(adapter, text):
    with pytest.raises(ValidationError) as refused:
        adapter.validate_python(text)
    assert refused.value.errors()[0]["type"] == "date_range"


def test_a_moment_a_day_inside_the_range_is_accepted_with_its_zone():
    assert MOMENT.validate_python("1900-01-02T00:00:00+08:00").utcoffset() == dt.timedelta(hours=8)
    assert MOMENT.validate_python("2199-12-30T00:00:00").year == 2199
