"""Reading and changing sessions on behalf of a pair's members or an admin."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import SessionCancelReason
from mentorship_kit.auth import Principal
from mentorship_kit.errors import ForbiddenError, NotFoundError, RuleError
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.snapshots import SnapshotStore
from scheduling.adapters.people import People
from scheduling.adapters.series import SeriesRepository
from scheduling.adapters.sessions import SessionRepository
from scheduling.domain.reminders import pending_reminders
from scheduling.domain.sessions import (
    Series,
    Session,
    SessionStatus,
    check_cancel,
    check_cancel_reason,
    check_held,
    check_missed,
    check_reschedule,
    rescheduled_starts,
)
from scheduling.handlers import announcements


class ConcurrentChangeError(RuleError):
    """Someone changed the session at the same moment; read it again and retry."""

    def __init__(self, message: str) -> None:
        super().__init__("concurrent_change", f"{message}; read it again and retry")


class RescheduleScope(StrEnum):
    """How much of a series a reschedule moves."""

    THIS = "this"
    FOLLOWING = "following"
    """This session and every later scheduled one, by the same wall-clock shift."""


class SessionService:
    """Session queries and changes, with the membership check first."""

    def __init__(
        self,
        transactor: Transactor,
        *,
        programs: SnapshotStore[ProgramState],
        series: SeriesRepository,
        sessions: SessionRepository,
        people: People,
        reminder_leads: Sequence[int],
    ) -> None:
        self._transactor = transactor
        self._programs = programs
        self._series = series
        self._sessions = sessions
        self._people = people
        self._leads = tuple(reminder_leads)

    async def series(self, series_id: str, caller: Principal) -> tuple[Series, list[Session]]:
        """A series and its sessions, for a member or an admin."""
        series = await self._series.get(series_id)
        if series is None:
            raise NotFoundError(f"pair {series_id}")
        _authorise(series, caller)
        return series, await self._sessions.of_series(series_id)

    async def session(self, session_id: str, caller: Principal) -> tuple[Series, Session]:
        """A session, for a member of its series or an admin."""
        session = await self._sessions.get(session_id)
        series = await self._series.get(session.series_id) if session else None
        if session is None or series is None:
            raise NotFoundError(f"session {session_id}")
        _authorise(series, caller)
        return series, session

    async def of_person(self, person_id: str) -> list[Session]:
        """Every session of a person, across programs."""
        participant_ids = {
            member.participant_id
            for series in await self._series.of_person(person_id)
            for member in series.members
            if member.person_id == person_id
        }
        return await self._sessions.of_participants(sorted(participant_ids))

    async def of_participant(self, participant_id: str) -> list[Session]:
        """Every session of one participant (admin view)."""
        return await self._sessions.of_participants([participant_id])

    async def zones(self, participant_ids: Sequence[str]) -> dict[str, str]:
        """The participants' time zones, as far as known."""
        return await self._people.zones(participant_ids)

    async def reschedule(
        self,
        session_id: str,
        starts_at: datetime,
        duration_minutes: int | None,
        scope: RescheduleScope,
        caller: Principal,
    ) -> list[Session]:
        """Move a session (or it and the rest of its series); returns what moved.

        Every new start lies within the program (checked before anything is stored).
        """

        async def work(tx: Transaction) -> list[Session]:
            series, session = await self._change_target(session_id, caller, tx)
            check_reschedule(session, starts_at, tx.now)
            program = await self._programs.get(series.program_id, tx)
            if program is None:
                raise NotFoundError(f"program {series.program_id}")
            following = []
            if scope is RescheduleScope.FOLLOWING:
                later = await self._sessions.of_series(
                    series.series_id, tx, after=session.starts_at
                )
                following = [s for s in later if s.status is SessionStatus.SCHEDULED]
            targets = [session, *following]
            new_starts = rescheduled_starts(
                session, following, starts_at, zone=series.zone, program_ends_on=program.ends_on
            )
            moved = []
            for target, new_start in zip(targets, new_starts, strict=True):
                updated = target.changed(
                    tx.now,
                    starts_at=new_start,
                    duration_minutes=duration_minutes or target.duration_minutes,
                )
                await self._save(target, updated, tx)
                announcements.rescheduled(target, updated, tx)
                moved.append(updated)
            return moved

        return await self._transactor.run(work)

    async def cancel(
        self, session_id: str, reason: SessionCancelReason | None, caller: Principal
    ) -> Session:
        """Cancel a future session."""

        async def work(tx: Transaction) -> Session:
            _, session = await self._change_target(session_id, caller, tx)
            given = reason or (
                SessionCancelReason.ADMIN_DECISION
                if caller.is_admin
                else SessionCancelReason.PARTICIPANT_REQUEST
            )
            check_cancel_reason(given, by_admin=caller.is_admin)
            check_cancel(session, tx.now)
            updated = session.changed(tx.now, status=SessionStatus.CANCELLED, cancel_reason=given)
            await self._save(session, updated, tx)
            announcements.cancelled(updated, tx)
            return updated

        return await self._transactor.run(work)

    async def mark_held(
        self,
        session_id: str,
        held_at: datetime | None,
        duration_minutes: int | None,
        caller: Principal,
    ) -> Session:
        """Record that a session took place (once)."""

        async def work(tx: Transaction) -> Session:
            _, session = await self._change_target(session_id, caller, tx)
            started = held_at or min(session.starts_at, tx.now)
            check_held(session, started, tx.now)
            updated = session.changed(
                tx.now,
                status=SessionStatus.HELD,
                held_at=started,
                held_minutes=duration_minutes or session.duration_minutes,
            )
            await self._save(session, updated, tx)
            announcements.completed(updated, tx)
            return updated

        return await self._transactor.run(work)

    async def mark_missed(self, session_id: str, caller: Principal) -> Session:
        """Record that a session did not take place."""

        async def work(tx: Transaction) -> Session:
            _, session = await self._change_target(session_id, caller, tx)
            check_missed(session, tx.now)
            updated = session.changed(tx.now, status=SessionStatus.MISSED)
            await self._save(session, updated, tx)
            announcements.missed(updated, tx.now, tx)
            return updated

        return await self._transactor.run(work)

    async def _change_target(
        self, session_id: str, caller: Principal, tx: Transaction
    ) -> tuple[Series, Session]:
        session = await self._sessions.get(session_id, tx)
        series = await self._series.get(session.series_id, tx) if session else None
        if session is None or series is None:
            raise NotFoundError(f"session {session_id}")
        _authorise(series, caller)
        return series, session

    async def _save(self, before: Session, after: Session, tx: Transaction) -> None:
        reminders = pending_reminders(after.starts_at, self._leads, tx.now)
        if not await self._sessions.update(after, before.version, tx, reminders):
            msg = f"session {before.session_id} changed meanwhile"
            raise ConcurrentChangeError(msg)


def _authorise(series: Series, caller: Principal) -> None:
    if caller.is_admin or series.has_person(caller.person_id):
        return
    msg = "only the pair's members or an admin may see or change these sessions"
    raise ForbiddenError(msg)
