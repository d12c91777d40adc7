"""MongoDB storage of matching runs and their proposal parts.

A part's event (500 pairs and unmatched people) is stored as its JSON, packed in one binary
field, beside the ids of everyone it names (``people``, what a person's data export looks
up): SecantusDB's cost of a write or read is per element, and storing a proposal of 7,470
pairs as nested documents took it 70-90 ms of the run's store stage (decoding them back,
0.2 s of the service's CPU at approval, against 35 ms from the JSON). Parts stored whole by
earlier versions (``event``) are still read, looked up and scrubbed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from bson import Binary
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from matching.domain.approval import ProposalPart
from matching.domain.matching import PairKey
from matching.domain.pairs import ERASED
from matching.domain.runs import (
    Approval,
    Run,
    RunKind,
    RunOptions,
    RunStatus,
    RunSummary,
    Stage,
)
from mentorship_contracts.events.matching import MatchingRunProposed
from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction

RUNS, PARTS, LEASES = "runs", "run_parts", "run_leases"
ACTIVE = [status.value for status in RunStatus if status.active]


class RunRepository:
    """Runs (one document each), their proposal parts and their workers' leases."""

    def __init__(self, database: Database) -> None:
        self._runs: Collection = database[RUNS]
        self._parts: Collection = database[PARTS]
        self._leases: Collection = database[LEASES]

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """Runs are listed per program and claimed by status; parts are read per run."""
        return (
            Indexes(
                RUNS,
                (
                    IndexModel(
                        [("program_id", ASCENDING), ("requested_at", DESCENDING)],
                        name="by_program",
                    ),
                    IndexModel([("status", ASCENDING), ("requested_at", ASCENDING)], name="queue"),
                ),
            ),
            Indexes(
                PARTS, (IndexModel([("run_id", ASCENDING), ("part", ASCENDING)], name="by_run"),)
            ),
        )

    async def insert(self, run: Run, tx: Transaction) -> None:
        """Store a new run."""
        await self._runs.insert_one(_document(run), session=tx.session)

    async def get(self, run_id: str, tx: Transaction | None = None) -> Run | None:
        """A run by id."""
        document = await self._runs.find_one({"_id": run_id}, session=tx.session if tx else None)
        return _run(document) if document else None

    async def page(self, program_id: str, *, before: datetime | None, limit: int) -> list[Run]:
        """A program's runs, newest first."""
        query: Document = {"program_id": program_id}
        if before is not None:
            query["requested_at"] = {"$lt": before}
        cursor = self._runs.find(query).sort("requested_at", DESCENDING).limit(limit)
        return [_run(document) async for document in cursor]

    async def active(self, program_id: str, tx: Transaction | None = None) -> list[Run]:
        """The program's runs that are queued, running or being approved."""
        cursor = self._runs.find(
            {"program_id": program_id, "status": {"$in": ACTIVE}},
            session=tx.session if tx else None,
        )
        return [_run(document) async for document in cursor]

    async def proposed(self, program_id: str, tx: Transaction) -> list[Run]:
        """The program's runs waiting for approval."""
        cursor = self._runs.find(
            {"program_id": program_id, "status": RunStatus.PROPOSED.value}, session=tx.session
        )
        return [_run(document) async for document in cursor]

    async def claim(self, worker: str, now: datetime, lease_until: datetime) -> Run | None:
        """Take the oldest run a worker should work on.

        That is an active run (queued, running or being approved) that no worker holds,
        or whose worker's lease ran out. Claiming writes the run document (its holder, a
        first lease, one more attempt); renewing the lease later writes only the lease
        document, so a heartbeat never conflicts with the holder's transactions on the run.
        """
        cursor = self._runs.find({"status": {"$in": ACTIVE}}, {"worker": 1, "lease_until": 1}).sort(
            "requested_at", ASCENDING
        )
        async for candidate in cursor:
            holder = candidate.get("worker")
            if holder is not None and await self._held(candidate, now):
                continue
            document = await self._runs.find_one_and_update(
                {"_id": candidate["_id"], "worker": holder, "status": {"$in": ACTIVE}},
                {"$set": {"worker": worker, "lease_until": lease_until}, "$inc": {"attempts": 1}},
                return_document=ReturnDocument.AFTER,
            )
            if document is not None:
                return _run(document)
        return None

    async def _held(self, run: Mapping[str, Any], now: datetime) -> bool:
        """Whether the run's holder still has a lease (from its claim or its heartbeat)."""
        lease_until = run.get("lease_until")
        if lease_until is not None and lease_until >= now:
            return True
        lease = await self._leases.find_one({"_id": run["_id"], "worker": run["worker"]})
        return lease is not None and lease["lease_until"] >= now

    async def renew(self, run_id: str, worker: str, lease_until: datetime) -> bool:
        """Extend the worker's lease; False when another worker took the run over.

        Writes the run's lease document only, never the run document.
        """
        if await self._runs.find_one({"_id": run_id, "worker": worker}, {"_id": 1}) is None:
            return False
        await self._leases.update_one(
            {"_id": run_id},
            {"$set": {"worker": worker, "lease_until": lease_until}},
            upsert=True,
        )
        return True

    async def release(self, run_id: str, worker: str) -> None:
        """Give the run up (the worker is shutting down): another may claim it at once."""
        await self._runs.update_one(
            {"_id": run_id, "worker": worker}, {"$set": {"worker": None, "lease_until": None}}
        )
        await self._leases.delete_one({"_id": run_id, "worker": worker})

    async def set_stage(self, run_id: str, worker: str, stage: Stage) -> None:
        """Record the stage a running run reached (outside any transaction)."""
        await self._runs.update_one({"_id": run_id, "worker": worker}, {"$set": {"stage": stage}})

    async def update(
        self, run_id: str, tx: Transaction, *, held_by: str | None = None, **changes: Any
    ) -> bool:
        """Change a run's fields; with ``held_by``, only while that worker holds it."""
        query: Document = {"_id": run_id}
        if held_by is not None:
            query["worker"] = held_by
        result = await self._runs.update_one(query, {"$set": _encode(changes)}, session=tx.session)
        return result.matched_count == 1

    async def add_parts(self, run_id: str, parts: Sequence[ProposalPart], tx: Transaction) -> None:
        """Store a proposal's parts."""
        await self.insert_parts(self.part_documents(run_id, parts), tx)

    @staticmethod
    def part_documents(run_id: str, parts: Sequence[ProposalPart]) -> list[Document]:
        """A proposal's parts as stored (each event serialised: the CPU of storing them)."""
        return [
            {
                "_id": f"{run_id}:{part.event.part}",
                "run_id": run_id,
                "part": part.event.part,
                "packed": Binary(part.event.model_dump_json().encode()),
                "people": _named(part.event),
                "pair_ids": list(part.pair_ids),
                "kept": list(part.kept),
            }
            for part in parts
        ]

    async def insert_parts(self, documents: Sequence[Document], tx: Transaction) -> None:
        """Store parts built by `part_documents`."""
        await self._parts.insert_many(documents, session=tx.session)

    async def part(self, run_id: str, number: int) -> ProposalPart | None:
        """One part of a run's proposal."""
        document = await self._parts.find_one({"_id": f"{run_id}:{number}"})
        return _part(document) if document else None

    async def parts(self, run_id: str, tx: Transaction | None = None) -> list[ProposalPart]:
        """Every part of a run's proposal, in order."""
        cursor = self._parts.find({"run_id": run_id}, session=tx.session if tx else None).sort(
            "part", ASCENDING
        )
        return [_part(document) async for document in cursor]

    async def naming(
        self, program_ids: Iterable[str], participant_ids: Iterable[str]
    ) -> tuple[list[Run], list[ProposalPart]]:
        """The runs of ``program_ids``, and the proposal parts naming ``participant_ids``.

        A part names someone in one of its pairs or among its unmatched; runs come oldest
        first.
        """
        ids = sorted(set(participant_ids))
        cursor = self._runs.find({"program_id": {"$in": sorted(set(program_ids))}}).sort(
            "requested_at", ASCENDING
        )
        runs = [_run(document) async for document in cursor]
        if not runs or not ids:
            return runs, []
        named = {"$in": ids}
        parts = self._parts.find(
            {
                "run_id": {"$in": [run.run_id for run in runs]},
                "$or": [
                    {"people": named},
                    {"event.pairs.mentor_participant_id": named},
                    {"event.pairs.mentee_participant_id": named},
                    {"event.unmatched.participant_id": named},
                ],
            }
        ).sort([("run_id", ASCENDING), ("part", ASCENDING)])
        return runs, [_part(document) async for document in parts]

    async def erase_participant(
        self, program_id: str, participant_id: str, tx: Transaction
    ) -> None:
        """Replace a participant's id in the program's runs and proposals."""
        cursor = self._runs.find({"program_id": program_id}, session=tx.session)
        run_ids = []
        async for document in cursor:
            run_ids.append(document["_id"])
            changes = {
                name: value
                for name, value in (
                    ("options.pins", document["options"]["pins"]),
                    ("options.forbids", document["options"]["forbids"]),
                    ("removed", document.get("removed", [])),
                )
                if _scrub_keys(value, participant_id)
            }
            if changes:
                await self._runs.update_one(
                    {"_id": document["_id"]}, {"$set": changes}, session=tx.session
                )
        parts = self._parts.find({"run_id": {"$in": run_ids}}, session=tx.session)
        async for document in parts:
            packed = "packed" in document
            event = json.loads(document["packed"]) if packed else document["event"]
            changed = _scrub_ids(event["pairs"], participant_id)
            changed |= _scrub_ids(event["unmatched"], participant_id)
            if not changed:
                continue
            if packed:
                scrubbed = MatchingRunProposed.model_validate(event)
                written: Document = {
                    "packed": Binary(scrubbed.model_dump_json().encode()),
                    "people": _named(scrubbed),
                }
            else:
                written = {"event": event}
            await self._parts.update_one(
                {"_id": document["_id"]}, {"$set": written}, session=tx.session
            )


