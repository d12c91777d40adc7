"""MongoDB storage of the read models: one collection per kind of document."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from pymongo import ASCENDING, IndexModel, ReplaceOne

from analytics.domain.documents import (
    FACT_KINDS,
    Fact,
    FeedbackFact,
    FitFact,
    GoalFact,
    InvitationFact,
    OutcomeFact,
    PairFact,
    ParticipantFact,
    PersonFact,
    PersonFacts,
    ProgramFact,
    ProgramFacts,
    RunFact,
    SessionFact,
    SkillsFact,
    SurveyFact,
)
from analytics.domain.facts import Target, directory_key
from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction

RM_PREFIX = "rm_"
"""Read-model collections are named rm_<kind>, apart from the kit's own collections."""


class ReadModels:
    """Loads and stores read-model documents, and reads a program's documents for reports."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def _collection(self, kind: type[Fact]) -> Collection:
        return self._database[f"{RM_PREFIX}{kind.collection}"]

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """Every kind is read per program; participants and invitations also per person."""
        by_person: dict[type[Fact], tuple[IndexModel, ...]] = {
            ParticipantFact: (IndexModel([("person_key", ASCENDING)], name="by_person"),),
            InvitationFact: (IndexModel([("person_key", ASCENDING)], name="by_person"),),
        }
        return tuple(
            Indexes(
                f"{RM_PREFIX}{kind.collection}",
                (
                    IndexModel([("program_id", ASCENDING)], name="by_program"),
                    *by_person.get(kind, ()),
                ),
            )
            for kind in FACT_KINDS
        )

    async def load(self, targets: Iterable[Target], tx: Transaction) -> dict[Target, Fact]:
        """The stored documents of ``targets`` (one query per kind)."""
        keys: dict[type[Fact], list[str]] = defaultdict(list)
        for target in targets:
            keys[target.kind].append(target.key)
        found: dict[Target, Fact] = {}
        for kind, ids in keys.items():
            cursor = self._collection(kind).find({"_id": {"$in": ids}}, session=tx.session)
            async for document in cursor:
                fact = kind.model_validate(document)
                found[Target(kind, fact.id)] = fact
        return found

    async def save(self, facts: Mapping[Target, Fact], tx: Transaction) -> None:
        """Store ``facts`` (one bulk write per kind)."""
        by_kind: dict[type[Fact], list[ReplaceOne[Document]]] = defaultdict(list)
        for target, fact in facts.items():
            body = fact.model_dump(exclude={"id"})
            by_kind[target.kind].append(ReplaceOne({"_id": target.key}, body, upsert=True))
        for kind, writes in by_kind.items():
            await self._collection(kind).bulk_write(writes, ordered=False, session=tx.session)

    async def _of[F: Fact](self, kind: type[F], program_id: str) -> list[F]:
        cursor = self._collection(kind).find({"program_id": program_id})
        return [kind.model_validate(document) async for document in cursor]

    async def of_program(self, program_id: str) -> ProgramFacts:
        """Every document of a program, and the directory's people its reports need."""
        programs = await self._of(ProgramFact, program_id)
        participants = await self._of(ParticipantFact, program_id)
        invitations = await self._of(InvitationFact, program_id)
        depth = programs[0].reporting_line_depth if programs else 0
        people = await self._people(
            {i.person_key for i in invitations} | {p.person_key for p in participants},
            depth,
        )
        return ProgramFacts(
            program_id=program_id,
            program=programs[0] if programs else None,
            invitations=invitations,
            people=people,
            participants=participants,
            runs=await self._of(RunFact, program_id),
            pairs=await self._of(PairFact, program_id),
            sessions=await self._of(SessionFact, program_id),
            feedback=await self._of(FeedbackFact, program_id),
            fits=await self._of(FitFact, program_id),
            goals=await self._of(GoalFact, program_id),
            surveys=await self._of(SurveyFact, program_id),
            skills=await self._of(SkillsFact, program_id),
        )

    async def _people(self, keys: set[str], depth: int) -> dict[str, PersonFact]:
        """The directory's people of ``keys`` and their managers, ``depth`` levels up."""
        found: dict[str, PersonFact] = {}
        frontier = keys - {""}
        for _ in range(depth + 1):
            if not frontier:
                break
            cursor = self._collection(PersonFact).find({"_id": {"$in": sorted(frontier)}})
            level = {
                fact.id: fact
                async for document in cursor
                if (fact := PersonFact.model_validate(document))
            }
            found |= level
            frontier = {f.manager_key for f in level.values() if f.manager_key} - found.keys()
        return found

    async def of_person(self, person_id: str) -> PersonFacts:
        """The documents about one person, found by their person key (see `directory_key`).

        Their participant documents carry the key until an erasure; their registrations' keys
        find their pairs, ratings, fit answers and goals.
        """
        key = directory_key(person_id)
        participants = await self._find(ParticipantFact, {"person_key": key})
        people = await self._find(PersonFact, {"_id": key, "erased": False})
        invitations = await self._find(InvitationFact, {"person_key": key})
        outcomes = await self._find(OutcomeFact, {"person_key": key})
        keys = [fact.id for fact in participants]
        if not keys:
            return PersonFacts(
                person_id=person_id,
                directory=people[0] if people else None,
                invitations=invitations,
                outcomes=outcomes,
            )
        mine = {"$in": keys}
        programs = {"program_id": {"$in": sorted({f.program_id for f in participants})}}
        pairs = await self._find(
            PairFact, programs | {"$or": [{"mentor_key": mine}, {"mentee_key": mine}]}
        )
        fit_ids = [f"{pair.id}:{key}" for pair in pairs for key in keys]
        return PersonFacts(
            person_id=person_id,
            participants=participants,
            pairs=pairs,
            feedback=await self._find(FeedbackFact, programs | {"author_key": mine}),
            fits=await self._find(FitFact, programs | {"_id": {"$in": fit_ids}}),
            goals=await self._find(GoalFact, programs | {"owner_key": mine}),
            runs=await self._find(RunFact, programs),
            directory=people[0] if people else None,
            invitations=invitations,
            skills=await self._find(SkillsFact, programs | {"owner_key": mine}),
            outcomes=outcomes,
        )

    async def _find[F: Fact](self, kind: type[F], query: Mapping[str, object]) -> list[F]:
        cursor = self._collection(kind).find(dict(query)).sort("_id", ASCENDING)
        return [kind.model_validate(document) async for document in cursor]

    async def count(self, kind: type[Fact], query: Mapping[str, object]) -> int:
        """How many documents of ``kind`` match."""
        return int(await self._collection(kind).count_documents(dict(query)))

    async def latest_programs(self, limit: int) -> list[str]:
        """The ``limit`` programs that started last."""
        cursor = (
            self._collection(ProgramFact).find({}, {"_id": 1}).sort("starts_on", -1).limit(limit)
        )
        return [document["_id"] async for document in cursor]

    async def average_rating(self, query: Mapping[str, object]) -> float:
        """The average session rating of the matching feedback (0 when there is none)."""
        pipeline: list[dict[str, object]] = [
            {"$match": dict(query)},
            {"$group": {"_id": None, "average": {"$avg": "$rating"}}},
        ]
        async for group in await self._collection(FeedbackFact).aggregate(pipeline):
            return float(group["average"] or 0.0)
        return 0.0
