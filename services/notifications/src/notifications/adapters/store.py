"""MongoDB storage of the notifications service."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime, time
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReplaceOne, ReturnDocument, UpdateOne

from mentorship_contracts.events.program import ProgramState
from mentorship_kit.batching import find_in
from mentorship_kit.erasure_guards import ErasureGuards
from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction
from mentorship_kit.snapshots import SnapshotStore
from notifications.domain.deliveries import OPEN, Delivery, Status
from notifications.domain.facts import Pair, Participant, ProgramFacts, SessionState
from notifications.domain.kinds import Channel, Kind, RecipientType
from notifications.domain.preferences import Cadence, Preferences, QuietHours
from notifications.domain.programs import Branding, ChatSettings, Manager, ProgramSettings

DELIVERIES = "deliveries"
PREFERENCES = "preferences"
PARTICIPANTS = "participants"
PAIRS = "pairs"
SESSIONS = "sessions"
PROGRAM_SETTINGS = "program_settings"
OCCASIONS = "occasions"
SESSIONS_CACHE = "notifications.sessions"
SESSIONS_DIRTY = "notifications.sessions.dirty"
PROGRAMS = "programs"


def _session(tx: Transaction | None) -> Any:
    return tx.session if tx else None


# ------------------------------------------------------------------------------ deliveries


def delivery_document(delivery: Delivery) -> Document:
    """A delivery as stored."""
    document = asdict(delivery)
    document["_id"] = document.pop("delivery_id")
    document["items"] = list(delivery.items)
    return document


def delivery_of(document: Mapping[str, Any]) -> Delivery:
    """A stored delivery."""
    fields = dict(document)
    fields["delivery_id"] = fields.pop("_id")
    fields.pop("owner", None)
    fields["kind"] = Kind(fields["kind"])
    fields["channel"] = Channel(fields["channel"])
    fields["recipient_type"] = RecipientType(fields["recipient_type"])
    fields["status"] = Status(fields["status"])
    fields["items"] = tuple(fields.get("items") or ())
    return Delivery(**fields)


class Deliveries:
    """The delivery records: one per (event, recipient, channel, kind)."""

    def __init__(self, database: Database) -> None:
        self.collection: Collection = database[DELIVERIES]

    @staticmethod
    def indexes() -> Indexes:
        """Due deliveries by status and time; per person, program and recipient."""
        return Indexes(
            DELIVERIES,
            (
                IndexModel([("status", ASCENDING), ("due_at", ASCENDING)], name="due"),
                IndexModel([("person_id", ASCENDING)], name="by_person"),
                IndexModel(
                    [("recipient_type", ASCENDING), ("recipient_id", ASCENDING)],
                    name="by_recipient",
                ),
                IndexModel([("program_id", ASCENDING), ("status", ASCENDING)], name="by_program"),
                IndexModel([("failed_at", DESCENDING)], name="by_failure", sparse=True),
            ),
        )

    async def add(self, deliveries: Sequence[Delivery], tx: Transaction) -> int:
        """Store new deliveries; one that exists (same key) is left as it is."""
        if not deliveries:
            return 0
        result = await self.collection.bulk_write(
            [
                UpdateOne(
                    {"_id": delivery.delivery_id},
                    {
                        "$setOnInsert": {
                            k: v for k, v in delivery_document(delivery).items() if k != "_id"
                        }
                    },
                    upsert=True,
                )
                for delivery in deliveries
            ],
            ordered=False,
            session=tx.session,
        )
        return result.upserted_count

    async def get(self, delivery_id: str) -> Delivery | None:
        """A delivery by id."""
        document = await self.collection.find_one({"_id": delivery_id})
        return delivery_of(document) if document else None

    async def claim(
        self, *, now: datetime, lease_until: datetime, owner: str, limit: int
    ) -> list[Delivery]:
        """Claim up to ``limit`` due deliveries for ``owner``.

        Pending ones due by ``now`` and ``sending`` ones whose sender's lease ran out. Each is
        claimed by exactly one owner (the claim is a conditional update).
        """
        due = {
            "$or": [
                {"status": Status.PENDING.value, "due_at": {"$lte": now}},
                {"status": Status.SENDING.value, "lease_until": {"$lt": now}},
            ]
        }
        # Two index scans (status, due_at) rather than one $or, which a server may not index.
        # Unsorted: any due delivery will do, and a sorted scan of a large backlog is costly on
        # servers that sort in memory.
        pending = self.collection.find(
            {"status": Status.PENDING.value, "due_at": {"$lte": now}}, projection={"_id": 1}
        )
        candidates = [document["_id"] async for document in pending.limit(limit)]
        if len(candidates) < limit:
            abandoned = self.collection.find(
                {"status": Status.SENDING.value, "lease_until": {"$lt": now}},
                projection={"_id": 1},
            )
            candidates += [
                document["_id"] async for document in abandoned.limit(limit - len(candidates))
            ]
        if not candidates:
            return []
        await self.collection.update_many(
            {"_id": {"$in": candidates}, **due},
            {
                "$set": {
                    "status": Status.SENDING.value,
                    "lease_until": lease_until,
                    "owner": owner,
                },
                "$inc": {"attempts": 1},
            },
        )
        cursor = self.collection.find(
            {"_id": {"$in": candidates}, "owner": owner, "lease_until": lease_until},
            projection={"owner": 0},
        )
        return [delivery_of(document) async for document in cursor]

    async def settle(self, settled: Sequence[tuple[Delivery, str]]) -> None:
        """Record outcomes of claimed deliveries.

        ``(delivery, owner)``: only while the owner still holds the claim (a lease that ran out and
        was taken over is not overwritten).
        """
        if not settled:
            return
        writes = []
        for delivery, owner in settled:
            document = delivery_document(delivery)
            changes = {
                key: document[key]
                for key in ("status", "due_at", "lease_until", "sent_at", "failed_at", "error")
            }
            writes.append(
                UpdateOne(
                    {"_id": delivery.delivery_id, "owner": owner, "status": Status.SENDING.value},
                    {"$set": changes},
                )
            )
        await self.collection.bulk_write(writes, ordered=False)

    async def due_digests(self, now: datetime, limit: int) -> list[Delivery]:
        """Deliveries waiting for a digest that is due."""
        cursor = self.collection.find(
            {"status": Status.DIGEST.value, "due_at": {"$lte": now}}
        ).sort("due_at", ASCENDING)
        return [delivery_of(document) async for document in cursor.limit(limit)]

    async def mark_digested(
        self, delivery_ids: Sequence[str], digest_id: str, tx: Transaction
    ) -> int:
        """Record that ``delivery_ids`` go out in ``digest_id`` (only those still waiting)."""
        result = await self.collection.update_many(
            {"_id": {"$in": list(delivery_ids)}, "status": Status.DIGEST.value},
            {"$set": {"status": Status.DIGESTED.value, "digest_id": digest_id}},
            session=tx.session,
        )
        return result.modified_count

    async def find(
        self, query: Mapping[str, Any], *, limit: int = 200, newest_first: bool = True
    ) -> list[Delivery]:
        """Deliveries matching ``query``."""
        order = DESCENDING if newest_first else ASCENDING
        cursor = self.collection.find(dict(query)).sort("created_at", order).limit(limit)
        return [delivery_of(document) async for document in cursor]

    async def by_ids(self, delivery_ids: Iterable[str]) -> list[Delivery]:
        """The deliveries with these ids."""
        cursor = self.collection.find({"_id": {"$in": list(delivery_ids)}})
        return [delivery_of(document) async for document in cursor]

    async def cancel_open(
        self, query: Mapping[str, Any], reason: str, now: datetime, tx: Transaction
    ) -> int:
        """Cancel the deliveries matching ``query`` that have not gone out."""
        result = await self.collection.update_many(
            {**query, "status": {"$in": [status.value for status in OPEN - {Status.SENDING}]}},
            {"$set": {"status": Status.CANCELLED.value, "error": reason, "failed_at": now}},
            session=tx.session,
        )
        return result.modified_count

    async def delete(self, query: Mapping[str, Any], tx: Transaction) -> int:
        """Delete every matching delivery."""
        result = await self.collection.delete_many(dict(query), session=tx.session)
        return result.deleted_count

    async def counts(self, query: Mapping[str, Any]) -> dict[str, int]:
        """How many deliveries match, by status."""
        pipeline: list[Document] = [
            {"$match": dict(query)},
            {"$group": {"_id": "$status", "n": {"$sum": 1}}},
        ]
        return {
            document["_id"]: int(document["n"])
            async for document in await self.collection.aggregate(pipeline)
        }

    async def oldest_open(self, now: datetime) -> datetime | None:
        """When the oldest delivery that is due and not sent yet fell due."""
        document = await self.collection.find_one(
            {
                "status": {"$in": [Status.PENDING.value, Status.SENDING.value]},
                "due_at": {"$lte": now},
            },
            sort=[("due_at", ASCENDING)],
            projection={"due_at": 1},
        )
        return document["due_at"] if document else None


# ------------------------------------------------------------------------------ preferences


def preferences_document(preferences: Preferences) -> Document:
    """Preferences as stored."""
    quiet = preferences.quiet_hours
    return {
        "_id": preferences.person_id,
        "language": preferences.language,
        "time_zone": preferences.time_zone,
        "channels": {
            kind.value: [channel.value for channel in channels]
            for kind, channels in preferences.channels.items()
        },
        "quiet_hours": (
            {"start": quiet.start.isoformat(), "end": quiet.end.isoformat()} if quiet else None
        ),
        "cadence": {kind.value: cadence.value for kind, cadence in preferences.cadence.items()},
        "unsubscribed": sorted(kind.value for kind in preferences.unsubscribed),
        "updated_at": preferences.updated_at,
    }


def preferences_of(document: Mapping[str, Any]) -> Preferences:
    """Stored preferences."""
    quiet = document.get("quiet_hours")
    return Preferences(
        person_id=document["_id"],
        language=document.get("language"),
        time_zone=document.get("time_zone"),
        channels={
            Kind(kind): tuple(Channel(c) for c in channels)
            for kind, channels in (document.get("channels") or {}).items()
        },
        quiet_hours=(
            QuietHours(time.fromisoformat(quiet["start"]), time.fromisoformat(quiet["end"]))
            if quiet
            else None
        ),
        cadence={
            Kind(kind): Cadence(value) for kind, value in (document.get("cadence") or {}).items()
        },
        unsubscribed=frozenset(Kind(kind) for kind in document.get("unsubscribed") or ()),
        updated_at=document.get("updated_at"),
    )


class PreferencesStore:
    """Each person's preferences, by person id."""

    def __init__(self, database: Database) -> None:
        self.collection: Collection = database[PREFERENCES]

    async def get(self, person_id: str, tx: Transaction | None = None) -> Preferences | None:
        """A person's preferences (None: they chose nothing)."""
        document = await self.collection.find_one({"_id": person_id}, session=_session(tx))
        return preferences_of(document) if document else None

    async def many(
        self, person_ids: Iterable[str], tx: Transaction | None = None
    ) -> dict[str, Preferences]:
        """The preferences of several people, by person id."""
        cursor = self.collection.find({"_id": {"$in": list(person_ids)}}, session=_session(tx))
        return {document["_id"]: preferences_of(document) async for document in cursor}

    async def put(self, preferences: Preferences, tx: Transaction) -> None:
        """Store a person's preferences."""
        document = preferences_document(preferences)
        await self.collection.replace_one(
            {"_id": document["_id"]}, document, upsert=True, session=tx.session
        )

    async def delete(self, person_id: str, tx: Transaction) -> None:
        """Forget a person's preferences."""
        await self.collection.delete_one({"_id": person_id}, session=tx.session)