def _named(event: MatchingRunProposed) -> list[str]:
    """Everyone a part names: in its pairs, on either side, or among its unmatched."""
    named = {pair.mentor_participant_id for pair in event.pairs}
    named.update(pair.mentee_participant_id for pair in event.pairs)
    named.update(person.participant_id for person in event.unmatched)
    return sorted(named)


def _scrub_keys(keys: list[Document], participant_id: str) -> bool:
    changed = False
    for key in keys:
        for side in ("mentor", "mentee"):
            if key[side] == participant_id:
                key[side], changed = ERASED, True
    return changed


def _scrub_ids(items: list[Document], participant_id: str) -> bool:
    changed = False
    for item in items:
        for name in ("participant_id", "mentor_participant_id", "mentee_participant_id"):
            if item.get(name) == participant_id:
                item[name], changed = ERASED, True
    return changed


def _encode(changes: Mapping[str, Any]) -> Document:
    encoded: Document = {}
    for name, value in changes.items():
        if isinstance(value, RunSummary | Approval):
            encoded[name] = asdict(value)
        elif isinstance(value, tuple) and value and isinstance(value[0], PairKey):
            encoded[name] = [_key(pair) for pair in value]
        else:
            encoded[name] = value
    return encoded


def _key(pair: PairKey) -> Document:
    return {"mentor": pair.mentor, "mentee": pair.mentee}


