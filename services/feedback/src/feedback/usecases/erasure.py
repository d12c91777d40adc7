"""ParticipantErased: personal content goes; ratings stay only as anonymous numbers.

DirectoryPersonErased: the HRIS outcomes recorded under the person's pseudonym go, and the
rater requests naming them (their links stop working; an answer they gave stays, as the
mentee's, naming nobody).
"""

from __future__ import annotations

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.adapters.sessions import HeldSessions
from feedback.domain.erasure import (
    FEEDBACK_KEPT_ANONYMOUS,
    FIT_KEPT_ANONYMOUS,
    SURVEY_KEPT_ANONYMOUS,
)
from feedback.domain.outcomes import Outcome
from feedback.domain.raters import RaterRequest
from feedback.domain.recognition import Recognition
from feedback.domain.records import Agreement, FitReport, Goal, SessionFeedback, SurveyResponse
from feedback.domain.skills import SkillsAssessment
from feedback.domain.stories import Story
from mentorship_kit.outbox import Transaction


class Erasure:
    """Removes what a participant wrote and who they were."""

    def __init__(
        self,
        directory: Directory,
        held: HeldSessions,
        *,
        feedback: Records[SessionFeedback],
        fits: Records[FitReport],
        agreements: Records[Agreement],
        goals: Records[Goal],
        surveys: Records[SurveyResponse],
        recognitions: Records[Recognition] | None = None,
        stories: Records[Story] | None = None,
        assessments: Records[SkillsAssessment] | None = None,
        rater_requests: Records[RaterRequest] | None = None,
        outcomes: Records[Outcome] | None = None,
    ) -> None:
        self._directory = directory
        self._held = held
        self._feedback = feedback
        self._fits = fits
        self._agreements = agreements
        self._goals = goals
        self._surveys = surveys
        self._recognitions = recognitions
        self._stories = stories
        self._assessments = assessments
        self._rater_requests = rater_requests
        self._outcomes = outcomes

    async def erase_person(self, person_id: str, tx: Transaction) -> None:
        """Forget a person the directory erased: their outcomes, the requests naming them."""
        if self._outcomes is not None:
            await self._outcomes.delete_many({"person_id": person_id}, tx)
        if self._rater_requests is not None:
            await self._rater_requests.delete_many({"rater_person_id": person_id}, tx)

    async def erase(self, participant_id: str, tx: Transaction) -> None:
        """Forget ``participant_id`` everywhere in this service."""
        mine = {"participant_id": participant_id}
        await self._feedback.update_many(mine, FEEDBACK_KEPT_ANONYMOUS, tx)
        await self._fits.update_many(mine, FIT_KEPT_ANONYMOUS, tx)
        await self._surveys.update_many(mine, SURVEY_KEPT_ANONYMOUS, tx)
        await self._goals.delete_many(mine, tx)
        for store in (self._recognitions, self._stories):
            if store is not None:
                await store.delete_many(mine, tx)
        if self._assessments is not None:  # of them, and the ones they gave as a mentor
            await self._assessments.delete_many(mine, tx)
            await self._assessments.delete_many({"rater_key": participant_id}, tx)
        if self._rater_requests is not None:  # their links stop working
            await self._rater_requests.delete_many(mine, tx)
        pairs = [
            *await self._directory.pairs.find({"mentor_participant_id": participant_id}, tx),
            *await self._directory.pairs.find({"mentee_participant_id": participant_id}, tx),
        ]
        for pair in pairs:
            await self._agreements.delete_many({"_id": pair.pair_id}, tx)
            await self._directory.pairs.delete(pair.pair_id, tx)
        await self._held.sessions.delete_where({"participant_ids": participant_id}, tx)
        await self._directory.forget(participant_id, tx)
