"""Program surveys: only the program's participants answer them."""

from __future__ import annotations

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.domain.records import SurveyResponse
from feedback.domain.surveys import SurveyAnswers, answer_survey
from feedback.domain.topics import program_topics
from feedback.usecases.access import Access
from feedback.usecases.staging import stage_events
from mentorship_contracts.types import SurveyKind
from mentorship_kit.errors import ForbiddenError
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal


class SurveyService:
    """Takes survey responses from a program's participants."""

    def __init__(
        self,
        transactor: Transactor,
        access: Access,
        directory: Directory,
        responses: Records[SurveyResponse],
    ) -> None:
        self._transactor = transactor
        self._access = access
        self._directory = directory
        self._responses = responses

    async def respond(
        self, program_id: str, kind: SurveyKind, answers: SurveyAnswers, caller: Principal
    ) -> SurveyResponse:
        """Store (or replace) the caller's answers and announce them (without comments)."""
        program = await self._access.program(program_id)
        participant = (
            await self._directory.participant_in(caller.person_id, program_id)
            if caller.person_id
            else None
        )
        if participant is None:
            raise ForbiddenError("only the program's participants answer its surveys")

        async def store(tx: Transaction) -> SurveyResponse:
            decision = answer_survey(
                participant=participant,
                kind=kind,
                known_topics=program_topics(program),
                answers=answers,
                now=tx.now,
            )
            await self._responses.put(decision.state, tx)
            stage_events(decision, tx)
            return decision.state

        return await self._transactor.run(store)
