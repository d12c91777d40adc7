"""Planning series, and the decisions that keep them in step with their pairs and program.

`plan_sessions` gives a new series its slot and sessions, `resume_sessions` more sessions for
one that goes on.

Each decision (`pair_joins`, `pair_leaves`, `member_erased`, `program_end_moved`) takes the
series and its sessions as loaded, and returns a `SeriesDecision`: the series to store and the
`SessionChanges` (sessions to add or change, events caused). Decisions about several pairs of
one batch are applied one after the other to the same in-memory state (`PlanningState`), so a
group's second mentee joins the series its first one started.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from mentorship_contracts.events import PairCreated
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import Cadence, ProgramFormat, SessionCancelReason
from scheduling.domain import announcements
from scheduling.domain.changes import SessionChanges, cancel_after
from scheduling.domain.recurrence import (
    default_slot,
    end_of_day,
    first_day,
    local_date,
    occurrences,
    resume_day,
    slot_of,
)
from scheduling.domain.sessions import (
    Member,
    MemberRole,
    Series,
    Session,
    SessionStatus,
    latest_start,
    session_id_of,
)


@dataclass(frozen=True, slots=True)
class PlanningRules:
    """How this deployment plans series."""

    weekday: int = 1
    """Default meeting day (Monday 0); Tuesday."""
    lead_days: int = 2
    """The first session is at least this many days after the pair is made."""
    flash_sessions: int = 1
    """Sessions a flash (one-off) pair gets: 1 or 2, a week apart."""


@dataclass(frozen=True, slots=True)
class ProgramCalendar:
    """What planning needs of a program."""

    program_id: str
    format: ProgramFormat
    cadence: Cadence
    starts_on: date
    ends_on: date
    session_minutes: int


def plan_sessions(
    series: Series,
    program: ProgramCalendar,
    *,
    member_zones: Sequence[str],
    paired_at: datetime,
    rules: PlanningRules,
    first_sequence: int = 1,
) -> list[Session]:
    """The sessions of a new series, from the pair's start to the program's end."""
    earliest = max(
        local_date(paired_at, series.zone) + timedelta(days=rules.lead_days), program.starts_on
    )
    slot_probe = first_day(
        default_slot(series.zone, (), rules.weekday, earliest, program.session_minutes),
        earliest,
    )
    slot = default_slot(
        series.zone, member_zones, rules.weekday, slot_probe, program.session_minutes
    )
    flash = program.format is ProgramFormat.FLASH
    starts = occurrences(
        slot,
        Cadence.WEEKLY if flash else program.cadence,
        first_day(slot, earliest),
        program.ends_on,
        limit=rules.flash_sessions if flash else None,
    )
    return _sessions(series, starts, first_sequence, paired_at)


def resume_sessions(
    series: Series,
    program: ProgramCalendar,
    *,
    met_at: datetime,
    not_before: datetime,
    first_sequence: int,
    now: datetime,
) -> list[Session]:
    """More sessions of ``series``, after ``not_before`` until the program's end.

    They keep the slot (weekday and wall-clock time) and the rhythm of the session it had at
    ``met_at``, at the program's current cadence.
    """
    slot = slot_of(met_at, series.zone)
    earliest = max(local_date(not_before, series.zone), program.starts_on)
    first = resume_day(program.cadence, local_date(met_at, series.zone), earliest)
    starts = occurrences(slot, program.cadence, first, program.ends_on)
    return _sessions(series, [s for s in starts if s > not_before], first_sequence, now)


def _sessions(
    series: Series, starts: Sequence[datetime], first_sequence: int, now: datetime
) -> list[Session]:
    participant_ids = series.participant_ids  # computed once, not per session
    return [
        Session(
            session_id=session_id_of(series.series_id, sequence),
            series_id=series.series_id,
            program_id=series.program_id,
            sequence=sequence,
            participant_ids=participant_ids,
            starts_at=start,
            duration_minutes=series.duration_minutes,
            updated_at=now,
        )
        for sequence, start in enumerate(starts, start=first_sequence)
    ]


@dataclass(frozen=True, slots=True)
class KnownPair:
    """A pair scheduling knows of: whether it ended, and whether its series is planned yet."""

    pair: PairCreated
    ended: bool
    planned: bool

    @property
    def being_planned(self) -> bool:
        """Still to be planned (its program may not be known yet)."""
        return not self.planned and not self.ended

    def has_person(self, person_id: str | None) -> bool:
        """Whether ``person_id`` is the mentor or the mentee."""
        return person_id is not None and person_id in {
            self.pair.mentor_person_id,
            self.pair.mentee_person_id,
        }


@dataclass(frozen=True, slots=True)
class SeriesDecision:
    """A series to store (None: unchanged) and what happens to its sessions."""

    series: Series | None = None
    sessions: SessionChanges = field(default_factory=SessionChanges)


def calendar_of(program: ProgramState) -> ProgramCalendar:
    """What planning needs of a program's state."""
    return ProgramCalendar(
        program_id=program.program_id,
        format=program.format,
        cadence=program.cadence,
        starts_on=program.starts_on,
        ends_on=program.ends_on,
        session_minutes=program.session_minutes,
    )


