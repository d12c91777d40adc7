"""What a participant reads of matching with their own token.

Their pairs, the mentors they may pick, and everything matching holds about them.
The caller is found by their person id (derived from the token's subject, as registration
derives it), never by an employee id: matching stores none.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from matching.adapters.pairs import PairRepository
from matching.adapters.pool import MatchingPool
from matching.adapters.reporting import ManagerEdges
from matching.adapters.runs import RunRepository
from matching.domain.approval import ProposalPart
from matching.domain.candidates import (
    Candidates,
    NotAMenteeError,
    PeersAreNotPickedError,
    candidates_for,
)
from matching.domain.membership import MemberPair, member_pairs
from matching.domain.pairs import Pair
from matching.domain.reporting import ManagerStatement
from matching.domain.runs import Run
from matching.usecases.runs import RunService
from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import MatchingMode, utc_now
from mentorship_kit.errors import ForbiddenError, RuleError
from mentorship_kit.exports import exporting_person
from mentorship_kit.principal import Principal

NOT_MENTEE_CHOICE = "not_mentee_choice"
"""The rule code of a candidates request in a program where mentees do not pick (409)."""
NOT_A_PERSON = "only a participant's own token names a person: call with one"


@dataclass(frozen=True, slots=True)
class ProgramWeights:
    """A program's criterion weights and pick bonus as matching knows them now."""

    weights: dict[str, float]
    pick_bonus: float


@dataclass(frozen=True, slots=True)
class MyPairs:
    """A person's pairs and the weights of the programs they are in."""

    pairs: list[MemberPair]
    programs: dict[str, ProgramWeights]


@dataclass(frozen=True, slots=True)
class PersonalData:
    """What matching holds about one person, read at ``generated_at``."""

    person_id: str
    generated_at: datetime
    pool_entries: list[ParticipantState]
    manager: ManagerStatement | None
    pairs: list[MemberPair]
    runs: list[Run]
    """The runs of the programs the person is (or was) in: pins and forbids naming them."""
    proposal_parts: list[ProposalPart]
    """The parts of those runs' proposals that name them."""

    def participant_ids(self) -> set[str]:
        """The person's participant ids matching knows (pool entries and pairs)."""
        return {p.participant_id for p in self.pool_entries} | {
            member.participant_id for member in self.pairs
        }


def _person(caller: Principal) -> str:
    if caller.person_id is None:
        raise ForbiddenError(NOT_A_PERSON)
    return caller.person_id


def _weights(program: ProgramState) -> ProgramWeights:
    return ProgramWeights(
        weights=program.matching.weights.model_dump(),
        pick_bonus=program.matching.rules.pick_bonus,
    )


class ParticipantViews:
    """Matching as one participant sees it."""

    def __init__(
        self,
        pool: MatchingPool,
        pairs: PairRepository,
        runs: RunRepository,
        managers: ManagerEdges,
        service: RunService,
    ) -> None:
        self._pool = pool
        self._pairs = pairs
        self._runs = runs
        self._managers = managers
        self._service = service

    async def my_pairs(self, caller: Principal) -> MyPairs:
        """The caller's pairs (active and ended), newest first, with their programs' weights."""
        person_id = _person(caller)
        pairs = await self._pairs.of_person(person_id)
        members = await self._members(person_id, pairs)
        programs = {}
        for program_id in sorted({pair.program_id for pair in pairs}):
            program = await self._pool.programs.get(program_id)
            if program is not None:
                programs[program_id] = _weights(program)
        return MyPairs(pairs=members, programs=programs)

    async def _members(self, person_id: str, pairs: list[Pair]) -> list[MemberPair]:
        groups = await self._pairs.active_in_groups(p.group_id for p in pairs if p.group_id)
        ids = {p.mentor_participant_id for p in pairs} | {p.mentee_participant_id for p in pairs}
        profiles = await self._pool.participants.find({"participant_id": {"$in": sorted(ids)}})
        return member_pairs(person_id, pairs, groups, {p.participant_id: p for p in profiles})

    async def candidates(self, program_id: str, caller: Principal) -> Candidates:
        """The mentors the caller, a mentee of a mentee-choice program, may pick.

        Raises:
            ProgramNotFoundError: matching knows no such program.
            ForbiddenError: the caller is not a mentee in the program's pool.
            RuleError: ``not_mentee_choice``, the program's mentees do not pick.
        """
        person_id = _person(caller)
        program = await self._service.program(program_id)
        if program.matching_mode is MatchingMode.ADMIN_LED:
            msg = f"in program {program_id} the program managers form the pairs: nobody picks"
            raise RuleError(NOT_MENTEE_CHOICE, msg)
        mine = await self._pool.participants.find(
            {"program_id": program_id, "person_id": person_id}
        )
        if not mine:
            msg = "only the program's registered mentees see the mentors they may pick"
            raise ForbiddenError(msg)
        request = await self._service.pool_request(program_id)
        try:
            return await asyncio.to_thread(candidates_for, request, mine[0])
        except NotAMenteeError as error:
            raise ForbiddenError(str(error)) from error
        except PeersAreNotPickedError as error:
            raise RuleError(NOT_MENTEE_CHOICE, str(error)) from error

    async def export(self, caller: Principal) -> PersonalData:
        """Everything matching holds about the caller (an admin token names nobody: 403)."""
        person_id = exporting_person(caller)
        generated_at = utc_now()
        entries = await self._pool.of_person(person_id)
        pairs = await self._pairs.of_person(person_id)
        members = await self._members(person_id, pairs)
        ids = {p.participant_id for p in entries} | {m.participant_id for m in members}
        programs = {p.program_id for p in entries} | {p.program_id for p in pairs}
        runs, parts = await self._runs.naming(programs, ids)
        return PersonalData(
            person_id=person_id,
            generated_at=generated_at,
            pool_entries=sorted(entries, key=lambda p: p.participant_id),
            manager=await self._managers.statement_of(person_id),
            pairs=members,
            runs=runs,
            proposal_parts=parts,
        )
