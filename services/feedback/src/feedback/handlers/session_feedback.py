"""Feedback on held sessions: one per member and session; a second submission revises it."""

from __future__ import annotations

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.domain.records import SessionFeedback, SkillProgress, stable_id
from feedback.handlers.access import Access
from feedback.handlers.inputs import FeedbackInput
from feedback.handlers.topics import check_topics, program_of
from mentorship_contracts.events import SessionFeedbackSubmitted
from mentorship_kit.auth import Principal
from mentorship_kit.outbox import Transaction, Transactor


class FeedbackService:
    """Submits and reads session feedback."""

    def __init__(
        self,
        transactor: Transactor,
        access: Access,
        directory: Directory,
        feedback: Records[SessionFeedback],
    ) -> None:
        self._transactor = transactor
        self._access = access
        self._directory = directory
        self._feedback = feedback

    async def submit(
        self, session_id: str, given: FeedbackInput, caller: Principal
    ) -> SessionFeedback:
        """Store the caller's feedback on a held session and announce it (without notes)."""
        session = await self._access.held_session(session_id)
        member = await self._access.session_member(session, caller)
        program = await program_of(self._directory, session.program_id)
        check_topics(
            program,
            {
                "topics": given.topics,
                "progress": [item.topic for item in given.progress],
            },
        )
        feedback_id = stable_id("fb", session_id, member.participant_id)

        async def store(tx: Transaction) -> SessionFeedback:
            previous = await self._feedback.get(feedback_id, tx)
            record = SessionFeedback(
                feedback_id=feedback_id,
                session_id=session_id,
                pair_id=member.pair.pair_id,
                program_id=session.program_id,
                participant_id=member.participant_id,
                author_role=member.role,
                rating=given.rating,
                topics=tuple(dict.fromkeys(given.topics)),
                action_items=tuple(given.action_items),
                private_notes=given.private_notes,
                progress=tuple(SkillProgress(topic=p.topic, level=p.level) for p in given.progress),
                revision=previous.revision + 1 if previous else 1,
                submitted_at=tx.now,
            )
            await self._feedback.put(record, tx)
            tx.emit(
                SessionFeedbackSubmitted(
                    feedback_id=record.feedback_id,
                    session_id=record.session_id,
                    pair_id=record.pair_id,
                    program_id=record.program_id,
                    participant_id=record.participant_id,
                    author_role=record.author_role,
                    rating=record.rating,
                    topics=record.topics,
                    action_item_count=len(record.action_items),
                    revision=record.revision,
                    submitted_at=record.submitted_at,
                )
            )
            return record

        return await self._transactor.run(store)

    async def of_session(
        self, session_id: str, caller: Principal
    ) -> tuple[list[SessionFeedback], str | None]:
        """The session's feedback and the caller's participant id (None for an admin).

        Members see both sides; private notes are for their author only (the API blanks
        everyone else's).
        """
        session = await self._access.held_session(session_id)
        member = await self._access.session_reader(session, caller)
        records = await self._feedback.find({"session_id": session_id})
        return records, member.participant_id if member else None