def series_id_of(pair: PairCreated) -> str:
    """The series a pair belongs to: its group's, or its own."""
    return pair.group_id or pair.pair_id


def pair_joins(
    pair: PairCreated,
    program: ProgramState,
    existing: Series | None,
    sessions: Sequence[Session],
    *,
    zones: Mapping[str, str],
    rules: PlanningRules,
    now: datetime,
) -> SeriesDecision:
    """Plan a new pair's series, or add the mentee to their group's series.

    ``existing`` is the series the pair belongs to (``sessions`` its sessions), if there is
    one; ``zones`` are the members' known time zones (the program's zone stands in for an
    unknown one). A group whose last mentee had left (its series ended) starts again with the
    new mentee; a pair already in its series changes nothing.
    """
    mentor = Member(
        pair.mentor_participant_id, pair.mentor_person_id, MemberRole.MENTOR, pair.pair_id
    )
    mentee = Member(
        pair.mentee_participant_id, pair.mentee_person_id, MemberRole.MENTEE, pair.pair_id
    )
    if existing is None:
        return _new_series(
            series_id_of(pair), program, (mentor, mentee), pair.created_at, zones=zones, rules=rules
        )
    if existing.ended and pair.group_id and not existing.has_pair(pair.pair_id):
        restarted = replace(existing, members=(mentor, mentee), ended=False)
        not_before = pair.created_at + timedelta(days=rules.lead_days)
        continued = _continue(
            restarted, program, not_before, sessions, zones=zones, rules=rules, now=now
        )
        return SeriesDecision(restarted, continued)
    if not existing.ended and mentee not in existing.members:
        return _change_members(existing, (*existing.members, mentee), sessions, now)
    return SeriesDecision()


def pair_leaves(
    series: Series, pair_id: str, sessions: Sequence[Session], *, ended_at: datetime, now: datetime
) -> SeriesDecision:
    """A pair ended: cancel what is left of its series (in a group: take the mentee off it)."""
    if series.ended:
        return SeriesDecision()
    staying = tuple(
        m for m in series.members if m.role is MemberRole.MENTOR or m.pair_id != pair_id
    )
    if any(member.role is MemberRole.MENTEE for member in staying):
        return _change_members(series, staying, sessions, now)
    return _end(series, SessionCancelReason.PAIR_ENDED, ended_at, sessions, now)


def member_erased(
    series: Series, participant_id: str, sessions: Sequence[Session], now: datetime
) -> SeriesDecision:
    """Take an erased participant out of ``series``; it ends unless a mentor and mentee stay.

    Their place in the sessions themselves is removed by the caller, in every session.
    """
    staying = tuple(m for m in series.members if m.participant_id != participant_id)
    roles = {member.role for member in staying}
    ended = series.ended or roles != {MemberRole.MENTOR, MemberRole.MENTEE}
    changes = SessionChanges()
    if ended and not series.ended:
        changes = cancel_after(sessions, SessionCancelReason.PAIR_ENDED, now, now)
    return SeriesDecision(replace(series, members=staying, ended=ended), changes)


def program_end_moved(
    before: ProgramState,
    after: ProgramState,
    series: Series,
    sessions: Sequence[Session],
    *,
    zones: Mapping[str, str],
    rules: PlanningRules,
    now: datetime,
) -> SeriesDecision:
    """Fit a series of a program to the program's new end date.

    An earlier end cancels the scheduled sessions after the new last day (`program_ended`); a
    later one extends a running series to it, in the series' rhythm (flash pairs keep their
    one or two sessions). A new cadence moves no session already planned: it applies to what
    is planned from then on (new series, a group starting again, an extension), so the dates
    members have arranged stay as they are.
    """
    if after.ends_on == before.ends_on:
        return SeriesDecision()
    if after.ends_on < before.ends_on:
        last_day = end_of_day(after.ends_on, series.zone)
        reason = SessionCancelReason.PROGRAM_ENDED
        return SeriesDecision(sessions=cancel_after(sessions, reason, max(now, last_day), now))
    if series.ended or after.format is ProgramFormat.FLASH:
        return SeriesDecision()
    old_end = end_of_day(before.ends_on, series.zone)
    not_before = max(now + timedelta(days=rules.lead_days), old_end)
    return SeriesDecision(
        sessions=_continue(series, after, not_before, sessions, zones=zones, rules=rules, now=now)
    )


