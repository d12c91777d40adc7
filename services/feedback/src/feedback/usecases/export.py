"""The right of access: everything feedback holds about the calling person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.adapters.sessions import HeldSessions
from feedback.domain.membership import Membership, Participation, member_by_participant
from feedback.domain.outcomes import Outcome
from feedback.domain.raters import RaterRequest
from feedback.domain.recognition import Recognition
from feedback.domain.records import Agreement, FitReport, Goal, SessionFeedback, SurveyResponse
from feedback.domain.skills import SkillsAssessment
from feedback.domain.stories import Story
from mentorship_contracts.events import SessionCompleted
from mentorship_contracts.types import utc_now
from mentorship_kit.exports import exporting_person
from mentorship_kit.principal import Principal


@dataclass(frozen=True, slots=True)
class PairHeld:
    """A pair the person is a member of, and whether it ended."""

    membership: Membership
    ended: bool


@dataclass(frozen=True, slots=True)
class PersonalData:
    """What feedback holds about one person, read at ``generated_at``."""

    person_id: str
    generated_at: datetime
    participations: list[Participation]
    pairs: list[PairHeld]
    held_sessions: list[SessionCompleted]
    feedback: list[SessionFeedback]
    """With private notes and action items: the person wrote them."""
    fit_answers: list[FitReport]
    agreements: list[Agreement]
    """The agreements of the person's pairs, acknowledged by them or not."""
    development_plan: list[Goal]
    """The goals of the plans the person owns as a mentee."""
    survey_answers: list[SurveyResponse]
    assessments_received: list[SkillsAssessment] = field(default_factory=list)
    """Every rating of the person's skills, peers' included: the document shows peers only
    as their average (see `feedback.domain.raters.peers_average`), never one by one."""
    assessments_given: list[SkillsAssessment] = field(default_factory=list)
    """The ratings the person gave of their mentees as a mentor."""
    rater_requests: list[RaterRequest] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    """The HRIS facts recorded under the person's pseudonym."""
    stories: list[Story] = field(default_factory=list)
    recognitions: list[Recognition] = field(default_factory=list)

    def participant_ids(self) -> set[str]:
        """The person's participant ids (one per program)."""
        return {participation.participant_id for participation in self.participations}


class PersonalDataExport:
    """Gathers a person's data from every collection of the service."""

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
        assessments: Records[SkillsAssessment],
        rater_requests: Records[RaterRequest],
        outcomes: Records[Outcome],
        stories: Records[Story],
        recognitions: Records[Recognition],
    ) -> None:
        self._directory = directory
        self._held = held
        self._feedback = feedback
        self._fits = fits
        self._agreements = agreements
        self._goals = goals
        self._surveys = surveys
        self._assessments = assessments
        self._rater_requests = rater_requests
        self._outcomes = outcomes
        self._stories = stories
        self._recognitions = recognitions

    async def of(self, caller: Principal) -> PersonalData:
        """The caller's own data (an admin token names nobody: 403)."""
        person_id = exporting_person(caller)
        generated_at = utc_now()
        participations = await self._directory.participations(person_id)
        ids = [participation.participant_id for participation in participations]
        mine = {"participant_id": {"$in": ids}}
        pairs = []
        for pair, ended in await self._directory.pairs_of(ids):
            for participant_id in ids:
                membership = member_by_participant(pair, participant_id)
                if membership is not None:
                    pairs.append(PairHeld(membership, ended))
        pair_ids = [held.membership.pair.pair_id for held in pairs]
        return PersonalData(
            person_id=person_id,
            generated_at=generated_at,
            participations=participations,
            pairs=pairs,
            held_sessions=await self._held.sessions_of(ids),
            feedback=await self._feedback.find(mine),
            fit_answers=await self._fits.find(mine),
            agreements=await self._agreements.find({"_id": {"$in": pair_ids}}),
            development_plan=await self._goals.find(mine),
            survey_answers=await self._surveys.find(mine),
            assessments_received=await self._assessments.find(mine),
            assessments_given=[
                a
                for a in await self._assessments.find({"rater_key": {"$in": ids}})
                if a.participant_id not in ids
            ],
            rater_requests=await self._rater_requests.find(mine),
            outcomes=await self._outcomes.find({"person_id": person_id}),
            stories=await self._stories.find(mine),
            recognitions=await self._recognitions.find(mine),
        )
