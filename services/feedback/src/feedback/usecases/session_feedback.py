"""Feedback on held sessions: who may give it, storing each revision, reading it back."""

from __future__ import annotations

from feedback.adapters.records import Records
from feedback.domain.records import SessionFeedback
from feedback.domain.session_feedback import FeedbackAnswers, feedback_id, give_feedback
from feedback.domain.topics import program_topics
from feedback.usecases.access import Access
from feedback.usecases.staging import stage_events
from mentorship_contracts.events import SessionCompleted
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal


class FeedbackService:
    """Submits and reads session feedback."""

    def __init__(
        self, transactor: Transactor, access: Access, feedback: Records[SessionFeedback]
    ) -> None:
        self._transactor = transactor
        self._access = access
        self._feedback = feedback

    async def opening(self, session_id: str, caller: Principal) -> SessionCompleted:
        """The held session feedback is open on, for one of its participants or an admin."""
        session = await self._access.held_session(session_id)
        await self._access.session_reader(session, caller)
        return session

    async def submit(
        self, session_id: str, answers: FeedbackAnswers, caller: Principal
    ) -> SessionFeedback:
        """Store the caller's feedback on a held session and announce it (without notes)."""
        session = await self._access.held_session(session_id)
        member = await self._access.session_member(session, caller)
        program = await self._access.program(session.program_id)

        async def store(tx: Transaction) -> SessionFeedback:
            previous = await self._feedback.get(feedback_id(session_id, member.participant_id), tx)
            decision = give_feedback(
                session=session,
                member=member,
                known_topics=program_topics(program),
                answers=answers,
                previous=previous,
                now=tx.now,
            )
            await self._feedback.put(decision.state, tx)
            stage_events(decision, tx)
            return decision.state

        return await self._transactor.run(store)

    async def of_session(
        self, session_id: str, caller: Principal
    ) -> tuple[list[SessionFeedback], str | None]:
        """The session's feedback and the caller's participant id (None for an admin).

        Members see both sides; private notes are for their author only (the API blanks
        everyone else's).
        """
        session = await self._access.held_session(session_id)
        reader = await self._access.session_reader(session, caller)
        records = await self._feedback.find({"session_id": session_id})
        return records, reader
