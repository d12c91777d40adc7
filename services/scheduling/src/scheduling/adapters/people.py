"""What scheduling keeps about people: each participant's time zone and each person's feed.

Erased participants leave a tombstone (their participant id, nothing else), so that events
about them arriving after the erasure (from other topics, or replayed) are recognised and
ignored. Participant ids are per registration: someone who registers again is not affected.
The tombstone is the participant's guard document (`mentorship_kit.erasure_guards`), which
also keeps an erasure and a concurrent transaction about the same participant from both
committing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pymongo import ASCENDING, IndexModel, UpdateOne

from mentorship_contracts.events.participant import ParticipantState
from mentorship_kit.batching import chunks, find_in, store
from mentorship_kit.erasure_guards import ErasureGuards
from mentorship_kit.mongo import Collection, Database, Indexes
from mentorship_kit.outbox import Transaction

PARTICIPANTS = "participants"
FEEDS = "calendar_feeds"
FEED_TOKEN_BYTES = 24


@dataclass(frozen=True, slots=True)
class KnownParticipant:
    """What scheduling keeps of one registration: whose it is and their time zone."""

    participant_id: str
    program_id: str
    time_zone: str
    as_of: datetime


class People:
    """Participants' time zones (from registration's events) and calendar feed secrets."""

    def __init__(self, database: Database) -> None:
        self._participants: Collection = database[PARTICIPANTS]
        self._feeds: Collection = database[FEEDS]
        self._guards = ErasureGuards(database)

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """Participants are read by id and person; feeds by token."""
        return (
            Indexes(PARTICIPANTS, (IndexModel([("person_id", ASCENDING)], name="by_person"),)),
            Indexes(FEEDS, (IndexModel([("token", ASCENDING)], name="by_token", unique=True),)),
        )

    async def remember(
        self, participants: Sequence[tuple[ParticipantState, datetime]], tx: Transaction
    ) -> None:
        """Keep participants' person ids and time zones, a batch at once, in order.

        One erasure-guard round for the batch, one read of what is stored and one bulk
        write: per participant the newest state wins (a later event of the batch on a tie,
        and a stored newer state is never rolled back). An erased participant is not
        remembered again.
        """
        if not participants:
            return
        ids = [participant.participant_id for participant, _ in participants]
        erased = await self._guards.erased_among(ids, tx)
        stored = {
            document["_id"]: document["as_of"]
            async for document in find_in(self._participants, ids, projection={"as_of": 1}, tx=tx)
        }
        newest: dict[str, tuple[ParticipantState, datetime]] = {}
        for participant, as_of in participants:
            key = participant.participant_id
            current = newest[key][1] if key in newest else stored.get(key)
            if key not in erased and (current is None or not current > as_of):
                newest[key] = (participant, as_of)
        documents = {
            key: {
                "person_id": participant.person_id,
                "program_id": participant.program_id,
                "time_zone": participant.profile.time_zone,
                "as_of": as_of,
            }
            for key, (participant, as_of) in newest.items()
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

    async def zones(
        self, participant_ids: Iterable[str], tx: Transaction | None = None
    ) -> dict[str, str]:
        """The known time zones of ``participant_ids``."""
        zones: dict[str, str] = {}
        for chunk in chunks(participant_ids):
            cursor = self._participants.find(
                {"_id": {"$in": chunk}}, {"time_zone": 1}, session=tx.session if tx else None
            )
            zones |= {document["_id"]: document["time_zone"] async for document in cursor}
        return zones

    async def participant_ids(self, person_id: str) -> list[str]:
        """Every participant id (one per program) of a person."""
        cursor = self._participants.find({"person_id": person_id}, {"_id": 1})
        return [document["_id"] async for document in cursor]

    async def registrations(self, person_id: str) -> list[KnownParticipant]:
        """What is kept of each of the person's registrations (one per program)."""
        cursor = self._participants.find({"person_id": person_id}).sort("_id", ASCENDING)
        return [
            KnownParticipant(
                participant_id=document["_id"],
                program_id=document["program_id"],
                time_zone=document["time_zone"],
                as_of=document["as_of"],
            )
            async for document in cursor
        ]

    async def feed_created_at(self, person_id: str) -> datetime | None:
        """When the person's current feed secret was made; None when they have none."""
        document = await self._feeds.find_one({"_id": person_id}, {"created_at": 1})
        return document["created_at"] if document else None

    async def forget(
        self, participant_id: str, person_id: str, erased_at: datetime, tx: Transaction
    ) -> None:
        """Erase a participant, and the person's feed; keep the participant's tombstone."""
        await self._participants.delete_one({"_id": participant_id}, session=tx.session)
        await self._feeds.delete_one({"_id": person_id}, session=tx.session)
        await self._guards.erase(participant_id, tx, erased_at=erased_at)

    async def erased(self, participant_ids: Iterable[str], tx: Transaction) -> bool:
        """Whether any of ``participant_ids`` was erased (see `mentorship_kit.erasure_guards`)."""
        return await self._guards.erased(participant_ids, tx)

    async def erased_among(
        self, participant_ids: Iterable[str], tx: Transaction, *, registered: bool = False
    ) -> set[str]:
        """Which of ``participant_ids`` were erased, guarding them (a few rounds for all).

        ``registered``: they are expected to have registered (their guards exist), as a
        pair's members have: one write per piece answers then, without a read.
        """
        return await self._guards.erased_among(participant_ids, tx, expect_guarded=registered)

    async def feed_token(self, person_id: str, now: datetime) -> str:
        """The person's feed secret, created on first use."""
        document = await self._feeds.find_one_and_update(
            {"_id": person_id},
            {"$setOnInsert": {"token": secrets.token_urlsafe(FEED_TOKEN_BYTES), "created_at": now}},
            upsert=True,
            return_document=True,
        )
        assert document is not None  # an upsert always returns the document
        token: str = document["token"]
        return token

    async def rotate_feed_token(self, person_id: str, now: datetime) -> str:
        """A new feed secret; the old URL stops working."""
        token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
        await self._feeds.update_one(
            {"_id": person_id}, {"$set": {"token": token, "created_at": now}}, upsert=True
        )
        return token

    async def person_of_feed(self, token: str) -> str | None:
        """Whose feed ``token`` opens."""
        document = await self._feeds.find_one({"token": token}, {"_id": 1})
        return document["_id"] if document else None