# ------------------------------------------------------------------------------ facts


class Facts:
    """Participants, pairs, sessions and programs as their events told them."""

    def __init__(self, database: Database) -> None:
        self.participants: Collection = database[PARTICIPANTS]
        self.pairs: Collection = database[PAIRS]
        self.sessions: Collection = database[SESSIONS]
        # Created and updated events both carry a ProgramState; read back as that.
        self.programs: SnapshotStore[ProgramState] = SnapshotStore(database, PROGRAMS, ProgramState)
        self.guards = ErasureGuards(database)

    def indexes(self) -> tuple[Indexes, ...]:
        """Lookups by person, program and member."""
        return (
            Indexes(
                PARTICIPANTS,
                (
                    IndexModel([("person_id", ASCENDING)], name="by_person"),
                    IndexModel([("program_id", ASCENDING)], name="by_program"),
                ),
            ),
            Indexes(
                PAIRS,
                (
                    IndexModel([("mentor_participant_id", ASCENDING)], name="by_mentor"),
                    IndexModel([("mentee_participant_id", ASCENDING)], name="by_mentee"),
                ),
            ),
            Indexes(
                SESSIONS,
                (
                    IndexModel([("participant_ids", ASCENDING)], name="by_participant"),
                    IndexModel([("pair_id", ASCENDING)], name="by_pair"),
                ),
            ),
            self.programs.indexes(),
        )

    async def put_participant(self, participant: Participant, tx: Transaction) -> None:
        """Store (or refresh) a registration."""
        document = asdict(participant)
        document["_id"] = document.pop("participant_id")
        document["languages"] = list(participant.languages)
        await self.participants.replace_one(
            {"_id": document["_id"]}, document, upsert=True, session=tx.session
        )

    async def withdraw(self, participant_id: str, tx: Transaction) -> None:
        """A participant left their program."""
        await self.participants.update_one(
            {"_id": participant_id}, {"$set": {"active": False}}, session=tx.session
        )

    async def participants_by_id(
        self, participant_ids: Iterable[str], tx: Transaction | None = None
    ) -> dict[str, Participant]:
        """Known registrations, by participant id."""
        cursor = self.participants.find(
            {"_id": {"$in": list(participant_ids)}}, session=_session(tx)
        )
        return {document["_id"]: _participant(document) async for document in cursor}

    async def participants_of_person(self, person_id: str) -> list[Participant]:
        """A person's registrations."""
        cursor = self.participants.find({"person_id": person_id})
        return [_participant(document) async for document in cursor]

    async def active_participants(self, program_id: str) -> list[str]:
        """The participant ids still in a program."""
        cursor = self.participants.find(
            {"program_id": program_id, "active": True}, projection={"_id": 1}
        )
        return [document["_id"] async for document in cursor]

    async def put_pair(self, pair: Pair, tx: Transaction) -> None:
        """Store a new pair (a replayed PairCreated keeps the sessions counted so far)."""
        document = asdict(pair)
        document.pop("pair_id")
        held = document.pop("held_sessions")
        await self.pairs.update_one(
            {"_id": pair.pair_id},
            {"$set": document, "$setOnInsert": {"held_sessions": list(held)}},
            upsert=True,
            session=tx.session,
        )

    async def put_pairs(self, pairs: Sequence[Pair], tx: Transaction) -> None:
        """Store new pairs in one bulk write (as `put_pair` does each)."""
        if not pairs:
            return
        writes = []
        for pair in pairs:
            document = asdict(pair)
            document.pop("pair_id")
            held = document.pop("held_sessions")
            writes.append(
                UpdateOne(
                    {"_id": pair.pair_id},
                    {"$set": document, "$setOnInsert": {"held_sessions": list(held)}},
                    upsert=True,
                )
            )
        await self.pairs.bulk_write(writes, ordered=False, session=tx.session)

    async def pair(self, pair_id: str, tx: Transaction | None = None) -> Pair | None:
        """A pair by id."""
        document = await self.pairs.find_one({"_id": pair_id}, session=_session(tx))
        return _pair(document) if document else None

    async def pairs_by_id(self, pair_ids: Iterable[str]) -> dict[str, Pair]:
        """Known pairs, by id."""
        cursor = self.pairs.find({"_id": {"$in": list(pair_ids)}})
        return {document["_id"]: _pair(document) async for document in cursor}

    async def session_members(self, session_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The attendees of known sessions, by session id."""
        cursor = self.sessions.find(
            {"_id": {"$in": list(session_ids)}}, projection={"participant_ids": 1}
        )
        return {
            document["_id"]: tuple(document.get("participant_ids") or ())
            async for document in cursor
        }

    async def planned_sessions(self, pair_ids: Iterable[str]) -> dict[str, int]:
        """How many sessions each pair has that are not cancelled."""
        cursor = self.sessions.find(
            {"pair_id": {"$in": list(pair_ids)}}, projection={"pair_id": 1, "cancelled": 1}
        )
        counts: dict[str, int] = {}
        async for document in cursor:
            if not document.get("cancelled"):
                counts[document["pair_id"]] = counts.get(document["pair_id"], 0) + 1
        return counts

    async def session_held(self, pair_id: str, session_id: str, tx: Transaction) -> int:
        """Count a held session of a pair.

        Returns how many distinct sessions it has held (0 when the pair is unknown).
        """
        document = await self.pairs.find_one_and_update(
            {"_id": pair_id},
            {"$addToSet": {"held_sessions": session_id}},
            return_document=ReturnDocument.AFTER,
            session=tx.session,
        )
        return len(document["held_sessions"]) if document else 0

    async def end_pair(self, pair_id: str, tx: Transaction) -> Pair | None:
        """Mark a pair ended; returns it as it was."""
        document = await self.pairs.find_one_and_update(
            {"_id": pair_id}, {"$set": {"ended": True}}, session=tx.session
        )
        return _pair(document) if document else None

    async def session_changed(
        self,
        session_id: str,
        tx: Transaction,
        *,
        set_fields: Mapping[str, Any],
        on_insert: Mapping[str, Any] | None = None,
    ) -> SessionState | None:
        """Count one more change of a session, with ``set_fields``.

        Returns its state after (None for a session never scheduled here, unless ``on_insert``
        creates it).
        """
        cache = self._session_cache(tx)
        if session_id not in cache:
            cache[session_id] = await self.sessions.find_one(
                {"_id": session_id}, session=tx.session
            )
        document = cache[session_id]
        if document is None:
            if on_insert is None:
                return None
            document = cache[session_id] = {"_id": session_id, "changes": 0, **on_insert}
        document.update(set_fields)
        document["changes"] += 1
        tx.scratch[SESSIONS_DIRTY].add(session_id)
        if "pair_id" not in document:  # a change seen before the session was scheduled
            return None
        return _session_state(document)

    async def prefetch_sessions(self, session_ids: Iterable[str], tx: Transaction) -> None:
        """Read the sessions a batch's events name, at once (a ``$in`` per `IN_CHUNK` ids).

        `session_changed` then finds them in the transaction's cache instead of reading each.
        """
        cache = self._session_cache(tx)
        missing = [sid for sid in dict.fromkeys(session_ids) if sid not in cache]
        found = {
            document["_id"]: document async for document in find_in(self.sessions, missing, tx=tx)
        }
        for sid in missing:
            cache[sid] = found.get(sid)

    def _session_cache(self, tx: Transaction) -> dict[str, Document | None]:
        """The sessions this transaction read or changed.

        Changes are written in one bulk write before it commits (a batch of events touches
        hundreds of sessions).
        """
        cache: dict[str, Document | None] | None = tx.scratch.get(SESSIONS_CACHE)
        if cache is None:
            cache = tx.scratch[SESSIONS_CACHE] = {}
            dirty: set[str] = set()
            tx.scratch[SESSIONS_DIRTY] = dirty

            async def flush() -> None:
                writes = [
                    ReplaceOne({"_id": sid}, document, upsert=True)
                    for sid in sorted(dirty)
                    if (document := cache.get(sid)) is not None
                ]
                if writes:
                    await self.sessions.bulk_write(writes, ordered=False, session=tx.session)

            tx.before_commit(flush)
        return cache

    async def delete_person(self, participant_ids: Sequence[str], tx: Transaction) -> None:
        """Forget the participants: their registrations, their pairs and their sessions."""
        ids = list(participant_ids)
        for document in (tx.scratch.get(SESSIONS_CACHE) or {}).values():
            if document is not None:
                document["participant_ids"] = [
                    pid for pid in document.get("participant_ids", []) if pid not in ids
                ]
        await self.participants.delete_many({"_id": {"$in": ids}}, session=tx.session)
        await self.pairs.delete_many(
            {
                "$or": [
                    {"mentor_participant_id": {"$in": ids}},
                    {"mentee_participant_id": {"$in": ids}},
                ]
            },
            session=tx.session,
        )
        await self.sessions.update_many(
            {"participant_ids": {"$in": ids}},
            {"$pull": {"participant_ids": {"$in": ids}}},
            session=tx.session,
        )

    async def program(self, program_id: str) -> ProgramFacts | None:
        """What messages say about a program (None until its event arrived)."""
        state = await self.programs.get(program_id)
        if state is None:
            return None
        return ProgramFacts(
            program_id=state.program_id,
            name=state.name,
            starts_on=state.starts_on,
            ends_on=state.ends_on,
            time_zone=state.time_zone,
            session_minutes=state.session_minutes,
            goal_detail=state.goal_detail,
            registration_closes_at=state.registration_closes_at,
        )

    async def program_ids(self) -> list[str]:
        """Every program known here."""
        return [state.program_id for state in await self.programs.find({})]

    async def put_program(self, state: ProgramState, as_of: datetime, tx: Transaction) -> None:
        """Keep the newest state of a program."""
        await self.programs.put(state.program_id, state, as_of, tx)


def _participant(document: Mapping[str, Any]) -> Participant:
    return Participant(
        participant_id=document["_id"],
        person_id=document["person_id"],
        program_id=document["program_id"],
        role=document["role"],
        time_zone=document.get("time_zone", "UTC"),
        languages=tuple(document.get("languages") or ()),
        active=document.get("active", True),
    )


def _pair(document: Mapping[str, Any]) -> Pair:
    return Pair(
        pair_id=document["_id"],
        program_id=document["program_id"],
        mentor_participant_id=document["mentor_participant_id"],
        mentee_participant_id=document["mentee_participant_id"],
        score=document["score"],
        contributions=dict(document.get("contributions") or {}),
        held_sessions=tuple(document.get("held_sessions") or ()),
        ended=document.get("ended", False),
    )


def _session_state(document: Mapping[str, Any]) -> SessionState:
    return SessionState(
        session_id=document["_id"],
        pair_id=document["pair_id"],
        program_id=document["program_id"],
        participant_ids=tuple(document.get("participant_ids") or ()),
        starts_at=document["starts_at"],
        duration_minutes=document["duration_minutes"],
        changes=document["changes"],
        ordinal=document.get("ordinal"),
        cancelled=document.get("cancelled", False),
    )


# ------------------------------------------------------------------------------ programs


class ProgramSettingsStore:
    """Branding, chat destinations and manager recipients per program."""

    def __init__(self, database: Database) -> None:
        self.collection: Collection = database[PROGRAM_SETTINGS]

    async def get(self, program_id: str, tx: Transaction | None = None) -> ProgramSettings:
        """A program's settings (defaults when none were set)."""
        document = await self.collection.find_one({"_id": program_id}, session=_session(tx))
        if document is None:
            return ProgramSettings(program_id)
        return ProgramSettings(
            program_id=program_id,
            branding=Branding(**document.get("branding", {})),
            chat=ChatSettings(**document.get("chat", {})),
            managers=tuple(Manager(**manager) for manager in document.get("managers", ())),
        )

    async def put(self, settings: ProgramSettings, tx: Transaction) -> None:
        """Store a program's settings."""
        document = asdict(settings)
        document["_id"] = document.pop("program_id")
        document["managers"] = [asdict(manager) for manager in settings.managers]
        await self.collection.replace_one(
            {"_id": document["_id"]}, document, upsert=True, session=tx.session
        )

    async def forget_manager(self, person_id: str, tx: Transaction) -> None:
        """Take an erased person out of every program's manager recipients."""
        await self.collection.update_many(
            {"managers.person_id": person_id},
            {"$pull": {"managers": {"person_id": person_id}}},
            session=tx.session,
        )

    async def with_managers(self) -> list[str]:
        """The programs that have manager recipients or chat destinations."""
        cursor = self.collection.find(
            {"$or": [{"managers.0": {"$exists": True}}, {"chat.slack_webhook_url": {"$ne": None}}]},
            projection={"_id": 1},
        )
        return [document["_id"] async for document in cursor]


class Occasions:
    """Occasions the service itself notices: a survey opening, a weekly digest.

    Each is claimed once across replicas.
    """

    def __init__(self, database: Database) -> None:
        self.collection: Collection = database[OCCASIONS]

    async def claimed(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` are claimed already (read by id in chunks, outside a transaction).

        Lets a round skip the occasions it announced before, rather than gather their
        recipients (and ask analytics for a report) every poll only to lose the claim.
        """
        found = find_in(self.collection, sorted(set(keys)), projection={"_id": 1})
        return {document["_id"] async for document in found}

    async def claim(self, key: str, tx: Transaction) -> bool:
        """True the first time ``key`` is claimed, False ever after."""
        result = await self.collection.update_one(
            {"_id": key}, {"$setOnInsert": {"at": tx.now}}, upsert=True, session=tx.session
        )
        return result.upserted_id is not None
