"""Who may do what: the caller must be a member of the session or pair.

Admins, and the managers of the pair's program, only read.
"""

from __future__ import annotations

from feedback.adapters.directory import Directory
from feedback.adapters.sessions import HeldSessions
from feedback.domain.membership import Membership, member_by_participant, member_by_person
from mentorship_contracts.events import PairCreated, SessionCompleted
from mentorship_contracts.events.program import ProgramState
from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError, RuleError
from mentorship_kit.principal import Principal
from mentorship_kit.program_access import ProgramManagers

NOT_A_MEMBER = "only the pair's members may do this"
NOT_A_MEMBER_OR_MANAGER = (
    "only the pair's members, an admin or a manager of its program may read this"
)


class Access:
    """Loads pairs, sessions and programs and resolves callers to their participant ids."""

    def __init__(self, directory: Directory, held: HeldSessions, managers: ProgramManagers) -> None:
        self._directory = directory
        self._held = held
        self._managers = managers

    async def pair(self, pair_id: str) -> PairCreated:
        """A pair known here."""
        pair = await self._directory.pairs.get(pair_id)
        if pair is None:
            raise NotFoundError(f"pair {pair_id}")
        return pair

    async def pair_member(
        self, pair_id: str, caller: Principal, mentee: str | None = None
    ) -> Membership:
        """The caller as a member of ``pair_id`` (403 for anyone else, admins included).

        ``pair_id`` may be a group's (the series its members share), which names one pair
        per mentee: ``mentee`` (a participant id) says which; a pair's own id takes its
        mentee or none.

        Raises:
            NotFoundError: neither a pair nor a group known here.
            ForbiddenError: the caller is not a member of it (checked first).
            InvalidInputError: ``query.mentee`` missing for a group, or not one of its mentees.
        """
        pair, pairs = await self._series(pair_id)
        if not any(member_by_person(p, caller.person_id) for p in pairs):
            raise ForbiddenError(NOT_A_MEMBER)
        membership = member_by_person(_chosen(pair, pairs, mentee), caller.person_id)
        if membership is None:  # a mentee of the group, about another one
            raise ForbiddenError(NOT_A_MEMBER)
        return membership

    async def pair_reader(
        self, pair_id: str, caller: Principal, mentee: str | None = None
    ) -> tuple[PairCreated, str | None]:
        """A member (the pair, their participant id); an admin or program manager (pair, None).

        ``pair_id`` and ``mentee`` as for `pair_member`.
        """
        pair, pairs = await self._series(pair_id)
        manager = False
        if not any(member_by_person(p, caller.person_id) for p in pairs):
            manager = await self._managers.manages(caller, pairs[0].program_id)
            if not manager:
                raise ForbiddenError(NOT_A_MEMBER_OR_MANAGER)
        chosen = _chosen(pair, pairs, mentee)
        membership = member_by_person(chosen, caller.person_id)
        if (
            membership is None  # a mentee of the group, about another one
            and not manager
            and not await self._managers.manages(caller, chosen.program_id)
        ):
            raise ForbiddenError(NOT_A_MEMBER_OR_MANAGER)
        return chosen, membership.participant_id if membership else None

    async def _series(self, pair_id: str) -> tuple[PairCreated | None, list[PairCreated]]:
        """The pair ``pair_id`` (None for a group's id) and the pairs of its series."""
        pair = await self._directory.pairs.get(pair_id)
        pairs = [pair] if pair else await self._directory.pairs.find({"group_id": pair_id})
        if not pairs:
            raise NotFoundError(f"pair {pair_id}")
        return pair, pairs

    async def held_session(self, session_id: str) -> SessionCompleted:
        """A session that was held (feedback is only about held sessions)."""
        session = await self._held.sessions.get(session_id)
        if session is None:
            msg = f"session {session_id} has not been held (or is not known here yet)"
            raise RuleError("session_not_held", msg)
        return session

    async def session_member(self, session: SessionCompleted, caller: Principal) -> Membership:
        """The caller as one of the held session's participants."""
        persons = await self._directory.persons(session.participant_ids)
        mine = [p for p in session.participant_ids if persons.get(p) == caller.person_id]
        if caller.person_id is None or not mine:
            msg = "only the session's participants may give feedback on it"
            raise ForbiddenError(msg)
        for pair in await self._pairs_of_series(session.pair_id):
            membership = member_by_participant(pair, mine[0])
            if membership is not None:
                return membership
        raise ForbiddenError("the session's pair is not known here yet; try again shortly")

    async def session_reader(self, session: SessionCompleted, caller: Principal) -> str | None:
        """A participant (their participant id), an admin or program manager (None) may read."""
        try:
            return (await self.session_member(session, caller)).participant_id
        except ForbiddenError:
            if not await self._managers.manages(caller, session.program_id):
                raise
            return None

    async def held_count(self, pair: PairCreated) -> int:
        """How many sessions the pair's two members held together."""
        return await self._held.held_together(
            pair.mentor_participant_id, pair.mentee_participant_id
        )

    async def program(self, program_id: str) -> ProgramState:
        """The program, which must be known here."""
        program = await self._directory.programs.get(program_id)
        if program is None:
            msg = f"program {program_id} is not known here yet; try again shortly"
            raise RuleError("program_not_known", msg)
        return program

    async def _pairs_of_series(self, series_id: str) -> list[PairCreated]:
        pair = await self._directory.pairs.get(series_id)
        if pair is not None:
            return [pair]
        return await self._directory.pairs.find({"group_id": series_id})


def _chosen(pair: PairCreated | None, pairs: list[PairCreated], mentee: str | None) -> PairCreated:
    """The pair of ``mentee`` among a series' ``pairs`` (``pair``: the id named one itself)."""
    if mentee is None and pair is None:
        msg = "a group's id: say which of its mentees (their participant id)"
        raise InvalidInputError([("query.mentee", msg)])
    chosen = next((p for p in pairs if mentee in {None, p.mentee_participant_id}), None)
    if chosen is None:
        raise InvalidInputError([("query.mentee", "not a mentee of this pair or group")])
    return chosen
