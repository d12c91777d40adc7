"""MongoDB storage of sessions and their pending reminders.

Sessions are the many documents (about 13 per pair), so they carry no index but ``_id``:
every secondary index costs each session insert about what storing the document does. A
session's id is its series' id and its number in the series (`session_id_of`), and each
series keeps the last number it gave (``last_sequence``, see `scheduling.adapters.series`),
so a series' sessions are read by their ids: one point lookup of the series, then of its
sessions. A participant's sessions and the due reminders are found through their series
first, as before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import ReplaceOne

from mentorship_contracts.types import SessionCancelReason
from mentorship_kit.batching import chunks, find_in, store
from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction
from scheduling.adapters.migrations import backfill_series_lookups
from scheduling.domain.reminders import Reminder
from scheduling.domain.sessions import Session, SessionStatus, session_id_of

SESSIONS = "sessions"
SERIES = "series"
LAST_SEQUENCE = "last_sequence"
"""The series' field with the highest number its sessions were given (absent: unknown)."""


@dataclass(frozen=True, slots=True)
class SessionWrite:
    """A session to store with its pending reminders: new, or replacing a known version."""

    session: Session
    reminders: Sequence[Reminder] = ()
    expected_version: int | None = None
    """The stored version it replaces; None for a new session."""


class SessionRepository:
    """Sessions by id and by series (and, within series, by participant or due reminder)."""

    def __init__(self, database: Database) -> None:
        self._sessions: Collection = database[SESSIONS]
        self._series: Collection = database[SERIES]

    @staticmethod
    def indexes() -> Indexes:
        """Sessions are found by id only; no secondary index.

        Every index makes each of the many session inserts slower (on the development
        database each secondary index costs about what storing the document does: 65,000
        sessions took 10.4 s with no index, 17.2 s with ``by_series``). A series' sessions
        are read by their ids, numbered from its ``last_sequence`` (the retired
        ``by_series``; `backfill_series_lookups` gives series stored before
        their number, ahead of the drop). A participant's sessions and the due reminders
        are found through their series' ``ever_participant_ids`` and ``next_reminder_at``
        instead of the retired ``by_member`` and ``by_next_reminder``. No query reads
        sessions by program (the retired ``by_program``) or sorts a participant's in the
        index (the retired compound ``by_participant``).
        """
        return Indexes(
            SESSIONS,
            (),
            retired=("by_participant", "by_program", "by_member", "by_next_reminder", "by_series"),
            before_retiring=backfill_series_lookups,
        )

    async def write(self, writes: Sequence[SessionWrite], tx: Transaction) -> bool:
        """Insert the new sessions, then apply the replacements in order.

        The new ones in one unordered ``insert_many``, the replacements in one ordered bulk
        write: a session added and changed by the same batch (a group's second mentee
        joining a series planned just before) is inserted, then replaced.

        A replacement applies only if the stored session is still at its expected version;
        returns False if any was not (someone changed it meanwhile).
        """
        new = [
            _document(item.session, item.reminders)
            for item in writes
            if item.expected_version is None
        ]
        replacements = [
            ReplaceOne(
                {"_id": item.session.session_id, "version": item.expected_version},
                _document(item.session, item.reminders),
            )
            for item in writes
            if item.expected_version is not None
        ]
        await store(self._sessions, tx, new=new)  # a concurrent insert makes tx run again
        if not replacements:
            return True
        result = await self._sessions.bulk_write(replacements, ordered=True, session=tx.session)
        return result.matched_count == len(replacements)

    async def get(self, session_id: str, tx: Transaction | None = None) -> Session | None:
        """A session by id."""
        document = await self._sessions.find_one(
            {"_id": session_id}, session=tx.session if tx else None
        )
        return _session(document) if document else None

    async def of_series(
        self, series_id: str, tx: Transaction | None = None, *, after: datetime | None = None
    ) -> list[Session]:
        """A series' sessions in time order (starting after ``after`` if given)."""
        found = (await self.of_many_series([series_id], tx)).get(series_id, [])
        return [s for s in found if after is None or s.starts_at > after]

    async def of_many_series(
        self, series_ids: Iterable[str], tx: Transaction | None = None
    ) -> dict[str, list[Session]]:
        """The sessions of each of ``series_ids``, in time order (found by their ids)."""
        grouped: dict[str, list[Session]] = {}
        async for document in self._of_series(series_ids, tx):
            session = _session(document)
            grouped.setdefault(session.series_id, []).append(session)
        for sessions in grouped.values():
            sessions.sort(key=lambda session: (session.starts_at, session.sequence))
        return grouped

    async def _of_series(
        self,
        series_ids: Iterable[str],
        tx: Transaction | None = None,
        *,
        query: Mapping[str, Any] | None = None,
        projection: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[Document]:
        """The session documents of ``series_ids`` (matching ``query``), by their ids.

        Each series' ``last_sequence`` gives its sessions' ids. While an upgrade rolls, a
        pod of the earlier version may store a series without it, or add sessions to a
        series without raising it: a lookup of the id after the last (one more point
        lookup per series) tells, and such a series has its sessions found by a query on
        ``series_id``, which scans: correct, and rare.
        """
        numbers = await self._last_sequences(series_ids, tx)
        probes = [session_id_of(key, last + 1) for key, last in numbers.items() if last is not None]
        beyond = {
            document["series_id"]
            async for document in find_in(
                self._sessions, probes, projection={"series_id": 1}, tx=tx
            )
        }
        unnumbered = [key for key, last in numbers.items() if last is None or key in beyond]
        numbered = [
            session_id_of(key, n)
            for key, last in numbers.items()
            if last is not None and key not in beyond
            for n in range(1, last + 1)
        ]
        async for document in find_in(
            self._sessions, numbered, query=query, projection=projection, tx=tx
        ):
            yield document
        if unnumbered:
            async for document in self._sessions.find(
                {**(query or {}), "series_id": {"$in": unnumbered}},
                projection,
                session=tx.session if tx else None,
            ):
                yield document

    async def _last_sequences(
        self, series_ids: Iterable[str], tx: Transaction | None
    ) -> dict[str, int | None]:
        """Each stored series' ``last_sequence`` (None: not kept on it), by series id."""
        return {
            series["_id"]: series.get(LAST_SEQUENCE)
            async for series in find_in(
                self._series, series_ids, projection={LAST_SEQUENCE: 1}, tx=tx
            )
        }

    async def of_participants(
        self, participant_ids: Iterable[str], series_ids: Iterable[str]
    ) -> list[Session]:
        """The sessions of ``series_ids`` that any of ``participant_ids`` is for, in time order.

        ``series_ids``: the series any of them ever had a session in
        (`SeriesRepository.ids_ever_with`); sessions are read by id, through their series.
        """
        wanted = set(participant_ids)
        found = [
            session
            for sessions in (await self.of_many_series(series_ids)).values()
            for session in sessions
            if wanted.intersection(session.participant_ids)
        ]
        return sorted(found, key=lambda session: (session.starts_at, session.session_id))

    async def due_reminders(
        self, series_ids: Iterable[str], now: datetime
    ) -> list[tuple[Session, list[Reminder]]]:
        """The scheduled sessions of ``series_ids`` with a reminder due by ``now``, earliest first.

        ``series_ids``: those `SeriesRepository.due_for_reminders` found.
        """
        found = [
            (_session(document), _reminders(document))
            async for document in self._of_series(
                series_ids,
                query={"next_reminder_at": {"$lte": now}, "status": SessionStatus.SCHEDULED.value},
            )
        ]
        return sorted(found, key=lambda item: item[1][0].due_at if item[1] else now)

    async def next_reminders(
        self, series_ids: Iterable[str], tx: Transaction
    ) -> dict[str, datetime | None]:
        """When each of ``series_ids``' next pending reminder falls due (None: none pending)."""
        due: dict[str, datetime | None] = dict.fromkeys(series_ids)
        async for document in self._of_series(
            list(due),
            query={"status": SessionStatus.SCHEDULED.value, "next_reminder_at": {"$ne": None}},
            projection={"series_id": 1, "next_reminder_at": 1},
            tx=tx,
        ):
            at = _utc(document["next_reminder_at"])
            current = due[document["series_id"]]
            if at is not None and (current is None or at < current):
                due[document["series_id"]] = at
        return due

    async def take_reminders(
        self,
        session_id: str,
        version: int,
        next_reminder_at: datetime,
        remaining: Sequence[Reminder],
        tx: Transaction,
    ) -> bool:
        """Claim a session's due reminders; False if another worker (or a change) won."""
        result = await self._sessions.update_one(
            {
                "_id": session_id,
                "version": version,
                "next_reminder_at": next_reminder_at,
                "status": SessionStatus.SCHEDULED.value,
            },
            {"$set": _reminder_fields(remaining)},
            session=tx.session,
        )
        return result.modified_count == 1

    async def remove_participant(
        self, participant_id: str, series_ids: Sequence[str], tx: Transaction
    ) -> int:
        """Take an erased participant off every session of ``series_ids`` (all they were in)."""
        session_ids = [
            document["_id"]
            async for document in self._of_series(
                series_ids, tx, query={"participant_ids": participant_id}, projection={"_id": 1}
            )
        ]
        modified = 0
        for chunk in chunks(session_ids):
            result = await self._sessions.update_many(
                {"_id": {"$in": chunk}},
                {"$pull": {"participant_ids": participant_id}},
                session=tx.session,
            )
            modified += result.modified_count
        return modified


def last_sequences(writes: Iterable[SessionWrite]) -> dict[str, int]:
    """The highest session number among the written sessions, per series."""
    last: dict[str, int] = {}
    for item in writes:
        series_id = item.session.series_id
        last[series_id] = max(last.get(series_id, 0), item.session.sequence)
    return last


def earliest_reminders(writes: Iterable[SessionWrite]) -> dict[str, datetime]:
    """The earliest pending reminder of the written sessions, per series (none: left out)."""
    earliest: dict[str, datetime] = {}
    for item in writes:
        if item.session.status is not SessionStatus.SCHEDULED or not item.reminders:
            continue
        due = min(reminder.due_at for reminder in item.reminders)
        series_id = item.session.series_id
        if series_id not in earliest or due < earliest[series_id]:
            earliest[series_id] = due
    return earliest


def _reminder_fields(reminders: Sequence[Reminder]) -> Document:
    ordered = sorted(reminders)
    return {
        "reminders": [{"due_at": r.due_at, "lead_minutes": r.lead_minutes} for r in ordered],
        "next_reminder_at": ordered[0].due_at if ordered else None,
    }


def _document(session: Session, reminders: Sequence[Reminder]) -> Document:
    return {
        "_id": session.session_id,
        "series_id": session.series_id,
        "program_id": session.program_id,
        "sequence": session.sequence,
        "participant_ids": list(session.participant_ids),
        "starts_at": session.starts_at,
        "duration_minutes": session.duration_minutes,
        "status": session.status.value,
        "version": session.version,
        "updated_at": session.updated_at,
        "held_at": session.held_at,
        "held_minutes": session.held_minutes,
        "cancel_reason": session.cancel_reason.value if session.cancel_reason else None,
        **_reminder_fields(reminders if session.status is SessionStatus.SCHEDULED else ()),
    }


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _reminders(document: Mapping[str, Any]) -> list[Reminder]:
    return [
        Reminder(due_at=_utc(r["due_at"]) or r["due_at"], lead_minutes=r["lead_minutes"])
        for r in document.get("reminders", [])
    ]


def _session(document: Mapping[str, Any]) -> Session:
    reason = document.get("cancel_reason")
    starts_at = _utc(document["starts_at"])
    assert starts_at is not None
    return Session(
        session_id=document["_id"],
        series_id=document["series_id"],
        program_id=document["program_id"],
        sequence=document["sequence"],
        participant_ids=tuple(document["participant_ids"]),
        starts_at=starts_at,
        duration_minutes=document["duration_minutes"],
        status=SessionStatus(document["status"]),
        version=document["version"],
        updated_at=_utc(document.get("updated_at")),
        held_at=_utc(document.get("held_at")),
        held_minutes=document.get("held_minutes"),
        cancel_reason=SessionCancelReason(reason) if reason else None,
    )
