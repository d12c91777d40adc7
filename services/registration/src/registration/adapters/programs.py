"""MongoDB storage of programs and their questionnaire versions."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, IndexModel

from mentorship_contracts.events import ProgramTopics
from mentorship_contracts.types import ProgramLifecycle, RegistrationStatus
from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction
from registration.domain.access import ParticipantAccess
from registration.domain.programs import (
    AgendaItem,
    Program,
    ProgramSettings,
    QuestionnaireVersion,
)
from registration.domain.questionnaire import Questionnaire

PROGRAMS = "programs"
QUESTIONNAIRES = "questionnaires"


class ProgramRepository:
    """Programs, and every version of every questionnaire (versions never change)."""

    def __init__(self, database: Database) -> None:
        self._programs: Collection = database[PROGRAMS]
        self._questionnaires: Collection = database[QUESTIONNAIRES]
        self._versions: dict[tuple[str, int], QuestionnaireVersion] = {}

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """Listing by window; versions by program."""
        return (
            Indexes(
                PROGRAMS,
                (
                    IndexModel([("closes_at", ASCENDING), ("opens_at", ASCENDING)], name="window"),
                    IndexModel("manager_person_ids", name="managers"),
                ),
            ),
            Indexes(
                QUESTIONNAIRES,
                (
                    IndexModel(
                        [("program_id", ASCENDING), ("version", ASCENDING)],
                        unique=True,
                        name="program_version",
                    ),
                ),
            ),
        )

    async def get(self, program_id: str, tx: Transaction | None = None) -> Program | None:
        """The program, if it exists."""
        document = await self._programs.find_one(
            {"_id": program_id}, session=tx.session if tx else None
        )
        return _program(document) if document else None

    async def save(self, program: Program, tx: Transaction) -> None:
        """Insert or replace ``program``."""
        await self._programs.replace_one(
            {"_id": program.program_id}, _program_document(program), upsert=True, session=tx.session
        )

    async def not_closed(self, tx: Transaction) -> set[str]:
        """The ids of the programs that are not closed (the ones people can leave)."""
        cursor = self._programs.find(
            {"lifecycle": {"$ne": ProgramLifecycle.CLOSED.value}},
            projection={"_id": 1},
            session=tx.session,
        )
        return {document["_id"] async for document in cursor}

    async def taking_registrations(self, program_ids: list[str], now: datetime) -> set[str]:
        """Which of these programs take registrations at ``now``."""
        cursor = self._programs.find({"_id": {"$in": program_ids}})
        return {
            program.program_id
            async for document in cursor
            if (program := _program(document)).registration_refusal(now) is None
        }

    async def managed_by_employee(self, employee_id: str, tx: Transaction) -> list[Program]:
        """The programs whose managers list names ``employee_id``."""
        cursor = self._programs.find({"settings.managers": employee_id}, session=tx.session)
        return [_program(document) async for document in cursor]

    async def managed_by(self, person_id: str) -> set[str]:
        """The ids of the programs whose managers list names ``person_id``."""
        cursor = self._programs.find({"manager_person_ids": person_id}, projection={"_id": 1})
        return {document["_id"] async for document in cursor}

    async def page(
        self,
        *,
        status: RegistrationStatus | None,
        now: datetime,
        after: str | None,
        limit: int,
        only: frozenset[str] | None = None,
    ) -> list[Program]:
        """Programs in id order, optionally only those whose registration has ``status``.

        ``only`` keeps the programs of those ids (None: every program).
        """
        query: Document = {"_id": {"$gt": after}} if after else {}
        if only is not None:
            query = {"$and": [query, {"_id": {"$in": sorted(only)}}]}
        window_decides = {"lifecycle": {"$in": [None, ProgramLifecycle.REGISTRATION_OPEN.value]}}
        match status:
            case RegistrationStatus.OPEN:
                query |= window_decides | {
                    "opens_at": {"$lte": now},
                    "closes_at": {"$gt": now},
                    "closed_at": None,
                }
            case RegistrationStatus.SCHEDULED:
                query |= {
                    "$or": [
                        {"lifecycle": ProgramLifecycle.DRAFT.value},
                        window_decides | {"opens_at": {"$gt": now}, "closed_at": None},
                    ]
                }
            case RegistrationStatus.CLOSED:
                query |= {
                    "lifecycle": {"$ne": ProgramLifecycle.DRAFT.value},
                    "$or": [
                        {"closes_at": {"$lte": now}},
                        {"closed_at": {"$ne": None}},
                        {"lifecycle": {"$nin": [None, ProgramLifecycle.REGISTRATION_OPEN.value]}},
                    ],
                }
        cursor = self._programs.find(query).sort("_id", ASCENDING).limit(limit)
        return [_program(document) async for document in cursor]

    async def add_version(self, version: QuestionnaireVersion, tx: Transaction) -> None:
        """Store a new questionnaire version."""
        await self._questionnaires.insert_one(
            {
                "_id": f"{version.program_id}:{version.version}",
                "program_id": version.program_id,
                "version": version.version,
                "questions": version.questionnaire.model_dump(mode="json")["questions"],
                "created_at": version.created_at,
            },
            session=tx.session,
        )

    async def versions(self, program_id: str) -> list[QuestionnaireVersion]:
        """Every version of a program's questionnaire, oldest first."""
        cursor = self._questionnaires.find({"program_id": program_id}).sort("version", ASCENDING)
        return [
            QuestionnaireVersion(
                program_id=program_id,
                version=document["version"],
                questionnaire=Questionnaire.model_validate({"questions": document["questions"]}),
                created_at=document["created_at"],
            )
            async for document in cursor
        ]

    async def version(
        self, program_id: str, version: int, tx: Transaction | None = None
    ) -> QuestionnaireVersion | None:
        """One version of a program's questionnaire (cached: versions never change)."""
        cached = self._versions.get((program_id, version))
        if cached is not None:
            return cached
        document = await self._questionnaires.find_one(
            {"_id": f"{program_id}:{version}"}, session=tx.session if tx else None
        )
        if document is None:
            return None
        loaded = QuestionnaireVersion(
            program_id=program_id,
            version=version,
            questionnaire=Questionnaire.model_validate({"questions": document["questions"]}),
            created_at=document["created_at"],
        )
        self._versions[(program_id, version)] = loaded
        return loaded


