"""What notifications listens to.

Each handler translates its event and calls a use case in the consumer's transaction (the event id
keys the deliveries it plans).
"""

from __future__ import annotations

from collections.abc import Sequence

from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_contracts.events import (
    DirectoryPersonErased,
    ErasureRequested,
    InvitationReminderSent,
    InvitationSent,
    MatchingRunProposed,
    MentorRecognized,
    PairCreated,
    PairEnded,
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrew,
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
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.outbox import Transaction
from mentorship_kit.program_access import ProgramManagers
from notifications.usecases.intake import Intake
from notifications.usecases.people import People


def register_event_handlers(
    handlers: EventHandlers, intake: Intake, people: People, managers: ProgramManagers
) -> None:
    """Subscribe notifications to the events it turns into messages (and who manages what)."""

    @handlers.before_batch
    async def prepare(events: Sequence[Envelope[IntegrationEvent]], tx: Transaction) -> None:
        await intake.prepare([event.data for event in events], tx)

    async def program_changed(
        event: Envelope[ProgramCreated] | Envelope[ProgramUpdated], tx: Transaction
    ) -> None:
        await intake.program_changed(event.data, event.occurred_at, tx)

    handlers.on(ProgramCreated)(managers.recording(program_changed))
    handlers.on(ProgramUpdated)(managers.recording(program_changed))

    async def participant_known(
        event: Envelope[ParticipantRegistered] | Envelope[ParticipantUpdated], tx: Transaction
    ) -> None:
        await intake.participant_known(event.data, str(event.event_id), tx)

    handlers.on(ParticipantRegistered)(participant_known)
    handlers.on(ParticipantUpdated)(participant_known)

    @handlers.on(ParticipantWithdrew)
    async def on_withdrew(event: Envelope[ParticipantWithdrew], tx: Transaction) -> None:
        await intake.participant_withdrew(event.data.participant_id, tx)

    @handlers.on(ParticipantErased)
    async def on_erased(event: Envelope[ParticipantErased], tx: Transaction) -> None:
        await people.erase(event.data.participant_id, event.data.person_id, tx)

    async def invited(
        event: Envelope[InvitationSent] | Envelope[InvitationReminderSent], tx: Transaction
    ) -> None:
        await intake.invited(event.data, tx)

    handlers.on(InvitationSent)(invited)
    handlers.on(InvitationReminderSent)(invited)

    @handlers.on(DirectoryPersonErased)
    async def on_person_erased(event: Envelope[DirectoryPersonErased], tx: Transaction) -> None:
        await people.erase_person(event.data.person_id, tx)

    @handlers.on(ErasureRequested)
    async def on_erasure_requested(event: Envelope[ErasureRequested], tx: Transaction) -> None:
        await intake.erasure_requested(event.data, tx)

    @handlers.on(MatchingRunProposed)
    async def on_proposed(event: Envelope[MatchingRunProposed], tx: Transaction) -> None:
        await intake.run_proposed(event.data, str(event.event_id), tx)

    @handlers.on(PairCreated)
    async def on_pair(event: Envelope[PairCreated], tx: Transaction) -> None:
        await intake.pair_created(event.data, str(event.event_id), tx)

    @handlers.on(PairEnded)
    async def on_pair_ended(event: Envelope[PairEnded], tx: Transaction) -> None:
        await intake.pair_ended(event.data, str(event.event_id), tx)

    @handlers.on(SessionScheduled)
    async def on_scheduled(event: Envelope[SessionScheduled], tx: Transaction) -> None:
        await intake.session_scheduled(event.data, str(event.event_id), tx)

    @handlers.on(SessionRescheduled)
    async def on_rescheduled(event: Envelope[SessionRescheduled], tx: Transaction) -> None:
        await intake.session_rescheduled(event.data, str(event.event_id), tx)

    @handlers.on(SessionCancelled)
    async def on_cancelled(event: Envelope[SessionCancelled], tx: Transaction) -> None:
        await intake.session_cancelled(event.data, str(event.event_id), tx)

    @handlers.on(SessionCompleted)
    async def on_completed(event: Envelope[SessionCompleted], tx: Transaction) -> None:
        await intake.session_completed(event.data, str(event.event_id), tx)

    @handlers.on(SessionMissed)
    async def on_missed(event: Envelope[SessionMissed], tx: Transaction) -> None:
        await intake.session_missed(event.data, tx)

    @handlers.on(SessionReminderDue)
    async def on_reminder(event: Envelope[SessionReminderDue], tx: Transaction) -> None:
        await intake.reminder_due(event.data, str(event.event_id), tx)

    @handlers.on(MentorRecognized)
    async def on_recognized(event: Envelope[MentorRecognized], tx: Transaction) -> None:
        await intake.mentor_recognized(event.data, tx)

    @handlers.on(RaterInvited)
    async def on_rater_invited(event: Envelope[RaterInvited], tx: Transaction) -> None:
        await intake.rater_invited(event.data, tx)
