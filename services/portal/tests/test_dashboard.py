"""The reports dashboard: key figures and bar charts from analytics' reports."""

from __future__ import annotations

from typing import Any

from portal.domain.dashboard import LABEL_SHARE, MOST_ROWS, VALUE_SHARE, charts, key_figures

REPORTS: dict[str, Any] = {
    "registration": {
        "participants": 200,
        "mentors": 80,
        "mentees": 110,
        "mentor_capacity": 160,
        "mentee_demand": 110,
        "registrations_by_day": [
            {"day": "2026-12-01", "count": 150},
            {"day": "2026-12-02", "count": 50},
        ],
        "invitations": {
            "invited": 10,
            "registered": 4,
            "by_department": [{"department": "Sales", "invited": 10, "registered": 4}],
        },
    },
    "pairing": {
        "active_pairs": 100,
        "match_rate": 0.909,
        "score_distribution": [{"low": 0.5, "high": 0.75, "pairs": 60}],
    },
    "sessions": {"held": 0, "held_by_week": [], "funnel": {"scheduled": 3, "held": 0}},
    "scores": None,
    "skills": {"goal_completion_rate": None, "topics": [{"topic": "Negotiation", "mentions": 4}]},
}


def test_key_figures_write_shares_as_percentages_and_unknowns_as_a_dash() -> None:
    figures = {figure.name: figure.value for figure in key_figures(REPORTS)}
    assert figures["participants"] == "200"
    assert figures["mentors_mentees"] == "80 / 110"
    assert figures["match_rate"] == "91%"
    assert figures["average_rating"] == "—"  # scores not computed yet
    assert figures["goal_completion"] == "—"
    assert key_figures({"registration": None, "pairing": None}) == []


def test_each_chart_scales_its_bars_to_the_largest_value() -> None:
    found = {chart.key: chart for chart in charts(REPORTS)}
    assert list(found) == ["registrations", "invitations", "sessions", "funnel", "scores", "topics"]
    by_day = found["registrations"]
    first, second = by_day.bars()
    room = 100 - LABEL_SHARE - VALUE_SHARE
    assert (first.width, second.width) == (room, round(room / 3, 2))
    assert first.x == LABEL_SHARE
    assert second.y > first.y
    assert by_day.categories == ("2026-12-01", "2026-12-02")
    invited = found["invitations"]
    assert invited.series == ("invited", "registered")
    assert invited.values == ((10.0, 4.0),)
    assert [bar.series for bar in invited.bars()] == [0, 1]
    assert found["sessions"].empty
    assert not found["funnel"].empty
    assert found["funnel"].categories == ("scheduled", "held", "rated_by_both")
    assert found["scores"].categories == ("0.5\u20130.75",)


def test_a_long_chart_keeps_its_most_recent_rows() -> None:
    days = [{"day": f"2026-11-{n:02d}", "count": n} for n in range(1, 31)] + [
        {"day": f"2026-12-{n:02d}", "count": n} for n in range(1, 11)
    ]
    chart = charts({"registration": {"registrations_by_day": days}})[0]
    assert len(chart.categories) == MOST_ROWS
    assert chart.categories[-1] == "2026-12-10"
