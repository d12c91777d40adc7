"""Program surveys: when each is open, and answers from the program's participants only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.domain.records import SurveyResponse
from feedback.domain.surveys import (
    SurveyAnswers,
    SurveyStatus,
    SurveyWindow,
    answer_survey,
    survey_windows,
)
from feedback.domain.topics import program_topics
from feedback.usecases.access import Access
from feedback.usecases.staging import stage_events
from mentorship_contracts.types import SurveyKind, utc_now
from mentorship_kit.errors import ForbiddenError
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal


@dataclass(frozen=True, slots=True)
class SurveyOffer:
    """One of a program's surveys as a reader sees it now."""

    window: SurveyWindow
    status: SurveyStatus
    answered: bool | None
    """Whether the caller answered it (None: an admin who is not a participant reads)."""
    answered_at: datetime | None
    mine: SurveyResponse | None = None
    """The caller's own answers, to show them again (a response replaces them)."""


class SurveyService:
    """When a program's surveys are open; takes responses from its participants."""

    def __init__(
        self,
        transactor: Transactor,
        access: Access,
        directory: Directory,
        responses: Records[SurveyResponse],
        *,
        closing_lead_days: int,
        grace_days: int,
    ) -> None:
        self._transactor = transactor
        self._access = access
        self._directory = directory
        self._responses = responses
        self._closing_lead_days = closing_lead_days
        self._grace_days = grace_days

    async def offers(self, program_id: str, caller: Principal) -> list[SurveyOffer]:
        """The program's surveys, when each opens and closes, and what the caller answered.

        The program's participants (and admins, without answers) may read it.
        """
        program = await self._access.program(program_id)
        participant = (
            await self._directory.participant_in(caller.person_id, program_id)
            if caller.person_id
            else None
        )
        if participant is None and not caller.is_admin:
            raise ForbiddenError("only the program's participants see its surveys")
        answered: dict[SurveyKind, SurveyResponse] = {}
        if participant is not None:
            mine = {"program_id": program_id, "participant_id": participant.participant_id}
            answered = {r.survey_kind: r for r in await self._responses.find(mine)}
        now = utc_now()
        return [
            SurveyOffer(
                window,
                window.status(now),
                answered=window.kind in answered if participant is not None else None,
                answered_at=answered[window.kind].submitted_at if window.kind in answered else None,
                mine=answered.get(window.kind),
            )
            for window in survey_windows(
                program, closing_lead_days=self._closing_lead_days, grace_days=self._grace_days
            )
        ]

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
