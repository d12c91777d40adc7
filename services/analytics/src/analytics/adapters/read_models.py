"""MongoDB storage of the read models: one collection per kind of document, and aggregates.

Documents live in ``rm_<kind>``. Their programs' aggregates live in ``rm_aggregates``:

- counters, ``<program>|counts|<slot>``: ``{"counts": {section: {key: ...: n}}}``. A batch
  reads the slot in its transaction, adds its deltas and writes it back whole (cheaper than
  a ``$inc`` of a hundred paths on some servers; a concurrent writer of the same slot makes
  one of the two transactions run again). A process adds to one slot of its own
  (`COUNTER_SLOTS`), so replicas projecting the same program at once do not contend for one
  document; readers add the slots up. A rebuild folds them into slot 0.
- sets of entries, ``<program>|<set>``: ``{"entries": {key: entry}}``, changed by ``$set``
  and ``$unset`` of single entries.
- heads, ``<program>|<head>``: ``{"rows": [{"rank": [...], "row": {...}}]}``, the first rows
  of a long list in its order (`analytics.domain.heads`), replaced whole when they change,
  after the documents and entries they come from are written (a head read anew from them
  then sees the batch's changes).

Keys become field names: `escape` keeps dots and dollars out of them.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from pymongo import (
    ASCENDING,
    DeleteMany,
    IndexModel,
    InsertOne,
    ReplaceOne,
    UpdateMany,
    UpdateOne,
)
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import BulkWriteError, OperationFailure

from analytics.domain.aggregates import (
    ENTRY_MODELS,
    HEAD_OF_SET,
    MENTORS_HELD,
    Changes,
    CountKey,
    Counts,
    Entry,
    EntrySet,
    ProgramAggregates,
    entry_rows,
)
from analytics.domain.documents import (
    ACTIVE_PAIR,
    ERASED_WITH_PERSON,
    FACT_KINDS,
    DirectoryFacts,
    Fact,
    FeedbackFact,
    FitFact,
    GoalFact,
    InvitationFact,
    MentorFact,
    OutcomeFact,
    PairFact,
    ParticipantFact,
    PersonFact,
    PersonFacts,
    ProgramFact,
    ProgramFacts,
    RhythmFact,
    RunFact,
    SessionFact,
    SkillsFact,
)
from analytics.domain.facts import Target, directory_key
from analytics.domain.heads import (
    HEAD_SIZE,
    Head,
    HeadRow,
    first_rows,
    mentor_row,
    merge,
    stalest_first,
)
from analytics.domain.mentor_impact import page_bound, ranks_of
from mentorship_kit.mongo import Collection, Database, Document, Indexes

RM_PREFIX = "rm_"
"""Read-model collections are named rm_<kind>, apart from the kit's own collections."""
AGGREGATES = f"{RM_PREFIX}aggregates"
COUNTS = "counts"
COUNTER_SLOTS: Final = 4
"""How many counter documents a program's counters may be spread over (one per writer)."""
LOAD_CHUNK: Final = 100
"""Ids per ``$in`` read: long ``$in`` lists are slow to match on some servers."""
DUPLICATE_KEY: Final = 11000

MENTORS_IN_ORDER: Final = "by_impact"
"""The index of the mentor impact view's order (a page is a range of it)."""

STALEST_INDEX: Final = "by_stalest_pair"
"""Rhythms in the order the health report lists inactive pairs (`reports.inactive_pairs`)."""
STALEST_FIRST: Final = [
    ("program_id", ASCENDING),
    ("stalest_day", ASCENDING),
    ("stalest_pair", ASCENDING),
]
MENTOR_FIGURES_ONLY: Final = dict.fromkeys((*MentorFact.links, "folded"), 0)
"""A mentor document's projection to its derived figures: not its links, which name mentees."""

type AggregateWrite = UpdateOne | InsertOne[Document] | DeleteMany | ReplaceOne[Document]


def escape(key: str) -> str:
    """``key`` as a MongoDB field name: no dots, no dollars, never empty."""
    if not key:
        return "%"
    return key.replace("%", "%25").replace(".", "%2E").replace("$", "%24")


def unescape(name: str) -> str:
    """The key `escape` made ``name`` of."""
    if name == "%":
        return ""
    return name.replace("%2E", ".").replace("%24", "$").replace("%25", "%")


