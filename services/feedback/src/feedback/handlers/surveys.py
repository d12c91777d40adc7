"""Program surveys (mid-program and closing): one response per participant and survey."""

from __future__ import annotations

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.domain.records import SurveyResponse, stable_id
from feedback.handlers.inputs import SurveyInput
from feedback.handlers.topics import check_topics, program_of
from mentorship_contracts.events import SurveyResponseSubmitted
from mentorship_contracts.types import SurveyKind
from mentorship_kit.auth import Principal
from mentorship_kit.errors import ForbiddenError
from mentorship_kit.outbox import Transaction, Transactor


class SurveyService:
    """Takes survey responses from a program's participants."""

    def __init__(
        self, transactor: Transactor, directory: Directory, responses: Records[SurveyResponse]
    ) -> None:
        self._transactor = transactor
        self._directory = directory
        self._responses = responses

    async def respond(
        self, program_id: str, kind: SurveyKind, given: SurveyInput, caller: Principal
    ) -> SurveyResponse:
        """Store (or replace) the caller's answers and announce them (without comments)."""
        program = await program_of(self._directory, program_id)
        found = (
            await self._directory.participant_in(caller.person_id, program_id)
            if caller.person_id
            else None
        )
        if found is None:
            raise ForbiddenError("only the program's participants answer its surveys")
        participant_id, role = found
        check_topics(program, {"skills_developing": given.skills_developing})

        async def store(tx: Transaction) -> SurveyResponse:
            response = SurveyResponse(
                response_id=stable_id("sr", program_id, participant_id, kind.value),
                program_id=program_id,
                participant_id=participant_id,
                respondent_role=role,
                survey_kind=kind,
                growth_rating=given.growth_rating,
                relationship_rating=given.relationship_rating,
                skills_developing=tuple(dict.fromkeys(given.skills_developing)),
                recommend_score=given.recommend_score,
                would_join_again=given.would_join_again,
                comments=given.comments,
                submitted_at=tx.now,
            )
            await self._responses.put(response, tx)
            tx.emit(
                SurveyResponseSubmitted(
                    **response.model_dump(exclude={"comments"}),
                )
            )
            return response

        return await self._transactor.run(store)
