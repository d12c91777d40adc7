"""Business outcomes of a program's participants against a comparison group of non-participants.

Who is compared, over the program's period (its first day to its last, or today while it runs):

- *participants*: the program's mentees (and, separately, its mentors; someone registered as
  both is in both), registered and not erased, withdrawn or not (what they did while in
  counts), as the directory knows them (their person key);
- *the comparison group*: the organisation's other people (the directory's and those the HRIS
  reported outcomes about), not registered in this program, of the same department, seniority
  and tenure band as at least one participant (the directory's department and seniority; the
  tenure band from the HRIS ``hired`` day, as of the period's first day: under 1 year, 1-3,
  3-5, 5 or more, unknown).

Neither group counts someone hired after the period began, who left before it, or whom the
directory erased. Each person's outcome over the period: *promoted* (a promotion in the
period), *moved internally* (a role or department change in the period), *retained* (no exit
in the period). The report gives each rate per group, the difference (participants minus
comparison) with its 95% interval (`analytics.domain.comparison`: Newcombe's score method,
deterministic), the groups' sizes, and warnings in plain words when a group has fewer than 20
people or the groups differ at baseline (their average performance band before the period,
or their mix of department, seniority and tenure).

No group of fewer than five people is ever shown: when either group of a comparison is
smaller, that comparison shows no size, rate or difference, only that it is hidden.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from analytics.domain.comparison import rate_difference
from analytics.domain.documents import OutcomeFact, ParticipantFact, PersonFact, ProgramFacts
from mentorship_contracts.types import OutcomeKind, ParticipantRole, Seniority

MIN_GROUP_SIZE = 5
"""Groups smaller than this are never shown, in any report or CSV."""
SMALL_GROUP_SIZE = 20
"""Groups smaller than this get a warning: too few for a reliable comparison."""
BASELINE_BAND_GAP = 0.5
"""A gap in average performance band before the period that counts as differing at baseline."""
BASELINE_MIX_GAP = 0.2
"""A share of people whose department/seniority/tenure mix would have to change group."""
METHOD = (
    "Rates over the program's period; difference = participants - comparison group, 95% "
    "interval by Newcombe's hybrid score method (deterministic); comparison group: "
    "non-participants of the participants' department, seniority and tenure bands."
)


class TenureBand(StrEnum):
    """How long someone had worked here on the period's first day."""

    UNDER_1 = "under_1y"
    ONE_TO_3 = "1_3y"
    THREE_TO_5 = "3_5y"
    FIVE_PLUS = "5y_plus"
    UNKNOWN = "unknown"


class Group(StrEnum):
    """Which participants are compared."""

    MENTEES = "mentees"
    MENTORS = "mentors"


class Measure(StrEnum):
    """An outcome rate."""

    PROMOTION = "promotion"
    INTERNAL_MOVE = "internal_move"
    RETENTION = "retention"


_MOVES = {OutcomeKind.ROLE_CHANGE, OutcomeKind.DEPARTMENT_CHANGE}


def tenure_band(hired_on: date | None, on: date) -> TenureBand:
    """The tenure band of someone hired on ``hired_on`` as of ``on``."""
    if hired_on is None:
        return TenureBand.UNKNOWN
    years = on.year - hired_on.year - ((on.month, on.day) < (hired_on.month, hired_on.day))
    if years < 1:
        return TenureBand.UNDER_1
    if years < 3:
        return TenureBand.ONE_TO_3
    if years < 5:
        return TenureBand.THREE_TO_5
    return TenureBand.FIVE_PLUS


type Stratum = tuple[str | None, Seniority | None, TenureBand]


@dataclass(frozen=True, slots=True)
class Member:
    """One person's place and outcomes over the period."""

    key: str
    stratum: Stratum
    promoted: bool
    moved: bool
    retained: bool
    baseline_band: int | None

    def has(self, measure: Measure) -> bool:
        """Whether the person had this outcome."""
        return {
            Measure.PROMOTION: self.promoted,
            Measure.INTERNAL_MOVE: self.moved,
            Measure.RETENTION: self.retained,
        }[measure]


def members(
    people: Mapping[str, PersonFact], outcomes: Iterable[OutcomeFact], start: date, end: date
) -> dict[str, Member]:
    """Everyone who can be compared over [start, end], by person key."""
    by_person: dict[str, list[OutcomeFact]] = defaultdict(list)
    for outcome in outcomes:
        by_person[outcome.person_key].append(outcome)
    found: dict[str, Member] = {}
    for key in set(people) | set(by_person):
        person = people.get(key)
        if person is not None and person.erased:
            continue
        facts = by_person.get(key, [])
        hired = min((f.occurred_on for f in facts if f.kind is OutcomeKind.HIRED), default=None)
        exits = [f.occurred_on for f in facts if f.kind is OutcomeKind.EXIT]
        if (hired is not None and hired > start) or any(day < start for day in exits):
            continue
        during = [f for f in facts if start <= f.occurred_on <= end]
        bands = sorted(
            (f.occurred_on, f.performance_band)
            for f in facts
            if f.kind is OutcomeKind.PERFORMANCE_BAND and f.occurred_on < start
        )
        found[key] = Member(
            key=key,
            stratum=(
                person.department if person else None,
                person.seniority if person else None,
                tenure_band(hired, start),
            ),
            promoted=any(f.kind is OutcomeKind.PROMOTION for f in during),
            moved=any(f.kind in _MOVES for f in during),
            retained=not any(f.kind is OutcomeKind.EXIT for f in during),
            baseline_band=bands[-1][1] if bands else None,
        )
    return found


