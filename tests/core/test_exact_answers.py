"""Percentages, roots and powers, and the year, month and weekday, come from code, not the model."""

from __future__ import annotations

from datetime import datetime

import pytest

from presence.core import skills

NOW = datetime(2026, 12, 8, 10, 0)  # a Tuesday


@pytest.mark.parametrize("q,expected", [
    ("What is 15 percent of 200?", "30"),
    ("What's fifteen percent of two hundred?", "30"),
    ("What is 20% of 50?", "10"),
    ("What is the square root of 144?", "12"),
    ("What is the square root of 2?", "1.41421"),
    ("What is 7 squared?", "49"),
    ("What's three cubed?", "27"),
])
def test_percent_roots_and_powers(q: str, expected: str) -> None:
    a = skills.answer(q, NOW)
    assert a is not None and a.rstrip(".").endswith(expected)


@pytest.mark.parametrize("q,expected", [
    ("What year is it?", "2026"),
    ("What year will it be next year?", "2027"),
    ("Which month are we in?", "December"),
    ("What day is it today?", "Tuesday"),
    ("What day of the week will it be tomorrow?", "Wednesday"),
    ("What day was it yesterday?", "Monday"),
    ("What day of the week will it be in three days?", "Friday"),
    ("What's tomorrow's date?", "December 9"),
])
def test_dates_from_the_clock(q: str, expected: str) -> None:
    a = skills.answer(q, NOW)
    assert a is not None and expected in a


@pytest.mark.parametrize("q", ["What day is Christmas this year?", "What is the date of the moon landing?",
                               "What month were you born in?"])
def test_other_dates_are_left_to_the_model(q: str) -> None:
    assert skills.answer(q, NOW) is None


@pytest.mark.parametrize("q,expected", [
    ("How many minutes are in 3 hours?", "180 minutes"),
    ("How many seconds are in 5 minutes?", "300 seconds"),
    ("How many hours are in a day?", "24 hours"),
])
def test_time_units_convert(q: str, expected: str) -> None:
    from presence.core import tools

    a = tools.convert_units(q)
    assert a is not None and expected in a


def test_a_weekday_in_some_days_is_a_date_not_a_conversion() -> None:
    from presence.core import tools

    assert tools.convert_units("What day of the week will it be in three days?") is None