def _flatten(tree: Mapping[str, Any], prefix: CountKey = ()) -> Iterable[tuple[CountKey, int]]:
    for name, value in tree.items():
        path = (*prefix, unescape(name))
        if isinstance(value, Mapping):
            yield from _flatten(value, path)
        else:
            yield path, int(value)


def _add(tree: dict[str, Any], path: list[str], n: int) -> None:
    """Add ``n`` at ``path`` in a nested counters ``tree``; drop what falls to zero."""
    head, *rest = path
    if not rest:
        total = int(tree.get(head, 0)) + n
        if total:
            tree[head] = total
        else:
            tree.pop(head, None)
        return
    child = tree.setdefault(head, {})
    _add(child, rest, n)
    if not child:
        del tree[head]


async def _nothing_of[F: Fact](_: type[F]) -> list[F]:
    """No documents of a kind (for a read a view can skip)."""
    return []


def _by_kind(targets: Iterable[Target]) -> dict[type[Fact], list[str]]:
    keys: dict[type[Fact], list[str]] = defaultdict(list)
    for target in sorted(targets, key=lambda t: (t.kind.collection, t.key)):
        keys[target.kind].append(target.key)
    return keys


def _counts_of(documents: Iterable[Document]) -> Counts:
    total: dict[CountKey, int] = defaultdict(int)
    for document in documents:
        for path, n in _flatten(document.get(COUNTS, {})):
            total[path] += n
    return Counts(total)


ENTRY_SECTIONS: Final = frozenset(kind.value for kind in EntrySet)
HEAD_SECTIONS: Final = frozenset(head.value for head in Head)


def _rows_of(document: Document | None) -> list[HeadRow]:
    return [HeadRow.model_validate(row) for row in (document or {}).get("rows", [])]


def _head_document(program_id: str, head: Head, rows: Sequence[HeadRow]) -> Document:
    return {
        "program_id": program_id,
        "section": head.value,
        "rows": [row.model_dump() for row in rows],
    }


def _entries_of(document: Document) -> dict[str, Entry]:
    model = ENTRY_MODELS[EntrySet(document["section"])]
    return {
        unescape(key): model.model_validate(value)
        for key, value in document.get("entries", {}).items()
    }


