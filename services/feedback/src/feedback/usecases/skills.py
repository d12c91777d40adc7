"""Skills assessments: the mentee rates themselves, their mentor rates them."""

from __future__ import annotations

from collections.abc import Mapping

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.domain.skills import SkillsAssessment, assess_skills
from feedback.usecases.access import Access
from feedback.usecases.staging import stage_events
from mentorship_contracts.types import AssessmentMoment, ParticipantRole, RaterKind
from mentorship_kit.errors import ForbiddenError
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal


class SkillsService:
    """Takes self- and mentor assessments of a mentee's chosen skills."""

    def __init__(
        self,
        transactor: Transactor,
        access: Access,
        directory: Directory,
        assessments: Records[SkillsAssessment],
    ) -> None:
        self._transactor = transactor
        self._access = access
        self._directory = directory
        self._assessments = assessments

    async def self_assess(
        self,
        program_id: str,
        moment: AssessmentMoment,
        levels: Mapping[str, int],
        caller: Principal,
    ) -> SkillsAssessment:
        """The mentee's own levels at the baseline or the end."""
        await self._access.program(program_id)
        participant = (
            await self._directory.participant_in(caller.person_id, program_id)
            if caller.person_id
            else None
        )
        if participant is None or participant.role is ParticipantRole.MENTOR:
            raise ForbiddenError("only the program's mentees assess their own skills")
        return await self._store(
            program_id,
            participant.participant_id,
            RaterKind.SELF,
            participant.participant_id,
            moment,
            levels,
        )

    async def mentor_assess(
        self,
        pair_id: str,
        moment: AssessmentMoment,
        levels: Mapping[str, int],
        caller: Principal,
        mentee: str | None = None,
    ) -> SkillsAssessment:
        """The pair's mentor rates the mentee at the midpoint or the end.

        ``pair_id`` may be a group's, with ``mentee`` naming which of its mentees.
        """
        member = await self._access.pair_member(pair_id, caller, mentee)
        if member.role is not ParticipantRole.MENTOR:
            raise ForbiddenError("only the pair's mentor rates the mentee's skills")
        pair = member.pair
        return await self._store(
            pair.program_id,
            pair.mentee_participant_id,
            RaterKind.MENTOR,
            member.participant_id,
            moment,
            levels,
        )

    async def _store(  # noqa: PLR0917 - private, called with the six facts in order
        self,
        program_id: str,
        mentee: str,
        kind: RaterKind,
        rater_key: str,
        moment: AssessmentMoment,
        levels: Mapping[str, int],
    ) -> SkillsAssessment:
        chosen = await self._directory.skills_of(mentee)

        async def store(tx: Transaction) -> SkillsAssessment:
            decision = assess_skills(
                program_id=program_id,
                mentee_participant_id=mentee,
                chosen_skills=chosen,
                rater_kind=kind,
                rater_key=rater_key,
                moment=moment,
                levels=levels,
                now=tx.now,
            )
            await self._assessments.put(decision.state, tx)
            stage_events(decision, tx)
            return decision.state

        return await self._transactor.run(store)
