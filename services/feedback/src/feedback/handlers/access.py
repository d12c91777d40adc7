"""Who may write what: the caller must be a member of the session or pair (admins only read)."""

from __future__ import annotations

from dataclasses import dataclass

from feedback.adapters.directory import Directory
from feedback.adapters.sessions import HeldSessions
from mentorship_contracts.events import PairCreated, SessionCompleted
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.auth import Principal
from mentorship_kit.errors import ForbiddenError, NotFoundError, RuleError


@dataclass(frozen=True, slots=True)
class Membership:
    """The caller's place in a pair: their participant id and role there."""

    pair: PairCreated
    participant_id: str
    role: ParticipantRole


NOT_A_MEMBER = "only the pair's members may do this"


class Access:
    """Resolves callers to their participant ids through the directory."""

    def __init__(self, directory: Directory, held: HeldSessions) -> None:
        self._directory = directory
        self._held = held

    async def pair(self, pair_id: str) -> PairCreated:
        """A pair known here."""
        pair = await self._directory.pairs.get(pair_id)
        if pair is None:
            raise NotFoundError(f"pair {pair_id}")
        return pair

    async def pair_member(self, pair_id: str, caller: Principal) -> Membership:
        """The caller as a member of ``pair_id`` (403 for anyone else, admins included)."""
        pair = await self.pair(pair_id)
        membership = await self._member_of(pair, caller)
        if membership is None:
            raise ForbiddenError(NOT_A_MEMBER)
        return membership

    async def pair_reader(self, pair_id: str, caller: Principal) -> Membership | None:
        """A member (their membership) or an admin (None) may read a pair's records."""
        pair = await self.pair(pair_id)
        membership = await self._member_of(pair, caller)
        if membership is None and not caller.is_admin:
            raise ForbiddenError(NOT_A_MEMBER)
        return membership

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
            membership = _membership(pair, mine[0])
            if membership is not None:
                return membership
        raise ForbiddenError("the session's pair is not known here yet; try again shortly")

    async def session_reader(
        self, session: SessionCompleted, caller: Principal
    ) -> Membership | None:
        """A participant (their membership) or an admin (None) may read a held session."""
        try:
            return await self.session_member(session, caller)
        except ForbiddenError:
            if not caller.is_admin:
                raise
            return None

    async def held_count(self, pair: PairCreated) -> int:
        """How many sessions the pair's two members held together."""
        return await self._held.held_together(
            pair.mentor_participant_id, pair.mentee_participant_id
        )

    async def _member_of(self, pair: PairCreated, caller: Principal) -> Membership | None:
        if caller.person_id is None:
            return None
        if caller.person_id == pair.mentor_person_id:
            return Membership(pair, pair.mentor_participant_id, ParticipantRole.MENTOR)
        if caller.person_id == pair.mentee_person_id:
            return Membership(pair, pair.mentee_participant_id, ParticipantRole.MENTEE)
        return None

    async def _pairs_of_series(self, series_id: str) -> list[PairCreated]:
        pair = await self._directory.pairs.get(series_id)
        if pair is not None:
            return [pair]
        return await self._directory.pairs.find({"group_id": series_id})


def _membership(pair: PairCreated, participant_id: str) -> Membership | None:
    if participant_id == pair.mentor_participant_id:
        return Membership(pair, participant_id, ParticipantRole.MENTOR)
    if participant_id == pair.mentee_participant_id:
        return Membership(pair, participant_id, ParticipantRole.MENTEE)
    return None