def _program_document(program: Program) -> Document:
    settings = program.settings
    return {
        "_id": program.program_id,
        "settings": settings.model_dump(mode="json"),
        "opens_at": settings.registration_opens_at,
        "closes_at": settings.registration_closes_at,
        "closed_at": program.registration_closed_at,
        "questionnaire_version": program.questionnaire_version,
        "topics": program.topics.model_dump(mode="json"),
        "created_at": program.created_at,
        "updated_at": program.updated_at,
        "lifecycle": program.lifecycle.value,
        "access": program.access.model_dump(mode="json"),
        "agenda": [item.model_dump(mode="json") for item in program.agenda],
        "reviewed_steps": sorted(program.reviewed_steps),
        "cloned_from": program.cloned_from,
        "manager_person_ids": list(program.manager_person_ids),
    }


def _program(document: Document) -> Program:
    return Program(
        program_id=document["_id"],
        settings=ProgramSettings.model_validate(document["settings"]),
        questionnaire_version=document["questionnaire_version"],
        topics=ProgramTopics.model_validate(document["topics"]),
        registration_closed_at=document["closed_at"],
        created_at=document["created_at"],
        updated_at=document["updated_at"],
        lifecycle=ProgramLifecycle(
            document.get("lifecycle") or ProgramLifecycle.REGISTRATION_OPEN.value
        ),
        access=ParticipantAccess.model_validate(document.get("access") or {}),
        agenda=tuple(AgendaItem.model_validate(item) for item in document.get("agenda") or ()),
        reviewed_steps=frozenset(document.get("reviewed_steps") or ()),
        cloned_from=document.get("cloned_from"),
        manager_person_ids=tuple(document.get("manager_person_ids") or ()),
    )