def _keys(documents: Sequence[Mapping[str, str]]) -> tuple[PairKey, ...]:
    return tuple(PairKey(mentor=d["mentor"], mentee=d["mentee"]) for d in documents)


def _document(run: Run) -> Document:
    return {
        "_id": run.run_id,
        "program_id": run.program_id,
        "kind": run.kind.value,
        "status": run.status.value,
        "stage": run.stage.value,
        "options": {
            "pins": [_key(pair) for pair in run.options.pins],
            "forbids": [_key(pair) for pair in run.options.forbids],
            "max_changes": run.options.max_changes,
            "time_limit_s": run.options.time_limit_s,
        },
        "requested_by": run.requested_by,
        "requested_at": run.requested_at,
        "attempts": run.attempts,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "summary": asdict(run.summary) if run.summary else None,
        "removed": [_key(pair) for pair in run.removed],
        "error": run.error,
        "approval": asdict(run.approval) if run.approval else None,
        "worker": None,
        "lease_until": None,
    }


def _run(document: Mapping[str, Any]) -> Run:
    options = document["options"]
    return Run(
        run_id=document["_id"],
        program_id=document["program_id"],
        kind=RunKind(document["kind"]),
        status=RunStatus(document["status"]),
        stage=Stage(document["stage"]),
        options=RunOptions(
            pins=_keys(options["pins"]),
            forbids=_keys(options["forbids"]),
            max_changes=options["max_changes"],
            time_limit_s=options["time_limit_s"],
        ),
        requested_by=document["requested_by"],
        requested_at=document["requested_at"],
        attempts=document["attempts"],
        started_at=document.get("started_at"),
        finished_at=document.get("finished_at"),
        summary=RunSummary(**document["summary"]) if document.get("summary") else None,
        removed=_keys(document.get("removed", [])),
        error=document.get("error"),
        approval=Approval(**document["approval"]) if document.get("approval") else None,
    )


def _part(document: Mapping[str, Any]) -> ProposalPart:
    """A stored part, packed (see the module) or, from an earlier version, whole."""
    if "packed" in document:
        event = MatchingRunProposed.model_validate_json(document["packed"])
    else:
        event = MatchingRunProposed.model_validate(document["event"])
    return ProposalPart(
        event=event,
        pair_ids=tuple(document["pair_ids"]),
        kept=tuple(document["kept"]),
    )
