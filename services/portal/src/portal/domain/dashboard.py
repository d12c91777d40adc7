"""The reports dashboard: analytics' reports as key figures and bar charts drawn on the server.

The charts are SVG drawn from these numbers (no charting script: the portal's Content
Security Policy allows no inline script or style, and an SVG needs neither), and each chart
comes with the same numbers as a table. Everything here is pure: report dictionaries in,
figures and bars out; the page translates the names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ROW = 30
"""Height of one bar's row, in pixels (two series: two bars of half the height)."""
LABEL_SHARE = 34
"""Percentage of the chart's width left for the category labels."""
VALUE_SHARE = 12
"""Percentage of the width kept at the right for the value beside the longest bar."""
MOST_ROWS = 31
"""A chart shows at most this many categories (the last ones: the most recent days)."""


@dataclass(frozen=True, slots=True)
class Figure:
    """A key figure: ``name`` is translated by the page, ``value`` is already written."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class BarShape:
    """One bar: its row, series and value, and where it is drawn (percentages, pixels)."""

    category: str
    series: int
    value: float
    x: float
    width: float
    y: int
    height: int

    @property
    def text_x(self) -> float:
        """Where the value is written: just right of the bar."""
        return round(self.x + self.width + 1, 2)

    @property
    def text_y(self) -> int:
        """The baseline of the value's text, centred on the bar."""
        return self.y + self.height // 2 + 5


@dataclass(frozen=True, slots=True)
class Chart:
    """A horizontal bar chart: one row per category, one bar per series in each row."""

    key: str
    categories: tuple[str, ...]
    series: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    """``values[row][series]``."""

    @property
    def empty(self) -> bool:
        """Nothing to draw (no category, or every value zero)."""
        return not any(value for row in self.values for value in row)

    @property
    def height(self) -> int:
        """The SVG's height in pixels."""
        return ROW * len(self.categories) + 4

    @property
    def label_share(self) -> int:
        """Percentage of the width for the labels."""
        return LABEL_SHARE

    def bars(self) -> list[BarShape]:
        """Every bar, scaled to the largest value, in row then series order."""
        largest = max((value for row in self.values for value in row), default=0.0) or 1.0
        room = 100 - LABEL_SHARE - VALUE_SHARE
        count = max(len(self.series), 1)
        thickness = (ROW - 8) // count
        found: list[BarShape] = []
        for row, (category, values) in enumerate(zip(self.categories, self.values, strict=True)):
            for series, value in enumerate(values):
                found.append(
                    BarShape(
                        category=category,
                        series=series,
                        value=value,
                        x=LABEL_SHARE,
                        width=round(room * value / largest, 2),
                        y=row * ROW + 4 + series * thickness,
                        height=thickness,
                    )
                )
        return found

    def label_y(self, row: int) -> int:
        """The baseline of category ``row``'s label."""
        return row * ROW + ROW // 2 + 5


def topic_label(key: str, labels: Mapping[str, str]) -> str:
    """A skill or goal as the program's questionnaire names it (else its key as words)."""
    return labels.get(key) or key.replace("_", " ").capitalize()


def _chart(key: str, rows: Sequence[tuple[str, Sequence[float]]], series: tuple[str, ...]) -> Chart:
    kept = list(rows)[-MOST_ROWS:]
    return Chart(
        key=key,
        categories=tuple(label for label, _ in kept),
        series=series,
        values=tuple(tuple(float(v) for v in values) for _, values in kept),
    )


def _number(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.{digits}f}"
    return str(int(value)) if isinstance(value, float) else str(value)


def _share(value: Any) -> str:
    return "—" if value is None else f"{round(float(value) * 100)}%"


def _score(value: float) -> str:
    return f"{value:g}"


def key_figures(reports: Mapping[str, Mapping[str, Any] | None]) -> list[Figure]:
    """The dashboard's key figures, from the reports analytics has computed."""
    registration = reports.get("registration") or {}
    pairing = reports.get("pairing") or {}
    sessions = reports.get("sessions") or {}
    scores = reports.get("scores") or {}
    skills = reports.get("skills") or {}
    invitations = registration.get("invitations") or {}
    figures = [
        Figure("participants", _number(registration.get("participants"))),
        Figure(
            "mentors_mentees",
            f"{_number(registration.get('mentors'))} / {_number(registration.get('mentees'))}",
        ),
        Figure(
            "capacity_demand",
            f"{_number(registration.get('mentor_capacity'))} / "
            f"{_number(registration.get('mentee_demand'))}",
        ),
        Figure(
            "invited_registered",
            f"{_number(invitations.get('invited'))} / {_number(invitations.get('registered'))}",
        ),
        Figure("active_pairs", _number(pairing.get("active_pairs"))),
        Figure("match_rate", _share(pairing.get("match_rate"))),
        Figure("sessions_held", _number(sessions.get("held"))),
        Figure("average_rating", _number(scores.get("average_rating"))),
        Figure("nps", _number((scores.get("surveys") or {}).get("nps"))),
        Figure("goal_completion", _share(skills.get("goal_completion_rate"))),
    ]
    return figures if any(reports.get(name) for name in ("registration", "pairing")) else []


def charts(
    reports: Mapping[str, Mapping[str, Any] | None], labels: Mapping[str, str] | None = None
) -> list[Chart]:
    """The dashboard's charts, in the page's order (a report not computed: no chart).

    ``labels``: the program's choice labels by key, for the topics sessions covered (a key
    without one is shown as words).
    """
    labels = labels or {}
    found: list[Chart] = []
    registration = reports.get("registration")
    if registration:
        by_day = registration.get("registrations_by_day") or []
        found.append(
            _chart("registrations", [(str(d["day"]), [d["count"]]) for d in by_day], ("count",))
        )
        departments = (registration.get("invitations") or {}).get("by_department") or []
        found.append(
            _chart(
                "invitations",
                [(d["department"], [d["invited"], d["registered"]]) for d in departments],
                ("invited", "registered"),
            )
        )
    sessions = reports.get("sessions")
    if sessions:
        weeks = sessions.get("held_by_week") or []
        found.append(_chart("sessions", [(w["week"], [w["held"]]) for w in weeks], ("held",)))
        funnel = sessions.get("funnel") or {}
        found.append(
            _chart(
                "funnel",
                [
                    (stage, [funnel.get(stage, 0)])
                    for stage in ("scheduled", "held", "rated_by_both")
                ],
                ("sessions",),
            )
        )
    scores = reports.get("scores")
    if scores:
        ratings = scores.get("rating_distribution") or {}
        found.append(
            _chart(
                "ratings",
                [(f"{rating} ★", [count]) for rating, count in sorted(ratings.items())],
                ("ratings",),
            )
        )
    pairing = reports.get("pairing")
    if pairing:
        buckets = pairing.get("score_distribution") or []
        found.append(
            _chart(
                "scores",
                [(f"{_score(b['low'])}\u2013{_score(b['high'])}", [b["pairs"]]) for b in buckets],
                ("pairs",),
            )
        )
    skills = reports.get("skills")
    if skills:
        topics = (skills.get("topics") or [])[:10]
        found.append(
            _chart(
                "topics",
                [(topic_label(t["topic"], labels), [t["mentions"]]) for t in topics],
                ("mentions",),
            )
        )
    return found
