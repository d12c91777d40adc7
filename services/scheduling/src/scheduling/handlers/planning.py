"""Series follow the pairs and their program.

Planned on PairCreated, cut short on PairEnded, scrubbed on erasure, fitted to a program's new
end date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from mentorship_contracts.events import PairCreated, PairEnded, ParticipantErased
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import ProgramFormat, SessionCancelReason
from mentorship_kit.outbox import Transaction
from mentorship_kit.snapshots import SnapshotStore
from scheduling.adapters.people import People
from scheduling.adapters.series import SeriesRepository
from scheduling.adapters.sessions import SessionRepository
from scheduling.domain.planning import (
    PlanningRules,
    ProgramCalendar,
    plan_sessions,
    resume_sessions,
)
from scheduling.domain.recurrence import end_of_day
from scheduling.domain.reminders import pending_reminders
from scheduling.domain.sessions import (
    Member,
    MemberRole,
    Series,
    Session,
    SessionStatus,
    latest_start,
)
from scheduling.handlers import announcements


class Planner:
    """Creates, adjusts and ends series as pairs come and go."""

    def __init__(
        self,
        *,
        programs: SnapshotStore[ProgramState],
        series: SeriesRepository,
        sessions: SessionRepository,
        people: People,
        rules: PlanningRules,
        reminder_leads: Sequence[int],
    ) -> None:
        self._programs = programs
        self._series = series
        self._sessions = sessions
        self._people = people
        self._rules = rules
        self._leads = tuple(reminder_leads)

    async def pair_created(self, pair: PairCreated, tx: Transaction) -> bool:
        """Plan the pair's series, or add the mentee to their group's series.

        A group whose last mentee had left (its series ended) starts again with the new
        mentee. Returns False when the pair's program is not known yet (programs and pairs
        travel on different topics, so a pair may come first); `program_known` plans it later.
        """
        program = await self._programs.get(pair.program_id, tx)
        if program is None:
            return False
        mentor = Member(
            pair.mentor_participant_id, pair.mentor_person_id, MemberRole.MENTOR, pair.pair_id
        )
        mentee = Member(
            pair.mentee_participant_id, pair.mentee_person_id, MemberRole.MENTEE, pair.pair_id
        )
        series_id = pair.group_id or pair.pair_id
        existing = await self._series.get(series_id, tx)
        if existing is None:
            await self._new_series(series_id, program, (mentor, mentee), pair.created_at, tx)
        elif existing.ended and pair.group_id and not existing.has_pair(pair.pair_id):
            await self._restart_group(existing, (mentor, mentee), program, pair.created_at, tx)
        elif not existing.ended and mentee not in existing.members:
            await self._change_members(existing, (*existing.members, mentee), tx)
        return True

    async def pair_ended(self, ended: PairEnded, tx: Transaction) -> None:
        """Cancel what is left of the pair's series (in a group: take the mentee off it)."""
        series = await self._series.of_pair(ended.pair_id, tx)
        if series is None or series.ended:
            return
        staying = tuple(
            m for m in series.members if m.role is MemberRole.MENTOR or m.pair_id != ended.pair_id
        )
        if any(member.role is MemberRole.MENTEE for member in staying):
            await self._change_members(series, staying, tx)
        else:
            await self._end(series, SessionCancelReason.PAIR_ENDED, ended.ended_at, tx)

    async def participant_erased(self, erased: ParticipantErased, tx: Transaction) -> None:
        """Forget the person: their zone, their feed, their place in every series."""
        await self._people.forget(erased.participant_id, erased.person_id, erased.erased_at, tx)
        for series in await self._series.of_participant(erased.participant_id, tx):
            staying = tuple(m for m in series.members if m.participant_id != erased.participant_id)
            roles = {member.role for member in staying}
            ended = series.ended or roles != {MemberRole.MENTOR, MemberRole.MENTEE}
            if ended and not series.ended:
                await self._end(series, SessionCancelReason.PAIR_ENDED, tx.now, tx)
            await self._series.save(replace(series, members=staying, ended=ended), tx)
        await self._sessions.remove_participant(erased.participant_id, tx)

    async def program_changed(
        self, before: ProgramState, after: ProgramState, tx: Transaction
    ) -> None:
        """Fit the program's series to its new end date.

        An earlier end cancels the scheduled sessions after the new last day
        (`program_ended`); a later one extends every running series to it, in the series'
        rhythm (flash pairs keep their one or two sessions). A new cadence moves no session
        already planned: it applies to what is planned from then on (new series, a group
        starting again, an extension), so the dates members have arranged stay as they are.
        """
        if after.ends_on == before.ends_on:
            return
        for series in await self._series.of_program(after.program_id, tx):
            if after.ends_on < before.ends_on:
                last_day = end_of_day(after.ends_on, series.zone)
                await self._cancel(
                    series, SessionCancelReason.PROGRAM_ENDED, max(tx.now, last_day), tx
                )
            elif not series.ended and after.format is not ProgramFormat.FLASH:
                old_end = end_of_day(before.ends_on, series.zone)
                await self._continue(series, after, max(self._lead_from(tx.now), old_end), tx)

    async def _new_series(
        self,
        series_id: str,
        program: ProgramState,
        members: tuple[Member, Member],
        paired_at: datetime,
        tx: Transaction,
    ) -> None:
        zones = await self._people.zones([member.participant_id for member in members], tx)
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
            _calendar(program),
            member_zones=[zones.get(mentee.participant_id, program.time_zone)],
            paired_at=paired_at,
            rules=self._rules,
        )
        await self._series.save(series, tx)
        await self._schedule(sessions, tx)

    async def _restart_group(
        self,
        series: Series,
        members: tuple[Member, Member],
        program: ProgramState,
        paired_at: datetime,
        tx: Transaction,
    ) -> None:
        """The group's series goes on with its new mentee, at its slot, to the program's end."""
        restarted = replace(series, members=members, ended=False)
        await self._series.save(restarted, tx)
        await self._continue(restarted, program, self._lead_from(paired_at), tx)

    async def _continue(
        self, series: Series, program: ProgramState, not_before: datetime, tx: Transaction
    ) -> None:
        """New sessions of ``series`` after ``not_before`` until the program's end.

        They follow the slot and rhythm of its last session (one not cancelled because the
        program was to end earlier); a series without any is planned like a new one, from now.
        """
        sessions = await self._sessions.of_series(series.series_id, tx)
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
                _calendar(program),
                met_at=kept[-1].starts_at,
                not_before=not_before,
                first_sequence=first_sequence,
                now=tx.now,
            )
        else:
            zones = await self._people.zones(series.participant_ids, tx)
            planned = plan_sessions(
                series,
                _calendar(program),
                member_zones=[zones.get(p, program.time_zone) for p in series.participant_ids],
                paired_at=tx.now,
                rules=self._rules,
                first_sequence=first_sequence,
            )
        await self._schedule(planned, tx)

    async def _schedule(self, sessions: Sequence[Session], tx: Transaction) -> None:
        """Store new sessions with their reminders and announce them."""
        await self._sessions.insert(
            [(s, pending_reminders(s.starts_at, self._leads, tx.now)) for s in sessions], tx
        )
        for session in sessions:
            announcements.scheduled(session, tx)

    async def _change_members(
        self, series: Series, members: tuple[Member, ...], tx: Transaction
    ) -> None:
        """New attendees for the series' future sessions, announced again."""
        changed = replace(series, members=members)
        await self._series.save(changed, tx)
        for session in await self._sessions.of_series(series.series_id, tx, after=tx.now):
            if session.status is not SessionStatus.SCHEDULED:
                continue
            updated = session.changed(tx.now, participant_ids=changed.participant_ids)
            reminders = pending_reminders(updated.starts_at, self._leads, tx.now)
            if await self._sessions.update(updated, session.version, tx, reminders):
                announcements.scheduled(updated, tx)

    async def _end(
        self, series: Series, reason: SessionCancelReason, after: datetime, tx: Transaction
    ) -> None:
        """Cancel every scheduled session after ``after`` and close the series."""
        await self._series.save(replace(series, ended=True), tx)
        await self._cancel(series, reason, after, tx)

    async def _cancel(
        self, series: Series, reason: SessionCancelReason, after: datetime, tx: Transaction
    ) -> None:
        """Cancel every scheduled session of ``series`` after ``after``."""
        for session in await self._sessions.of_series(series.series_id, tx, after=after):
            if session.status is not SessionStatus.SCHEDULED:
                continue
            updated = session.changed(tx.now, status=SessionStatus.CANCELLED, cancel_reason=reason)
            if await self._sessions.update(updated, session.version, tx):
                announcements.cancelled(updated, tx)

    def _lead_from(self, instant: datetime) -> datetime:
        """The earliest a session planned at ``instant`` may start."""
        return instant + timedelta(days=self._rules.lead_days)


def _calendar(program: ProgramState) -> ProgramCalendar:
    return ProgramCalendar(
        program_id=program.program_id,
        format=program.format,
        cadence=program.cadence,
        starts_on=program.starts_on,
        ends_on=program.ends_on,
        session_minutes=program.session_minutes,
    )