@dataclass(slots=True)
class PlanningState:
    """Series and sessions as loaded for a batch of pairs, and as the batch's decisions left them.

    `apply` folds a decision in, so that the next decision of the batch sees it.
    """

    series: dict[str, Series] = field(default_factory=dict)
    sessions: dict[str, list[Session]] = field(default_factory=dict)

    def series_sessions(self, series_id: str) -> list[Session]:
        """The sessions of ``series_id`` as they stand, in time order."""
        return self.sessions.get(series_id, [])

    def apply(self, series_id: str, decision: SeriesDecision) -> None:
        """Fold ``decision`` about ``series_id`` into the state."""
        if decision.series is not None:
            self.series[series_id] = decision.series
        current = {s.session_id: s for s in self.series_sessions(series_id)}
        current |= {s.session_id: s for s in decision.sessions.sessions}
        self.sessions[series_id] = sorted(current.values(), key=lambda s: s.starts_at)


def _new_series(
    series_id: str,
    program: ProgramState,
    members: tuple[Member, Member],
    paired_at: datetime,
    *,
    zones: Mapping[str, str],
    rules: PlanningRules,
) -> SeriesDecision:
    mentor, mentee = members
    series = Series(
        series_id=series_id,
        program_id=program.program_id,
        members=members,
        zone=zones.get(mentor.participant_id, program.time_zone),
        duration_minutes=program.session_minutes,
    )
    sessions = plan_sessions(
        series,
        calendar_of(program),
        member_zones=[zones.get(mentee.participant_id, program.time_zone)],
        paired_at=paired_at,
        rules=rules,
    )
    return SeriesDecision(series, SessionChanges.scheduling(sessions))


def _continue(
    series: Series,
    program: ProgramState,
    not_before: datetime,
    sessions: Sequence[Session],
    *,
    zones: Mapping[str, str],
    rules: PlanningRules,
    now: datetime,
) -> SessionChanges:
    """New sessions of ``series`` after ``not_before`` until the program's end.

    They follow the slot and rhythm of its last session (one not cancelled because the
    program was to end earlier); a series without any is planned like a new one, from now.
    """
    latest = latest_start(program.ends_on)
    kept = [
        s
        for s in sessions
        if s.cancel_reason is not SessionCancelReason.PROGRAM_ENDED and s.starts_at <= latest
    ]
    first_sequence = max((s.sequence for s in sessions), default=0) + 1
    if kept:
        planned = resume_sessions(
            series,
            calendar_of(program),
            met_at=kept[-1].starts_at,
            not_before=not_before,
            first_sequence=first_sequence,
            now=now,
        )
    else:
        planned = plan_sessions(
            series,
            calendar_of(program),
            member_zones=[zones.get(p, program.time_zone) for p in series.participant_ids],
            paired_at=now,
            rules=rules,
            first_sequence=first_sequence,
        )
    return SessionChanges.scheduling(planned)


def _change_members(
    series: Series, members: tuple[Member, ...], sessions: Sequence[Session], now: datetime
) -> SeriesDecision:
    """New attendees for the series' future sessions, announced again."""
    changed = replace(series, members=members)
    updates = tuple(
        (session, session.changed(now, participant_ids=changed.participant_ids))
        for session in sessions
        if session.starts_at > now and session.status is SessionStatus.SCHEDULED
    )
    events = tuple(announcements.scheduled(after) for _, after in updates)
    return SeriesDecision(changed, SessionChanges(changed=updates, events=events))


def _end(
    series: Series,
    reason: SessionCancelReason,
    after: datetime,
    sessions: Sequence[Session],
    now: datetime,
) -> SeriesDecision:
    """Cancel every scheduled session after ``after`` and close the series."""
    return SeriesDecision(replace(series, ended=True), cancel_after(sessions, reason, after, now))
