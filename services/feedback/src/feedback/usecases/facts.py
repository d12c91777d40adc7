"""The other services' facts feedback checks requests against: programs, people, pairs, sessions.

An erased participant is never recorded again: a pair or held session naming them that
arrives after the erasure (another topic, a replay) is not stored.

The facts of a consumer batch are stored together just before its transaction commits, in
the order their events came: one erasure-guard round for everyone they name, then one read
and one bulk write each of participants, pairs and held sessions (and of programs). An event
that must see them first (a pair's end, an erasure) flushes them before it is handled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feedback.adapters.directory import Directory
from feedback.adapters.sessions import HeldSessions
from feedback.domain.membership import Identity, pair_members
from mentorship_contracts.events import PairCreated, SessionCompleted
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.batching import Buffer
from mentorship_kit.outbox import Transaction


@dataclass(frozen=True, slots=True)
class _NewPair:
    pair: PairCreated
    as_of: datetime


@dataclass(frozen=True, slots=True)
class _HeldSession:
    session: SessionCompleted
    as_of: datetime


type _Fact = Identity | _NewPair | _HeldSession


class Facts:
    """Keeps feedback's copies of programs, participants, pairs and held sessions."""

    def __init__(self, directory: Directory, held: HeldSessions) -> None:
        self._directory = directory
        self._held = held
        self._facts: Buffer[_Fact] = Buffer("feedback.facts", self._store)
        self._programs: Buffer[tuple[ProgramState, datetime]] = Buffer(
            "feedback.programs", self._store_programs
        )

    async def program_changed(
        self, program: ProgramState, as_of: datetime, tx: Transaction
    ) -> None:
        """The program's latest settings (an older state never replaces a newer one)."""
        self._programs.add((program, as_of), tx)

    async def participant_known(
        self,
        participant_id: str,
        *,
        person_id: str,
        program_id: str,
        role: ParticipantRole,
        as_of: datetime,
        tx: Transaction,
        skills: tuple[str, ...] = (),
        manager_person_id: str | None = None,
    ) -> None:
        """Who a registered participant is, the skills they chose to grow, their manager."""
        self._facts.add(
            Identity(
                participant_id,
                person_id,
                program_id,
                role,
                as_of,
                skills=skills,
                manager_person_id=manager_person_id,
            ),
            tx,
        )

    async def pair_created(self, pair: PairCreated, as_of: datetime, tx: Transaction) -> None:
        """A new pair, and its members if their registrations have not arrived yet."""
        self._facts.add(_NewPair(pair, as_of), tx)

    async def pair_ended(self, pair_id: str, tx: Transaction) -> None:
        """The pair ended (its records stay readable)."""
        await self.flush(tx)
        await self._directory.pairs.mark(pair_id, tx, ended=True)

    async def session_held(
        self, session: SessionCompleted, as_of: datetime, tx: Transaction
    ) -> None:
        """A held session: feedback opens on it for its participants."""
        self._facts.add(_HeldSession(session, as_of), tx)

    async def flush(self, tx: Transaction) -> None:
        """Store the facts collected in ``tx`` so far (before an event that must see them)."""
        await self._facts.flush(tx)

    async def _store(self, facts: list[_Fact], tx: Transaction) -> None:
        named = [person for fact in facts for person in _named(fact)]
        erased = await self._directory.erased_among(named, tx)
        identities: list[Identity] = []
        pairs: list[tuple[str, PairCreated, datetime, dict[str, object]]] = []
        sessions: list[tuple[str, SessionCompleted, datetime, dict[str, object]]] = []
        for fact in facts:
            if erased.intersection(_named(fact)):
                continue  # erasure deletes what names an erased participant: not stored again
            match fact:
                case Identity():
                    identities.append(fact)
                case _NewPair(pair, as_of):
                    pairs.append((pair.pair_id, pair, as_of, {"ended": False}))
                    identities += pair_members(pair, as_of)
                case _HeldSession(session, as_of):
                    sessions.append((session.session_id, session, as_of, {}))
        await self._directory.pairs.put_many(pairs, tx)
        await self._directory.remember(identities, erased, tx)
        await self._held.sessions.put_many(sessions, tx)

    async def _store_programs(
        self, programs: list[tuple[ProgramState, datetime]], tx: Transaction
    ) -> None:
        await self._directory.programs.put_many(
            [(program.program_id, program, as_of, {}) for program, as_of in programs], tx
        )


def _named(fact: _Fact) -> tuple[str, ...]:
    match fact:
        case Identity():
            return (fact.participant_id,)
        case _NewPair(pair, _):
            return (pair.mentor_participant_id, pair.mentee_participant_id)
        case _HeldSession(session, _):
            return tuple(session.participant_ids)
