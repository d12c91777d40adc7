"""A French date keeps its day with its month; other languages are left as formatted."""

from __future__ import annotations

from mentorship_kit.typography import hold_day_to_month


def test_a_french_day_is_held_to_its_month_and_english_is_unchanged() -> None:
    assert hold_day_to_month("lundi 4 janvier 2027, 10:00", "fr") == (
        "lundi 4\u00a0janvier 2027, 10:00"
    )
    assert hold_day_to_month("Monday 4 January 2027, 10:00", "en") == (
        "Monday 4 January 2027, 10:00"
    )
