"""Who is who for feedback: participants, pairs and programs, from the other services' events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from pymongo import ASCENDING, IndexModel

from feedback.domain.membership import Participation
from mentorship_contracts.events import PairCreated
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.erasure_guards import ErasureGuards
from mentorship_kit.mongo import Collection, Database, Indexes
from mentorship_kit.outbox import Transaction
from mentorship_kit.snapshots import SnapshotStore

PARTICIPANTS = "participants"


class Directory:
    """Participants (person id, role), pairs and programs; erased participants' ids."""

    def __init__(self, database: Database) -> None:
        self._participants: Collection = database[PARTICIPANTS]
        self._guards = ErasureGuards(database)
        self.programs: SnapshotStore[ProgramState] = SnapshotStore(
            database, "programs", ProgramState
        )
        self.pairs: SnapshotStore[PairCreated] = SnapshotStore(database, "pairs", PairCreated)

    def indexes(self) -> tuple[Indexes, ...]:
        """Participants by person; pairs by member."""
        return (
            Indexes(
                PARTICIPANTS,
                (
                    IndexModel(
                        [("person_id", ASCENDING), ("program_id", ASCENDING)], name="by_person"
                    ),
                ),
            ),
            self.programs.indexes(),
            self.pairs.indexes(
                IndexModel([("state.mentor_participant_id", ASCENDING)], name="by_mentor"),
                IndexModel([("state.mentee_participant_id", ASCENDING)], name="by_mentee"),
            ),
        )

    async def remember(
        self,
        participant_id: str,
        *,
        person_id: str,
        program_id: str,
        role: ParticipantRole,
        as_of: datetime,
        tx: Transaction,
        overwrite: bool = True,
        skills: Sequence[str] | None = None,
        manager_person_id: str | None = None,
    ) -> None:
        """Record who a participant is (an older fact never overwrites a newer one).

        ``overwrite=False`` only fills in a participant not known yet (a pair names its
        members before their registrations may have arrived). An erased participant is
        never recorded again. ``skills`` are the skills a mentee chose to grow (their
        registration's answers) and ``manager_person_id`` their direct manager; None (for
        both) keeps what is known.
        """
        if await self.erased([participant_id], tx):
            return
        stored = await self._participants.find_one(
            {"_id": participant_id}, {"as_of": 1}, session=tx.session
        )
        if stored is not None and (not overwrite or stored["as_of"] > as_of):
            return
        await self._participants.update_one(
            {"_id": participant_id},
            {
                "$set": {
                    "person_id": person_id,
                    "program_id": program_id,
                    "role": role.value,
                    "as_of": as_of,
                    **(
                        {}
                        if skills is None
                        else {"skills": list(skills), "manager_person_id": manager_person_id}
                    ),
                }
            },
            upsert=True,
            session=tx.session,
        )

    async def persons(self, participant_ids: Iterable[str]) -> dict[str, str]:
        """The person id of each known participant."""
        cursor = self._participants.find({"_id": {"$in": list(participant_ids)}}, {"person_id": 1})
        return {document["_id"]: document["person_id"] async for document in cursor}

    async def participant_in(self, person_id: str, program_id: str) -> Participation | None:
        """The person's participation in a program, if they registered."""
        document = await self._participants.find_one(
            {"person_id": person_id, "program_id": program_id}, {"role": 1}
        )
        if document is None:
            return None
        return Participation(document["_id"], program_id, ParticipantRole(document["role"]))

    async def skills_of(self, participant_id: str) -> tuple[str, ...]:
        """The skills the participant chose to grow at registration (none when not known)."""
        document = await self._participants.find_one({"_id": participant_id}, {"skills": 1})
        return tuple(document.get("skills", ())) if document else ()

    async def has_manager(self, participant_id: str) -> bool:
        """Whether the participant's registration named a direct manager."""
        return await self.manager_of(participant_id) is not None

    async def manager_of(self, participant_id: str) -> str | None:
        """The person id of the participant's direct manager, if their registration named one."""
        document = await self._participants.find_one(
            {"_id": participant_id}, {"manager_person_id": 1}
        )
        found = document.get("manager_person_id") if document else None
        return str(found) if found else None

    async def mentors_of(self, program_id: str) -> list[str]:
        """The participant ids of the program's mentors (and those who are both)."""
        cursor = self._participants.find(
            {"program_id": program_id, "role": {"$in": ["mentor", "both"]}}, {"_id": 1}
        ).sort("_id", ASCENDING)
        return [document["_id"] async for document in cursor]

    async def participations(self, person_id: str) -> list[Participation]:
        """Every participation of the person known here, by participant id."""
        cursor = self._participants.find(
            {"person_id": person_id}, {"program_id": 1, "role": 1}
        ).sort("_id", ASCENDING)
        return [
            Participation(
                document["_id"], document["program_id"], ParticipantRole(document["role"])
            )
            async for document in cursor
        ]

    async def pairs_of(self, participant_ids: Sequence[str]) -> list[tuple[PairCreated, bool]]:
        """The pairs any of ``participant_ids`` is a member of, each with whether it ended."""
        wanted = {"$in": list(participant_ids)}
        found: dict[str, tuple[PairCreated, bool]] = {}
        for member_field in ("mentor_participant_id", "mentee_participant_id"):
            for ended in (False, True):
                for pair in await self.pairs.find({member_field: wanted}, ended=ended):
                    found[pair.pair_id] = (pair, ended)
        return [found[pair_id] for pair_id in sorted(found)]

    async def forget(self, participant_id: str, tx: Transaction) -> None:
        """Erase a participant's identity mapping, keeping only a tombstone of their id."""
        await self._participants.delete_one({"_id": participant_id}, session=tx.session)
        await self._guards.erase(participant_id, tx)

    async def erased(self, participant_ids: Iterable[str], tx: Transaction) -> bool:
        """Whether any of ``participant_ids`` was erased (see `mentorship_kit.erasure_guards`)."""
        return await self._guards.erased(participant_ids, tx)
