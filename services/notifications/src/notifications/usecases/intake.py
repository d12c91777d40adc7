"""What the service learns from events, and the notices each event causes.

Every method runs in the consumer's transaction: the facts it stores and the delivery
records its notices become commit together with the event's processed marker, so an event
redelivered or replayed plans nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import (
    ErasureRequested,
    InvitationReminderSent,
    InvitationSent,
    MatchingRunProposed,
    MentorRecognized,
    PairCreated,
    PairEnded,
    ParticipantRegistered,
    ParticipantUpdated,
    ProgramCreated,
    ProgramUpdated,
    RaterInvited,
    SessionCancelled,
    SessionCompleted,
    SessionMissed,
    SessionReminderDue,
    SessionRescheduled,
    SessionScheduled,
)
from mentorship_kit.outbox import Transaction
from mentorship_kit.program_access import ProgramManagers
from notifications.adapters.store import Facts, ProgramSettingsStore
from notifications.domain import notices
from notifications.domain.facts import Pair, Participant, SessionState
from notifications.usecases.planning import Planner

BATCH = "notifications.intake"
_SESSION_EVENTS = (
    SessionScheduled,
    SessionRescheduled,
    SessionCancelled,
    SessionCompleted,
    SessionMissed,
)
"""The events whose handling reads and counts a change of their session."""
logger = logging.getLogger(__name__)


def person_guard(person_id: str) -> str:
    """The erasure guard of a person (beside participants' guards, named by participant id)."""
    return f"person:{person_id}"


@dataclass(frozen=True, slots=True)
class AdminMail:
    """Where messages for the organisation's admins go."""

    emails: tuple[str, ...] = ()
    """Their addresses (ADMIN_EMAILS); none: such messages are not sent."""
    erasure_requests_url: str = ""
    """The console's page of open erasure requests, which the message links to."""


@dataclass
class _Batch:
    pairs: list[tuple[Pair, notices.Notice]] = field(default_factory=list)
    sessions: dict[str, tuple[str, ...]] = field(default_factory=dict)


class Intake:
    """Handles the events notifications follows."""

    def __init__(
        self,
        facts: Facts,
        programs: ProgramSettingsStore,
        planner: Planner,
        program_managers: ProgramManagers,
        admins: AdminMail | None = None,
    ) -> None:
        self._admins = admins or AdminMail()
        self._facts = facts
        self._programs = programs
        self._planner = planner
        self._program_managers = program_managers

    async def prepare(self, events: Sequence[IntegrationEvent], tx: Transaction) -> None:
        """Read what a batch's events will look up, in one go, before they are handled.

        The sessions its session events name, and the erasure guards of the people its
        registrations and invitations name (each handler's own check then reuses the answer;
        an erasure handled later in the batch still sets its guard first).
        """
        await self._facts.prefetch_sessions(
            (event.session_id for event in events if isinstance(event, _SESSION_EVENTS)), tx
        )
        guarded = [
            event.participant_id
            if isinstance(event, ParticipantRegistered | ParticipantUpdated)
            else person_guard(event.person_id)
            for event in events
            if isinstance(
                event,
                ParticipantRegistered
                | ParticipantUpdated
                | InvitationSent
                | InvitationReminderSent,
            )
        ]
        if guarded:
            await self._facts.guards.erased_among(guarded, tx)

    async def program_changed(
        self, state: ProgramCreated | ProgramUpdated, as_of: datetime, tx: Transaction
    ) -> None:
        """Keep the program's name, dates and zone."""
        await self._facts.put_program(state, as_of, tx)

    async def participant_known(
        self,
        event: ParticipantRegistered | ParticipantUpdated,
        event_key: str,
        tx: Transaction,
    ) -> None:
        """Remember the registration; confirm a new one to the person."""
        if await self._facts.guards.erased([event.participant_id], tx):
            return
        await self._facts.put_participant(
            Participant(
                participant_id=event.participant_id,
                person_id=event.person_id,
                program_id=event.program_id,
                role=event.role.value,
                time_zone=event.profile.time_zone,
                languages=tuple(event.profile.languages),
            ),
            tx,
        )
        if isinstance(event, ParticipantRegistered):
            self._planner.stage(notices.registration_confirmed(event_key, event), tx)

    async def invited(
        self, event: InvitationSent | InvitationReminderSent, tx: Transaction
    ) -> None:
        """Invite a person to register (or remind them), unless they were erased since."""
        if await self._facts.guards.erased([person_guard(event.person_id)], tx):
            return
        self._planner.stage(notices.invited(event), tx)

    async def mentor_recognized(self, event: MentorRecognized, tx: Transaction) -> None:
        """Tell the mentor they were recognised (not once they were erased)."""
        if await self._facts.guards.erased([event.participant_id], tx):
            return
        self._planner.stage(notices.mentor_recognized(event), tx)

    async def rater_invited(self, event: RaterInvited, tx: Transaction) -> None:
        """Invite a manager or peer to rate a mentee (not for an erased mentee or rater)."""
        guards = [event.participant_id]
        if event.rater_person_id:
            guards.append(person_guard(event.rater_person_id))
        if await self._facts.guards.erased(guards, tx):
            return
        self._planner.stage(notices.rater_invited(event), tx)

    async def erasure_requested(self, event: ErasureRequested, tx: Transaction) -> None:
        """Tell the organisation's admins that someone asked to be erased."""
        admins = self._admins
        notice = notices.erasure_requested(event, admins.emails, admins.erasure_requests_url)
        if notice is None:
            logger.warning(
                "erasure request not mailed: ADMIN_EMAILS is empty",
                extra={"request_id": event.request_id},
            )
        self._planner.stage(notice, tx)

    async def participant_withdrew(self, participant_id: str, tx: Transaction) -> None:
        """A participant left: no more survey openings for them."""
        await self._facts.withdraw(participant_id, tx)

    async def run_proposed(
        self, event: MatchingRunProposed, event_key: str, tx: Transaction
    ) -> None:
        """Tell the program's managers a proposal waits for them."""
        settings = await self._programs.get(event.program_id, tx)
        managers = notices.manager_recipients(
            [m.manager_id for m in settings.managers],
            [m.person_id for m in settings.managers],
            await self._program_managers.of(event.program_id),
        )
        notice = notices.proposal_ready(event_key, event, managers, chat=settings.chat.configured)
        self._planner.stage(notice, tx)

    async def pair_created(self, event: PairCreated, event_key: str, tx: Transaction) -> None:
        """Remember the pair and tell both members (written with the batch's other pairs)."""
        pair = Pair(
            pair_id=event.pair_id,
            program_id=event.program_id,
            mentor_participant_id=event.mentor_participant_id,
            mentee_participant_id=event.mentee_participant_id,
            score=event.score,
            contributions=dict(event.contributions),
        )
        self._batch(tx).pairs.append((pair, notices.match_made(event_key, event)))

    def _batch(self, tx: Transaction) -> _Batch:
        """What this transaction's handlers buffered, flushed once before it commits."""
        batch: _Batch | None = tx.scratch.get(BATCH)
        if batch is None:
            batch = tx.scratch[BATCH] = _Batch()

            async def flush() -> None:
                await self._flush(batch, tx)

            tx.before_commit(flush)
        return batch

    async def _flush(self, batch: _Batch, tx: Transaction) -> None:
        """Check everyone the batch's pairs and sessions name against erasure, at once.

        Then store the pairs of people not erased, and leave no erased person in a session.
        """
        named = {
            pid
            for pair, _ in batch.pairs
            for pid in (pair.mentor_participant_id, pair.mentee_participant_id)
        } | {pid for members in batch.sessions.values() for pid in members}
        guards = self._facts.guards
        erased: set[str] = set()
        if named and await guards.erased(named, tx):
            erased = {pid for pid in named if await guards.erased([pid], tx)}
        kept = [
            (pair, notice)
            for pair, notice in batch.pairs
            if not {pair.mentor_participant_id, pair.mentee_participant_id} & erased
        ]
        await self._facts.put_pairs([pair for pair, _ in kept], tx)
        for _, notice in kept:
            self._planner.stage(notice, tx)
        if erased:
            await self._facts.delete_person(sorted(erased), tx)

    async def pair_ended(self, event: PairEnded, event_key: str, tx: Transaction) -> None:
        """Tell both members their pair ended."""
        pair = await self._facts.end_pair(event.pair_id, tx)
        members = (
            [pair.mentor_participant_id, pair.mentee_participant_id] if pair is not None else []
        )
        self._planner.stage(notices.pair_ended(event_key, event, members), tx)

    async def session_scheduled(
        self, event: SessionScheduled, event_key: str, tx: Transaction
    ) -> None:
        """A new session (or new attendees): a calendar invitation to each attendee."""
        state = await self._facts.session_changed(
            event.session_id,
            tx,
            set_fields={
                "participant_ids": list(event.participant_ids),
                "starts_at": event.starts_at,
                "duration_minutes": event.duration_minutes,
            },
            on_insert={
                "pair_id": event.pair_id,
                "program_id": event.program_id,
                "ordinal": event.sequence,
            },
        )
        await self._invite(event, event_key, state, tx)

    async def session_rescheduled(
        self, event: SessionRescheduled, event_key: str, tx: Transaction
    ) -> None:
        """A moved session: a REQUEST with a higher SEQUENCE."""
        state = await self._facts.session_changed(
            event.session_id,
            tx,
            set_fields={"starts_at": event.starts_at, "duration_minutes": event.duration_minutes},
        )
        await self._invite(event, event_key, state, tx)

    async def session_cancelled(
        self, event: SessionCancelled, event_key: str, tx: Transaction
    ) -> None:
        """A cancelled session: a CANCEL."""
        state = await self._facts.session_changed(
            event.session_id, tx, set_fields={"cancelled": True}
        )
        await self._invite(event, event_key, state, tx)

    async def _invite(
        self,
        event: SessionScheduled | SessionRescheduled | SessionCancelled,
        event_key: str,
        state: SessionState | None,
        tx: Transaction,
    ) -> None:
        if state is None:
            return
        attendees = list(state.participant_ids)
        self._batch(tx).sessions[state.session_id] = state.participant_ids
        self._planner.stage(
            notices.session_invitation(
                event_key,
                event,
                attendees=attendees,
                sequence=state.sequence,
                duration_minutes=state.duration_minutes,
                ordinal=state.ordinal,
            ),
            tx,
        )

    async def session_completed(
        self, event: SessionCompleted, event_key: str, tx: Transaction
    ) -> None:
        """A "how did it go?"; after the pair's first held session, the fit question."""
        await self._facts.session_changed(event.session_id, tx, set_fields={})
        held = await self._facts.session_held(event.pair_id, event.session_id, tx)
        for notice in notices.session_held(event_key, event, first=held == 1):
            self._planner.stage(notice, tx)

    async def session_missed(self, event: SessionMissed, tx: Transaction) -> None:
        """A missed session changes its version (SEQUENCE) like any other change."""
        await self._facts.session_changed(event.session_id, tx, set_fields={})

    async def reminder_due(
        self, event: SessionReminderDue, event_key: str, tx: Transaction
    ) -> None:
        """A session reminder, once per session, start and lead.

        Scheduling derives the event id from them, so a repeated reminder is the same event.
        """
        self._planner.stage(notices.session_reminder(event_key, event), tx)
