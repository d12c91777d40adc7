"""The skills growth report against a plain recount on random assessment histories.

The recount pairs each mentee's first and end ratings by hand, computes the mean change and
its t interval with a table of Student's t quantiles (not the report's expansion) and counts
the mentees whose self and mentor ratings both rose; no group under five is ever shown, in the
report or its CSV.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.domain.comparison import wilson
from analytics.domain.documents import ProgramFacts, SkillsFact
from analytics.domain.skills_growth import MIN_GROUP_SIZE, skills_growth, t_quantile_975
from analytics.entrypoints.http.csv_export import to_csv
from mentorship_contracts.types import AssessmentMoment, RaterKind

T_975 = {  # Student's t, two-sided 95%, from the standard tables
    4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228, 11: 2.201,
    12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
    20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060,
}  # fmt: skip
SKILLS = ("delegation", "public_speaking")
FIRST = {
    RaterKind.SELF: AssessmentMoment.BASELINE,
    RaterKind.MENTOR: AssessmentMoment.MIDPOINT,
    RaterKind.MANAGER: AssessmentMoment.BASELINE,
    RaterKind.PEER: AssessmentMoment.BASELINE,
}

Rating = tuple[int, int] | None
Mentee = dict[RaterKind, tuple[Rating, Rating]]

level = st.integers(1, 5)
# per skill: (first, end), or None when not rated at both moments
rating: st.SearchStrategy[Rating] = st.none() | st.tuples(level, level)
mentee: st.SearchStrategy[Mentee] = st.fixed_dictionaries(
    {kind: st.tuples(rating, rating) for kind in RaterKind}
)


def _facts(mentees: list[Mentee]) -> ProgramFacts:
    facts: list[SkillsFact] = []
    for number, ratings in enumerate(mentees):
        for kind, per_skill in ratings.items():
            for moment_index, moment in enumerate((FIRST[kind], AssessmentMoment.END)):
                levels = {
                    skill: float(pair[moment_index])
                    for skill, pair in zip(SKILLS, per_skill, strict=True)
                    if pair is not None
                }
                if levels:
                    facts.append(
                        SkillsFact(
                            id=f"sa-{number}-{kind}-{moment}",
                            program_id="prog",
                            owner_key=f"m{number}",
                            version="1",
                            rater_kind=kind,
                            moment=moment,
                            levels=levels,
                        )
                    )
    return ProgramFacts(program_id="prog", skills=facts)


def test_the_t_quantiles_match_the_table() -> None:
    for df, t in T_975.items():
        assert t_quantile_975(df) == pytest.approx(t, abs=0.001)


@settings(max_examples=150, deadline=None)
@given(st.lists(mentee, max_size=14))
def test_growth_matches_a_plain_recount(
    mentees: list[Mentee],
) -> None:
    report = skills_growth(_facts(mentees))
    rows = {(row.skill, row.rater_kind): row for row in report.growth}
    for index, skill in enumerate(SKILLS):
        for kind in RaterKind:
            pairs = [p for m in mentees if (p := m[kind][index]) is not None]
            row = rows.get((skill, kind))
            if not pairs:
                assert row is None
                continue
            assert row is not None
            if len(pairs) < MIN_GROUP_SIZE:
                assert row.hidden
                assert row.mentees is row.change is row.change_low is row.first_mean is None
                continue
            diffs = [end - first for first, end in pairs]
            n = len(diffs)
            mean = sum(diffs) / n
            sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1))
            half = T_975[n - 1] * sd / math.sqrt(n)
            assert row.mentees == n
            assert row.change == pytest.approx(mean, abs=0.001)
            assert row.change_low == pytest.approx(mean - half, abs=0.005)
            assert row.change_high == pytest.approx(mean + half, abs=0.005)
        both = [
            (own, theirs)
            for m in mentees
            if (own := m[RaterKind.SELF][index]) is not None
            and (theirs := m[RaterKind.MENTOR][index]) is not None
        ]
        found = [row for row in report.both_rose if row.skill == skill]
        if not both:
            assert not found
            continue
        (row_both,) = found
        if len(both) < MIN_GROUP_SIZE:
            assert row_both.hidden
            assert row_both.share is row_both.mentees is None
            continue
        rose = sum(1 for own, theirs in both if own[1] > own[0] and theirs[1] > theirs[0])
        assert row_both.mentees == len(both)
        assert row_both.share == pytest.approx(rose / len(both), abs=0.001)
        assert row_both.share_low == pytest.approx(wilson(rose, len(both)).low, abs=0.001)
    shown = [
        int(line.rsplit(",", 1)[1])
        for line in to_csv(report).splitlines()
        if "].mentees," in line and line.rsplit(",", 1)[1]
    ]
    assert all(n >= MIN_GROUP_SIZE for n in shown)
