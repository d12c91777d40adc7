"""The outcomes report against a plain, independent recount of random histories.

The recount works from the generated people directly (no `Member`, no shared helpers): who is
eligible, who is compared with whom, each rate by counting, and each 95% interval from Wilson
bounds found by bisection on the score test (not the closed form the report uses). And
whatever the history, no group of fewer than five people shows in the report or its CSV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.domain.comparison import Z_95, rate_difference, wilson
from analytics.domain.documents import (
    OutcomeFact,
    ParticipantFact,
    ParticipantStatus,
    PersonFact,
    ProgramFact,
    ProgramFacts,
)
from analytics.domain.outcome_report import MIN_GROUP_SIZE, OutcomesReport, outcomes
from analytics.entrypoints.http.csv_export import to_csv
from mentorship_contracts.types import (
    Cadence,
    OutcomeKind,
    ParticipantRole,
    ProgramFormat,
    Seniority,
)

START, END, TODAY = date(2026, 1, 5), date(2026, 6, 30), date(2026, 12, 1)
DAYS = (date(2025, 6, 1), date(2026, 1, 4), START, date(2026, 3, 15), END, date(2026, 8, 1))
HIRED = (
    None,
    date(2012, 4, 1),
    date(2023, 1, 5),
    date(2023, 1, 6),
    date(2025, 9, 1),
    date(2026, 2, 1),
)


@dataclass
class Person:
    key: str
    department: str | None
    seniority: Seniority | None
    hired: date | None
    erased: bool
    role: ParticipantRole | None
    events: list[tuple[OutcomeKind, date, int | None]] = field(default_factory=list)


KINDS = (
    OutcomeKind.PROMOTION,
    OutcomeKind.ROLE_CHANGE,
    OutcomeKind.DEPARTMENT_CHANGE,
    OutcomeKind.EXIT,
    OutcomeKind.PERFORMANCE_BAND,
)


@st.composite
def people(draw: st.DrawFn) -> list[Person]:
    count = draw(st.integers(0, 120))
    found = []
    for index in range(count):
        events = draw(
            st.lists(
                st.tuples(st.sampled_from(KINDS), st.sampled_from(DAYS), st.integers(1, 5)),
                max_size=3,
            )
        )
        found.append(
            Person(
                key=f"k{index:03d}",
                department=draw(st.sampled_from(("sales", "sales", "design", None))),
                seniority=draw(
                    st.sampled_from((Seniority.SENIOR, Seniority.SENIOR, Seniority.ASSOCIATE, None))
                ),
                hired=draw(st.sampled_from(HIRED)),
                erased=draw(st.integers(0, 9)) == 0,
                role=draw(
                    st.sampled_from(
                        (
                            None,
                            None,
                            ParticipantRole.MENTEE,
                            ParticipantRole.MENTOR,
                            ParticipantRole.BOTH,
                        )
                    )
                ),
                events=[
                    (kind, day, band if kind is OutcomeKind.PERFORMANCE_BAND else None)
                    for kind, day, band in events
                ],
            )
        )
    return found


def _documents(
    history: list[Person],
) -> tuple[ProgramFacts, dict[str, PersonFact], list[OutcomeFact]]:
    program = ProgramFact(
        id="p",
        program_id="p",
        version="1",
        name="P",
        metric="match_rate",
        target=0.8,
        starts_on=START,
        ends_on=END,
        cadence=Cadence.WEEKLY,
        format=ProgramFormat.ONE_ON_ONE,
    )
    participants = [
        ParticipantFact(
            id=f"part-{p.key}",
            program_id="p",
            role=p.role,
            person_key=p.key,
            status=ParticipantStatus.ACTIVE,
        )
        for p in history
        if p.role is not None
    ]
    directory = {
        p.key: PersonFact(
            id=p.key, program_id="", department=p.department, seniority=p.seniority, erased=p.erased
        )
        for p in history
    }
    facts = [
        OutcomeFact(
            id=f"{p.key}-{i}",
            program_id="",
            person_key=p.key,
            version="v",
            kind=kind,
            occurred_on=day,
            voluntary=True if kind is OutcomeKind.EXIT else None,
            performance_band=band,
        )
        for p in history
        for i, (kind, day, band) in enumerate(p.events)
    ]
    facts += [
        OutcomeFact(
            id=f"{p.key}-hired",
            program_id="",
            person_key=p.key,
            version="v",
            kind=OutcomeKind.HIRED,
            occurred_on=p.hired,
        )
        for p in history
        if p.hired is not None
    ]
    return (
        ProgramFacts(program_id="p", program=program, participants=participants),
        directory,
        facts,
    )


def _tenure(hired: date | None) -> str:
    if hired is None:
        return "unknown"
    for years, band in ((5, "5y_plus"), (3, "3_5y"), (1, "1_3y")):
        if hired <= START.replace(year=START.year - years):
            return band
    return "under_1y"


def _bound(successes: int, n: int, upper: bool) -> float:
    """The Wilson bound: the rate where the score test is exactly at z, by bisection."""
    p = successes / n
    low, high = (p, 1.0) if upper else (0.0, p)
    for _ in range(200):
        middle = (low + high) / 2
        inside = abs(p - middle) <= Z_95 * math.sqrt(middle * (1 - middle) / n)
        if inside == upper:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _expected_difference(a: int, n_a: int, b: int, n_b: int) -> tuple[float, float, float]:
    p_a, p_b = a / n_a, b / n_b
    la, ua = _bound(a, n_a, upper=False), _bound(a, n_a, upper=True)
    lb, ub = _bound(b, n_b, upper=False), _bound(b, n_b, upper=True)
    d = p_a - p_b
    return d, d - math.hypot(p_a - la, ub - p_b), d + math.hypot(ua - p_a, p_b - lb)


def _eligible(p: Person) -> bool:
    if p.erased or (p.hired is not None and p.hired > START):
        return False
    return not any(kind is OutcomeKind.EXIT and day < START for kind, day, _ in p.events)


def _had(p: Person, kinds: set[OutcomeKind]) -> bool:
    return any(kind in kinds and START <= day <= END for kind, day, _ in p.events)


def _assert_nothing_small(report: OutcomesReport) -> None:
    for group in report.groups:
        if group.shown:
            assert group.participants is not None
            assert group.participants >= MIN_GROUP_SIZE
            assert group.comparison is not None
            assert group.comparison >= MIN_GROUP_SIZE
        else:
            assert (group.participants, group.comparison, group.rates) == (None, None, [])
    for path, value in (row.split(",", 1) for row in to_csv(report).splitlines()[1:]):
        if path.endswith((".participants", ".comparison")) and value:
            assert int(value) >= MIN_GROUP_SIZE, path


@settings(max_examples=60, deadline=None)
@given(people())
def test_the_report_matches_a_plain_recount(history: list[Person]) -> None:
    program, directory, facts = _documents(history)
    report = outcomes(program, directory, facts, today=TODAY)
    _assert_nothing_small(report)
    registered = {p.key for p in history if p.role is not None}
    measures = {
        "promotion": lambda p: _had(p, {OutcomeKind.PROMOTION}),
        "internal_move": lambda p: _had(
            p, {OutcomeKind.ROLE_CHANGE, OutcomeKind.DEPARTMENT_CHANGE}
        ),
        "retention": lambda p: not _had(p, {OutcomeKind.EXIT}),
    }
    roles = {
        "mentees": {ParticipantRole.MENTEE, ParticipantRole.BOTH},
        "mentors": {ParticipantRole.MENTOR, ParticipantRole.BOTH},
    }
    for group in report.groups:
        ours = [p for p in history if p.role in roles[group.group.value] and _eligible(p)]
        strata = {(p.department, p.seniority, _tenure(p.hired)) for p in ours}
        theirs = [
            p
            for p in history
            if p.key not in registered
            and _eligible(p)
            and (p.department, p.seniority, _tenure(p.hired)) in strata
        ]
        assert group.shown == (min(len(ours), len(theirs)) >= MIN_GROUP_SIZE)
        if not group.shown:
            continue
        assert (group.participants, group.comparison) == (len(ours), len(theirs))
        assert [rate.measure.value for rate in group.rates] == list(measures)
        for rate in group.rates:
            had = measures[rate.measure.value]
            a, b = sum(map(had, ours)), sum(map(had, theirs))
            assert rate.participants_rate == a / len(ours)
            assert rate.comparison_rate == b / len(theirs)
            d, low, high = _expected_difference(a, len(ours), b, len(theirs))
            assert math.isclose(rate.difference, d, abs_tol=1e-12)
            assert math.isclose(rate.ci_low, max(-1.0, low), abs_tol=1e-9)
            assert math.isclose(rate.ci_high, min(1.0, high), abs_tol=1e-9)
            assert rate.ci_low <= rate.difference <= rate.ci_high
        small = any("fewer than 20" in warning for warning in group.warnings)
        assert small == (min(len(ours), len(theirs)) < 20)


@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_bounds_match_the_score_test(case: tuple[int, int]) -> None:
    successes, n = case
    interval = wilson(successes, n)
    assert math.isclose(interval.low, _bound(successes, n, upper=False), abs_tol=1e-9)
    assert math.isclose(interval.high, _bound(successes, n, upper=True), abs_tol=1e-9)


def test_a_known_difference() -> None:
    # Newcombe (1998), table II, example (a): 56/70 against 48/80 -> 0.2000 (0.0524, 0.3339).
    difference, interval = rate_difference(56, 70, 48, 80)
    assert math.isclose(difference, 0.2)
    assert (round(interval.low, 4), round(interval.high, 4)) == (0.0524, 0.3339)


def test_a_program_not_started_has_nothing_to_compare() -> None:
    program, directory, facts = _documents([])
    report = outcomes(program, directory, facts, today=date(2025, 12, 1))
    assert report.groups == []
    assert report.warnings


@settings(max_examples=20, deadline=None)
@given(people())
def test_without_directory_or_hris_the_participants_change_nothing(history: list[Person]) -> None:
    """With no one in the directory or the HRIS no one can be compared: the service then skips
    reading the program's participants (`OutcomeReports.outcomes`)."""
    program, _, _ = _documents(history)
    unread = ProgramFacts(program_id="p", program=program.program)
    assert outcomes(program, {}, [], today=TODAY) == outcomes(unread, {}, [], today=TODAY)
