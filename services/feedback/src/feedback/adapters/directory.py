"""Who is who for feedback: participants, pairs and programs, from the other services' events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set

from pymongo import ASCENDING, IndexModel, UpdateOne

from feedback.domain.membership import Identity, Known, Participation, identities_applied
from mentorship_contracts.events import PairCreated
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.batching import find_in, store
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
        self, identities: Iterable[Identity], erased: Set[str], tx: Transaction
    ) -> None:
        """Record who participants are, in order (see `identities_applied`).

        One read of what is stored, one bulk write. ``erased``: participants never
        recorded again. A registration replacing a pair's placeholder sets every field the
        placeholder set (and its skills and manager), so the document is the same whichever
        of the two arrived first.
        """
        listed = list(identities)
        stored = {
            document["_id"]: Known(document["as_of"], document.get("placeholder", False))
            async for document in find_in(
                self._participants,
                [identity.participant_id for identity in listed],
                projection={"as_of": 1, "placeholder": 1},
                tx=tx,
            )
        }
        documents = {
            key: {
                "person_id": identity.person_id,
                "program_id": identity.program_id,
                "role": identity.role.value,
                "as_of": identity.as_of,
                "placeholder": identity.placeholder,
                **(
                    {}
                    if identity.skills is None
                    else {
                        "skills": list(identity.skills),
                        "manager_person_id": identity.manager_person_id,
                    }
                ),
            }
            for key, identity in identities_applied(stored, listed, erased).items()
        }
        await store(
            self._participants,
            tx,
            new=[{"_id": key, **values} for key, values in documents.items() if key not in stored],
            changed=[
                UpdateOne({"_id": key}, {"$set": values})
                for key, values in documents.items()
                if key in stored
            ],
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

    async def erased_among(self, participant_ids: Iterable[str], tx: Transaction) -> set[str]:
        """Which of ``participant_ids`` were erased, guarding each of them in ``tx``."""
        return await self._guards.erased_among(participant_ids, tx)