class StaleReadError(OperationFailure):
    """A document this transaction meant to create was created by someone else meanwhile.

    Labelled as a transient transaction error: the transaction is run again from the start,
    and then reads the document.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"read model changed concurrently: {detail}",
            code=112,  # WriteConflict
            details={"errorLabels": ["TransientTransactionError"]},
        )


class ReadModels:
    """Loads and stores read-model documents and aggregates; reads them for reports."""

    def __init__(self, database: Database, *, slot: int = 0, head_size: int = HEAD_SIZE) -> None:
        self._database = database
        self._aggregates: Collection = database[AGGREGATES]
        self._slot = slot % COUNTER_SLOTS
        self._head_size = head_size

    @property
    def head_size(self) -> int:
        """Rows each head keeps (`analytics.domain.heads.HEAD_SIZE` but in tests)."""
        return self._head_size

    def _collection(self, kind: type[Fact]) -> Collection:
        return self._database[f"{RM_PREFIX}{kind.collection}"]

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """Every kind is read per program; rhythms by staleness; aggregates by section.

        Participants, invitations and outcomes are also read per person (the right of access;
        an erasure deletes a person's invitations and outcomes, an erasure of outcomes those
        up to its version); goals by whether the health report can flag them
        (`GoalFact.open_due`); mentors in the impact view's order.
        """
        by_program = IndexModel([("program_id", ASCENDING)], name="by_program")
        by_person: dict[type[Fact], tuple[IndexModel, ...]] = {
            ParticipantFact: (IndexModel([("person_key", ASCENDING)], name="by_person"),),
            InvitationFact: (IndexModel([("person_key", ASCENDING)], name="by_person"),),
            OutcomeFact: (IndexModel([("person_key", ASCENDING)], name="by_person"),),
            GoalFact: (
                IndexModel([("program_id", ASCENDING), ("open_due", ASCENDING)], name="open_due"),
            ),
            MentorFact: (IndexModel([("rank", ASCENDING)], name=MENTORS_IN_ORDER),),
        }
        return (
            *(
                Indexes(f"{RM_PREFIX}{kind.collection}", (by_program, *by_person.get(kind, ())))
                for kind in FACT_KINDS
                if kind is not RhythmFact
            ),
            Indexes(
                f"{RM_PREFIX}{RhythmFact.collection}",
                (
                    by_program,
                    IndexModel(STALEST_FIRST, name=STALEST_INDEX),
                ),
                retired=("by_stalest",),
            ),
            Indexes(
                AGGREGATES,
                (
                    IndexModel(
                        [("program_id", ASCENDING), ("section", ASCENDING)], name="by_program"
                    ),
                    IndexModel([("section", ASCENDING)], name="by_section"),
                ),
            ),
        )

    async def load(
        self, targets: Iterable[Target], session: AsyncClientSession | None = None
    ) -> dict[Target, Fact]:
        """The stored documents of ``targets`` (a few ids per query)."""
        keys: dict[type[Fact], list[str]] = defaultdict(list)
        for target in targets:
            keys[target.kind].append(target.key)
        found: dict[Target, Fact] = {}
        for kind, ids in keys.items():
            for start in range(0, len(ids), LOAD_CHUNK):
                chunk = ids[start : start + LOAD_CHUNK]
                cursor = self._collection(kind).find({"_id": {"$in": chunk}}, session=session)
                async for document in cursor:
                    fact = kind.model_validate(document)
                    found[Target(kind, fact.id)] = fact
        return found

    async def save(
        self, changes: Changes, created: set[Target], session: AsyncClientSession
    ) -> dict[str, int]:
        """Store what a batch changed: documents, counters, entries; writes per collection.

        The documents of `ERASED_WITH_PERSON` kinds of people in ``changes.forgotten`` are
        deleted (counted as writes), in the same transaction as their erasure, and so are the
        documents ``changes.removed`` and the outcomes ``changes.outcomes_erased`` covers.

        ``created`` are the documents that did not exist when read: they are inserted (and
        if someone inserted one meanwhile, the transaction is run again).
        """
        by_kind: dict[type[Fact], list[InsertOne[Document] | ReplaceOne[Document]]] = defaultdict(
            list
        )
        for target, fact in changes.documents.items():
            body = fact.model_dump(exclude={"id"})
            if target in created:
                by_kind[target.kind].append(InsertOne({"_id": target.key, **body}))
            else:
                by_kind[target.kind].append(ReplaceOne({"_id": target.key}, body))
        aggregates: list[AggregateWrite] = [
            *await self._counter_writes(changes, session),
            *self._entry_writes(changes),
        ]
        try:
            for kind, writes in by_kind.items():
                await self._collection(kind).bulk_write(writes, ordered=False, session=session)
        except BulkWriteError as error:
            if any(e.get("code") == DUPLICATE_KEY for e in error.details.get("writeErrors", [])):
                raise StaleReadError(str(error)) from error
            raise
        if aggregates:
            await self._aggregates.bulk_write(aggregates, ordered=False, session=session)
        heads = await self._head_writes(changes, session)
        if heads:
            await self._aggregates.bulk_write(heads, ordered=False, session=session)
            aggregates.extend(heads)
        written = {f"{RM_PREFIX}{kind.collection}": len(writes) for kind, writes in by_kind.items()}
        for name, deleted in (await self._deletions(changes, session)).items():
            written[name] = written.get(name, 0) + deleted
        return written | ({AGGREGATES: len(aggregates)} if aggregates else {})

    async def _deletions(self, changes: Changes, session: AsyncClientSession) -> dict[str, int]:
        """Delete what a batch removed, erased outcomes and forgotten people; per collection."""
        written: dict[str, int] = {}
        for kind, ids in _by_kind(changes.removed).items():
            deleted = await self._collection(kind).delete_many(
                {"_id": {"$in": ids}}, session=session
            )
            name = f"{RM_PREFIX}{kind.collection}"
            written[name] = written.get(name, 0) + deleted.deleted_count
        if changes.outcomes_erased:
            covered = await self._delete_outcomes_erased(changes.outcomes_erased, session)
            if covered:
                name = f"{RM_PREFIX}{OutcomeFact.collection}"
                written[name] = written.get(name, 0) + covered
        for kind in ERASED_WITH_PERSON if changes.forgotten else ():
            erased = await self._collection(kind).delete_many(
                {"person_key": {"$in": sorted(changes.forgotten)}}, session=session
            )
            if erased.deleted_count:
                name = f"{RM_PREFIX}{kind.collection}"
                written[name] = written.get(name, 0) + erased.deleted_count
        return written

    async def _delete_outcomes_erased(
        self, erased: Mapping[str, str], session: AsyncClientSession
    ) -> int:
        """Delete each person's outcomes of the erasure's version or before; how many went.

        Their outcomes recorded after it forget the events before it (`folded`), as
        `OutcomeErasureFact.forgetting` does: counted as written too. One bulk write of two
        operations per person, each on the ``by_person`` index (an ``$or`` of them is a full
        scan on some servers).
        """
        writes: list[DeleteMany | UpdateMany] = []
        for key, version in sorted(erased.items()):
            writes.append(DeleteMany({"person_key": key, "version": {"$lte": version}}))
            writes.append(
                UpdateMany(
                    {"person_key": key, "version": {"$gt": version}, "folded": {"$lte": version}},
                    {"$pull": {"folded": {"$lte": version}}},
                )
            )
        result = await self._collection(OutcomeFact).bulk_write(
            writes, ordered=False, session=session
        )
        return result.deleted_count + result.modified_count

    async def _counter_writes(
        self, changes: Changes, session: AsyncClientSession
    ) -> list[ReplaceOne[Document]]:
        ids = {f"{program_id}|{COUNTS}|{self._slot}": program_id for program_id in changes.counts}
        stored = {
            document["_id"]: document
            async for document in self._aggregates.find(
                {"_id": {"$in": list(ids)}}, session=session
            )
        }
        writes = []
        for key, program_id in ids.items():
            tree: dict[str, Any] = stored.get(key, {}).get(COUNTS, {})
            for path, n in changes.counts[program_id].items():
                _add(tree, [escape(part) for part in path], n)
            document = {"program_id": program_id, "section": COUNTS, "slot": self._slot}
            writes.append(ReplaceOne({"_id": key}, {**document, COUNTS: tree}, upsert=True))
        return writes

    async def _head_writes(
        self, changes: Changes, session: AsyncClientSession
    ) -> list[ReplaceOne[Document]]:
        """The heads ``changes`` change, merged with what is stored (or read anew: `merge`).

        A head is written whenever the batch changed rows of its list, even if it stays the
        same: two transactions changing a list at once (replicas projecting the same program)
        then write the same document, so one of them runs again, after the other. Else one
        that reads its head anew from the list would not see the other's rows, and could keep
        a row's old place or miss it (a write skew).
        """
        if not changes.heads:
            return []
        ids = {
            f"{program_id}|{head.value}": (program_id, head) for program_id, head in changes.heads
        }
        stored = {
            document["_id"]: _rows_of(document)
            async for document in self._aggregates.find(
                {"_id": {"$in": list(ids)}}, session=session
            )
        }
        writes = []
        for key, (program_id, head) in ids.items():
            before = stored.get(key, [])
            rows = merge(before, changes.heads[(program_id, head)], self._head_size)
            if rows is None:
                rows = await self._head_anew(program_id, head, session)
            document = _head_document(program_id, head, rows)
            writes.append(ReplaceOne({"_id": key}, document, upsert=True))
        return writes

    async def _head_anew(
        self, program_id: str, head: Head, session: AsyncClientSession
    ) -> list[HeadRow]:
        """A program's head read from where its list is kept (the batch's writes included)."""
        if head is Head.MENTORS:
            first, end = ranks_of(program_id)
            mentors = await self._mentor_range(first, end, self._head_size, session)
            return [row for mentor in mentors if (row := mentor_row(mentor)) is not None]
        if head is Head.INACTIVE:  # a pair is in one rhythm: see `reports.inactive_pairs`
            rhythms = await self.stalest_rhythms(program_id, None, self._head_size, session)
            return stalest_first(rhythms, self._head_size)
        kind = next(kind for kind, of in HEAD_OF_SET.items() if of is head)
        document = await self._aggregates.find_one(
            {"_id": f"{program_id}|{kind.value}"}, session=session
        )
        entries = _entries_of(document) if document else {}
        return first_rows(entry_rows(kind, entries), self._head_size)

    def _entry_writes(self, changes: Changes) -> list[UpdateOne]:
        writes: list[UpdateOne] = []
        for (program_id, kind), entries in changes.entries.items():
            update: dict[str, Any] = {
                "$setOnInsert": {"program_id": program_id, "section": kind.value}
            }
            put = {
                f"entries.{escape(key)}": entry.model_dump()
                for key, entry in entries.items()
                if entry is not None
            }
            removed = {
                f"entries.{escape(key)}": "" for key, entry in entries.items() if entry is None
            }
            if put:
                update["$set"] = put
            if removed:
                update["$unset"] = removed
            writes.append(UpdateOne({"_id": f"{program_id}|{kind.value}"}, update, upsert=True))
        return writes

    async def aggregates(
        self, program_id: str, sets: Sequence[EntrySet] = (), heads: Sequence[Head] = ()
    ) -> ProgramAggregates:
        """A program's document, counters and the ``sets`` of entries and ``heads`` asked for."""
        sections = [COUNTS, *(kind.value for kind in sets), *(head.value for head in heads)]
        program, documents = await asyncio.gather(
            self._collection(ProgramFact).find_one({"_id": program_id}),
            self._aggregates.find(
                {"program_id": program_id, "section": {"$in": sections}}
            ).to_list(),
        )
        return ProgramAggregates(
            program_id=program_id,
            program=ProgramFact.model_validate(program) if program else None,
            counts=_counts_of(d for d in documents if d["section"] == COUNTS),
            entries={
                EntrySet(d["section"]): _entries_of(d)
                for d in documents
                if d["section"] in ENTRY_SECTIONS
            },
            heads={
                head: _rows_of(next((d for d in documents if d["section"] == head.value), None))
                for head in heads
            },
        )

    async def head(self, program_id: str, head: Head) -> list[HeadRow]:
        """A program's head (no rows: its list is empty)."""
        return _rows_of(await self._aggregates.find_one({"_id": f"{program_id}|{head.value}"}))

    async def stalest_rhythms(
        self,
        program_id: str,
        until_day: str | None,
        limit: int,
        session: AsyncClientSession | None = None,
    ) -> list[RhythmFact]:
        """The program's ``limit`` stalest rhythms with an active pair, up to ``until_day``.

        ``until_day``: the last day their stalest pair may have last met on (None: any).
        Stalest by the day their stalest active pair last met, then by that pair's id: the
        order `reports.inactive_pairs` needs. (SecantusDB reads every rhythm the filter
        matches before it sorts: the health report reads the head of the stalest pairs.)
        """
        if limit <= 0:
            return []
        stalest = {"$lte": until_day} if until_day is not None else {"$ne": None}
        cursor = (
            self._collection(RhythmFact)
            .find({"program_id": program_id, "stalest_day": stalest}, session=session)
            .sort(STALEST_FIRST)
            .limit(limit)
        )
        return [RhythmFact.model_validate(document) async for document in cursor]

    async def of_program(self, program_id: str, session: AsyncClientSession) -> list[Fact]:
        """Every document of a program (for a rebuild)."""
        documents: list[Fact] = []
        for kind in FACT_KINDS:
            cursor = self._collection(kind).find({"program_id": program_id}, session=session)
            documents.extend([kind.model_validate(document) async for document in cursor])
        return documents

    async def stored_aggregates(
        self, program_id: str, session: AsyncClientSession
    ) -> tuple[Counts, dict[EntrySet, dict[str, Entry]], dict[Head, list[HeadRow]]]:
        """A program's counters, every set of its entries and every head, as stored."""
        cursor = self._aggregates.find({"program_id": program_id}, session=session)
        documents = [document async for document in cursor]
        return (
            _counts_of(d for d in documents if d["section"] == COUNTS),
            {
                EntrySet(d["section"]): _entries_of(d)
                for d in documents
                if d["section"] in ENTRY_SECTIONS
            },
            {Head(d["section"]): _rows_of(d) for d in documents if d["section"] in HEAD_SECTIONS},
        )

    async def replace(
        self,
        program_id: str,
        documents: Mapping[Target, Fact],
        counts: Counts,
        entries: Mapping[EntrySet, Mapping[str, Entry]],
        session: AsyncClientSession,
        *,
        heads: Mapping[Head, Sequence[HeadRow]] | None = None,
        removed: Iterable[Target] = (),
    ) -> None:
        """Store a program's rebuilt ``documents``, and its counters, entries and heads in full.

        The documents ``removed`` (made of links no document sets any more) are deleted.
        """
        by_kind: dict[type[Fact], list[ReplaceOne[Document]]] = defaultdict(list)
        for target, fact in documents.items():
            body = fact.model_dump(exclude={"id"})
            by_kind[target.kind].append(ReplaceOne({"_id": target.key}, body, upsert=True))
        for kind, replaced in by_kind.items():
            await self._collection(kind).bulk_write(replaced, ordered=False, session=session)
        for kind, ids in _by_kind(removed).items():
            await self._collection(kind).delete_many({"_id": {"$in": ids}}, session=session)
        tree: dict[str, Any] = {}
        for path, n in counts.items():
            node = tree
            for part in path[:-1]:
                node = node.setdefault(escape(part), {})
            node[escape(path[-1])] = n
        writes: list[AggregateWrite] = [
            DeleteMany({"program_id": program_id}),
            InsertOne(
                {
                    "_id": f"{program_id}|{COUNTS}|0",
                    "program_id": program_id,
                    "section": COUNTS,
                    "slot": 0,
                    COUNTS: tree,
                }
            ),
        ]
        writes.extend(
            InsertOne(
                {
                    "_id": f"{program_id}|{kind.value}",
                    "program_id": program_id,
                    "section": kind.value,
                    "entries": {escape(key): entry.model_dump() for key, entry in items.items()},
                }
            )
            for kind, items in entries.items()
            if items
        )
        writes.extend(
            InsertOne(
                {"_id": f"{program_id}|{head.value}", **_head_document(program_id, head, rows)}
            )
            for head, rows in (heads or {}).items()
            if rows
        )
        await self._aggregates.bulk_write(writes, ordered=True, session=session)

    async def move_legacy_feedback(self) -> int:
        """Move feedback stored on its own into its session; how many were moved.

        Feedback had its own collection before it was kept with its session. Safe to repeat:
        a move keeps the latest revision.
        """
        legacy = self._collection(FeedbackFact)
        moved = 0
        while batch := await legacy.find().limit(LOAD_CHUNK).to_list():
            feedback = [FeedbackFact.model_validate(document) for document in batch]
            targets = {Target(SessionFact, item.session_id) for item in feedback}
            sessions = await self.load(targets)
            for item in feedback:
                target = Target(SessionFact, item.session_id)
                current = sessions.get(target)
                sessions[target] = item.moved_into(
                    current if isinstance(current, SessionFact) else None
                )
            await self._collection(SessionFact).bulk_write(
                [
                    ReplaceOne({"_id": t.key}, d.model_dump(exclude={"id"}), upsert=True)
                    for t, d in sessions.items()
                ],
                ordered=False,
            )
            await legacy.delete_many({"_id": {"$in": [item.id for item in feedback]}})
            moved += len(feedback)
        return moved

    async def mark_open_due(self) -> int:
        """Store `GoalFact.open_due` in the goals stored without it; how many were marked.

        Only a goal still without the field is changed: one the projection rewrote meanwhile
        has it already (safe to repeat, and to run beside the projection).
        """
        goals = self._collection(GoalFact)
        legacy = {"open_due": {"$exists": False}}
        marked = 0
        while batch := await goals.find(legacy).limit(LOAD_CHUNK).to_list():
            writes = [
                UpdateOne({"_id": goal.id, **legacy}, {"$set": {"open_due": goal.open_due}})
                for goal in (GoalFact.model_validate(document) for document in batch)
            ]
            marked += (await goals.bulk_write(writes, ordered=False)).modified_count
        return marked

    async def forget_erased(self) -> dict[str, int]:
        """Delete what `ERASED_WITH_PERSON` kinds hold of people the directory erased.

        How many documents went, per collection (none: nothing was left). The projection
        deletes them with the erasure; those stored before it did (outcomes before layout 3,
        invitations before 5) stayed behind. Safe to repeat, and to run beside the projection
        (which stores none of an erased person's again).
        """
        erased = await self._collection(PersonFact).distinct("_id", {"erased": True})
        deleted: dict[str, int] = {}
        for kind in ERASED_WITH_PERSON:
            for start in range(0, len(erased), LOAD_CHUNK):
                chunk = erased[start : start + LOAD_CHUNK]
                result = await self._collection(kind).delete_many({"person_key": {"$in": chunk}})
                if result.deleted_count:
                    name = f"{RM_PREFIX}{kind.collection}"
                    deleted[name] = deleted.get(name, 0) + result.deleted_count
        return deleted

    async def program_ids(self) -> list[str]:
        """Every program some document belongs to."""
        found: set[str] = set()
        for kind in FACT_KINDS:
            found.update(await self._collection(kind).distinct("program_id"))
        return sorted(found - {""})  # the directory's people belong to no program

    async def any_document(self) -> bool:
        """Whether any read-model document exists."""
        for kind in FACT_KINDS:
            if await self._collection(kind).find_one({}, {"_id": 1}) is not None:
                return True
        return False

    async def schema_version(self) -> int:
        """The version of the aggregates' layout the stored aggregates were made with."""
        document = await self._aggregates.find_one({"_id": "schema"})
        return int(document["version"]) if document else 0

    async def set_schema_version(self, version: int) -> None:
        """Record that every program's aggregates follow layout ``version``."""
        await self._aggregates.replace_one(
            {"_id": "schema"},
            {"program_id": "", "section": "schema", "version": version},
            upsert=True,
        )

    async def counters_by_program(self) -> dict[str, Counts]:
        """Every program's counters (one document per program and slot)."""
        cursor = self._aggregates.find({"section": COUNTS})
        documents: dict[str, list[Document]] = defaultdict(list)
        async for document in cursor:
            documents[document["program_id"]].append(document)
        return {program: _counts_of(items) for program, items in documents.items()}

    async def directory_facts(
        self, program_id: str, *, funnel: bool = False, conflicts: bool = False
    ) -> DirectoryFacts:
        """What the invitation funnel (``funnel``) or the reporting-line conflicts need.

        The funnel reads the program's invitations and, if there are any, the participants
        and people they name; the conflicts read the program's active pairs and their
        members only if the directory announced some manager at all. A program without
        invitations, or an organisation without a directory, costs a lookup or two.
        """
        program = await self._collection(ProgramFact).find_one({"_id": program_id})
        depth = ProgramFact.model_validate(program).reporting_line_depth if program else 0
        invitations: list[InvitationFact] = []
        if funnel:
            cursor = self._collection(InvitationFact).find({"program_id": program_id})
            invitations = [InvitationFact.model_validate(d) async for d in cursor]
        pairs: list[PairFact] = []
        if (
            conflicts
            and depth
            and await self._collection(PersonFact).find_one(
                {"manager_key": {"$ne": None}}, {"_id": 1}
            )
        ):
            cursor = self._collection(PairFact).find({"program_id": program_id, **ACTIVE_PAIR})
            pairs = [PairFact.model_validate(d) async for d in cursor]
        participants: list[ParticipantFact] = []
        if invitations or pairs:
            cursor = self._collection(ParticipantFact).find(
                {"program_id": program_id, "person_key": {"$nin": ["", None]}}
            )
            participants = [ParticipantFact.model_validate(d) async for d in cursor]
        people = await self._people(
            {i.person_key for i in invitations}
            | ({p.person_key for p in participants} if pairs else set()),
            depth if pairs else 0,
        )
        return DirectoryFacts(
            program_id=program_id,
            reporting_line_depth=depth,
            invitations=invitations,
            participants=participants,
            pairs=pairs,
            people=people,
        )

    async def _of[F: Fact](
        self,
        kind: type[F],
        program_id: str,
        fields: Sequence[str] = (),
        **conditions: object,
    ) -> list[F]:
        """The program's documents of ``kind`` that match; only ``fields`` if named.

        A document read in part has its other fields' defaults: only for views that read
        nothing else of it (``fields`` must name every required field but the id).
        """
        projection = dict.fromkeys(fields, 1) if fields else None
        cursor = self._collection(kind).find({"program_id": program_id, **conditions}, projection)
        return [kind.model_validate(document) async for document in cursor]

    async def outcome_facts(self, program_id: str, *, participants: bool = True) -> ProgramFacts:
        """What the outcomes report joins: the program and (if asked) its participants."""
        programs, found = await asyncio.gather(
            self._of(ProgramFact, program_id),
            self._of(ParticipantFact, program_id) if participants else _nothing_of(ParticipantFact),
        )
        return ProgramFacts(
            program_id=program_id,
            program=programs[0] if programs else None,
            participants=found,
        )

    async def skills_facts(self, program_id: str) -> ProgramFacts:
        """What the skills growth report joins per mentee: the program's skills assessments."""
        return ProgramFacts(program_id=program_id, skills=await self._of(SkillsFact, program_id))

    async def mentors(self, program_id: str, after: str | None, limit: int) -> list[MentorFact]:
        """The program's listed mentors in the impact view's order, after the rank ``after``.

        Ranges of the ``by_impact`` index: first up to where the program's counters say
        ``limit`` mentors are (`page_bound`), then, if short, on to the program's end. Their
        derived fields only, not their links.
        """
        first, end = ranks_of(program_id)
        counts = _counts_of(
            await self._aggregates.find({"program_id": program_id, "section": COUNTS}).to_list()
        )
        by_held = {int(held): n for held, n in counts.under(MENTORS_HELD).items()}
        bound = page_bound(program_id, by_held, after, limit)
        found = await self._mentor_range(after or first, bound or end, limit)
        if bound is not None and len(found) < limit:
            last = found[-1].rank if found else None
            found += await self._mentor_range(last or after or first, end, limit - len(found))
        return found

    async def _mentor_range(
        self, above: str, below: str, limit: int, session: AsyncClientSession | None = None
    ) -> list[MentorFact]:
        cursor = (
            self._collection(MentorFact)
            .find(
                {"rank": {"$gt": above, "$lt": below}},
                MENTOR_FIGURES_ONLY,
                session=session,
            )
            .sort("rank", ASCENDING)
            .limit(limit)
        )
        return [MentorFact.model_validate(document) async for document in cursor]

    async def milestone_goals(self, program_id: str) -> list[GoalFact]:
        """The program's open goals with a milestone not reached, but those of erased people.

        Only these can be flagged (`analytics.domain.milestone_flags`); the owners are read to
        leave out the erased (the feedback service deletes their goals, but its event may come
        after the erasure's).
        """
        # Goals stored before `GoalFact.open_due` was have no such field (None matches them):
        # read them too. `$in` keeps to the index where `$ne: false` scanned every goal.
        due = await self._of(GoalFact, program_id, open_due={"$in": [True, None]})
        goals = [goal for goal in due if goal.open_due]
        owners = sorted({goal.owner_key for goal in goals})
        erased: set[str] = set()
        for start in range(0, len(owners), LOAD_CHUNK):
            cursor = self._collection(ParticipantFact).find(
                {"_id": {"$in": owners[start : start + LOAD_CHUNK]}, "erased": True},
                projection={"_id": 1},
            )
            erased |= {document["_id"] async for document in cursor}
        return [goal for goal in goals if goal.owner_key not in erased]

    async def _people(self, keys: set[str], depth: int) -> dict[str, PersonFact]:
        """The directory's people of ``keys`` and their managers, ``depth`` levels up."""
        found: dict[str, PersonFact] = {}
        frontier = keys - {""}
        for _ in range(depth + 1):
            if not frontier:
                break
            level: dict[str, PersonFact] = {}
            ids = sorted(frontier)
            for start in range(0, len(ids), LOAD_CHUNK):
                cursor = self._collection(PersonFact).find(
                    {"_id": {"$in": ids[start : start + LOAD_CHUNK]}}
                )
                async for document in cursor:
                    fact = PersonFact.model_validate(document)
                    level[fact.id] = fact
            found |= level
            frontier = {f.manager_key for f in level.values() if f.manager_key} - found.keys()
        return found

    async def of_person(self, person_id: str) -> PersonFacts:
        """The documents about one person, found by their person key (see `directory_key`).

        Their participant documents carry the key until an erasure; their registrations' keys
        find their pairs, ratings, fit answers, goals and, where they are a listed mentor,
        their mentor documents (the figures only: the links name their mentees).
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
            feedback=[
                fact
                for session in await self._find(SessionFact, programs | {"feedback": {"$ne": {}}})
                for fact in session.feedback_facts()
                if fact.author_key in keys
            ],
            fits=await self._find(FitFact, programs | {"_id": {"$in": fit_ids}}),
            goals=await self._find(GoalFact, programs | {"owner_key": mine}),
            runs=await self._find(RunFact, programs),
            directory=people[0] if people else None,
            invitations=invitations,
            skills=await self._find(SkillsFact, programs | {"owner_key": mine}),
            outcomes=outcomes,
            mentors=await self._find(
                MentorFact,
                {"_id": mine, "mentor_participant_id": {"$ne": None}},
                MENTOR_FIGURES_ONLY,
            ),
        )

    async def _find[F: Fact](
        self,
        kind: type[F],
        query: Mapping[str, object],
        projection: Mapping[str, int] | None = None,
    ) -> list[F]:
        cursor = (
            self._collection(kind)
            .find(dict(query), dict(projection) if projection else None)
            .sort("_id", ASCENDING)
        )
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