class RateComparison(BaseModel):
    """One outcome's rate in both groups and their difference."""

    measure: Measure
    participants_rate: float
    comparison_rate: float
    difference: float = Field(description="Participants' rate minus the comparison group's.")
    ci_low: float = Field(description="95% interval of the difference.")
    ci_high: float


class GroupComparison(BaseModel):
    """Participants of one kind against their comparison group."""

    group: Group
    shown: bool = Field(description="False when either group has fewer than five people.")
    participants: int | None = Field(description="Group size; None when hidden.")
    comparison: int | None
    rates: list[RateComparison]
    warnings: list[str]


class OutcomesReport(BaseModel):
    """Promotion, internal move and retention of participants against non-participants."""

    program_id: str
    period_start: date | None
    period_end: date | None
    min_group_size: int = MIN_GROUP_SIZE
    method: str = METHOD
    groups: list[GroupComparison]
    warnings: list[str]


def _in_group(participant: ParticipantFact, group: Group) -> bool:
    roles = {
        Group.MENTEES: {ParticipantRole.MENTEE, ParticipantRole.BOTH},
        Group.MENTORS: {ParticipantRole.MENTOR, ParticipantRole.BOTH},
    }[group]
    return participant.role in roles and not participant.erased and bool(participant.person_key)


def _mix_gap(a: Sequence[Member], b: Sequence[Member]) -> float:
    """Total variation distance between the groups' strata (0: the same mix, 1: disjoint)."""
    count_a, count_b = Counter(m.stratum for m in a), Counter(m.stratum for m in b)
    return (
        sum(abs(count_a[s] / len(a) - count_b[s] / len(b)) for s in set(count_a) | set(count_b)) / 2
    )


def _band_average(group: Sequence[Member]) -> float | None:
    bands = [m.baseline_band for m in group if m.baseline_band is not None]
    return sum(bands) / len(bands) if len(bands) >= MIN_GROUP_SIZE else None


def compare(
    group: Group, participants: Sequence[Member], pool: Sequence[Member]
) -> GroupComparison:
    """``participants`` against the people of ``pool`` who share a stratum with one of them."""
    strata = {m.stratum for m in participants}
    comparison = [m for m in pool if m.stratum in strata]
    n_p, n_c = len(participants), len(comparison)
    if min(n_p, n_c) < MIN_GROUP_SIZE:
        return GroupComparison(
            group=group,
            shown=False,
            participants=None,
            comparison=None,
            rates=[],
            warnings=[
                (
                    f"Hidden: the {group.value} or their comparison group have fewer than "
                    f"{MIN_GROUP_SIZE} people, and groups that small are never shown."
                )
            ],
        )
    rates = []
    for measure in Measure:
        hits_p = sum(m.has(measure) for m in participants)
        hits_c = sum(m.has(measure) for m in comparison)
        difference, interval = rate_difference(hits_p, n_p, hits_c, n_c)
        rates.append(
            RateComparison(
                measure=measure,
                participants_rate=hits_p / n_p,
                comparison_rate=hits_c / n_c,
                difference=difference,
                ci_low=interval.low,
                ci_high=interval.high,
            )
        )
    warnings = [
        f"Only {n} {who} (fewer than {SMALL_GROUP_SIZE}): too few for a reliable comparison."
        for n, who in ((n_p, group.value), (n_c, "people in the comparison group"))
        if n < SMALL_GROUP_SIZE
    ]
    band_p, band_c = _band_average(participants), _band_average(comparison)
    if band_p is not None and band_c is not None and abs(band_p - band_c) >= BASELINE_BAND_GAP:
        warnings.append(
            f"The groups differ at baseline: average performance band {band_p:.1f} for the "
            f"{group.value} against {band_c:.1f} for the comparison group before the program."
        )
    gap = _mix_gap(participants, comparison)
    if gap > BASELINE_MIX_GAP:
        warnings.append(
            f"The groups differ at baseline: their mix of department, seniority and tenure "
            f"differs by {gap:.0%} (the share of people who would have to change), so part of "
            f"any difference may come from who is in each group."
        )
    return GroupComparison(
        group=group,
        shown=True,
        participants=n_p,
        comparison=n_c,
        rates=rates,
        warnings=warnings,
    )


def outcomes(
    facts: ProgramFacts,
    people: Mapping[str, PersonFact],
    outcome_facts: Iterable[OutcomeFact],
    *,
    today: date,
) -> OutcomesReport:
    """The program's outcomes report as of ``today``."""
    program = facts.program
    if program is None or program.starts_on > today:
        return OutcomesReport(
            program_id=facts.program_id,
            period_start=program.starts_on if program else None,
            period_end=None,
            groups=[],
            warnings=["The program has not started: there is no period to compare yet."],
        )
    start, end = program.starts_on, min(program.ends_on, today)
    everyone = members(people, outcome_facts, start, end)
    registered = {p.person_key for p in facts.participants if p.person_key}
    pool = [m for key, m in sorted(everyone.items()) if key not in registered]
    groups = []
    for group in Group:
        keys = {p.person_key for p in facts.participants if _in_group(p, group)}
        participants = [everyone[key] for key in sorted(keys) if key in everyone]
        groups.append(compare(group, participants, pool))
    return OutcomesReport(
        program_id=facts.program_id, period_start=start, period_end=end, groups=groups, warnings=[]
    )
