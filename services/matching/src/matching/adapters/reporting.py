"""MongoDB storage of the manager edges matching was told of: an appended log.

Registrations state edges by the thousand (an import is one registration per person, each
with their line up to the top), and a run reads them all at once. Storing one document per
person made every consumer batch read what was stored of its people, insert a document per
new person and update one per manager whose line it restated (with an index by manager on
each). Instead each batch appends **one** document holding its best statement per person
(`append`: no read, no index). Readers fold the whole log with `ManagerStatement.outranks`,
a total order, so the outcome is the same whatever order the entries were appended (or
re-appended, by a redelivered batch) in.

Every `COMPACT_EVERY` appends, and before an erasure, the log is **compacted**: folded into
documents of at most `CHUNK` statements each (the log stays a handful of documents, each
well under MongoDB's 16 MB). An erasure compacts without the erased person's edge and
without the edges to them, so no document of the log names them afterwards.

Every writer first bumps one counter document (`COUNTER`), so writers of the log are
serialised (a concurrent one is retried as a write conflict) and a compaction deletes only
entries it read. The counter also counts compactions: a reader outside a transaction reads
it before and after the log, and reads again if a compaction committed in between (an
append in between is harmless: entries are only added). Documents of the earlier shape,
one per person (``{_id: person, manager, ...}``), are read as statements too and folded into
the log by its first compaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import uuid4

from pymongo import ReturnDocument

from matching.domain.reporting import ManagerStatement, newest
from mentorship_kit.mongo import Collection, Database, Indexes
from mentorship_kit.outbox import Transaction

MANAGERS = "managers"
COUNTER = "log:appended"
"""The document counting appends since the last compaction (not an entry of the log)."""
COMPACT_EVERY = 64
"""Appends after which the log is folded into as few documents as it takes."""
CHUNK = 20_000
"""Statements per compacted document (about 2 MB of BSON)."""
ENTRY_PREFIX = "log:"
Edge = Mapping[str, Any]
"""One statement as a document of the log stores it: ``p`` the person, ``m`` their manager
(None: nobody), ``at`` its time, ``d`` direct, ``v`` the directory's version (see `_entry`)."""


class ManagerEdges:
    """Whom each person reports to, as the best statement about them says."""

    def __init__(self, database: Database) -> None:
        self._edges: Collection = database[MANAGERS]

    @staticmethod
    def indexes() -> Indexes:
        """The log is read whole (the index by manager of per-person documents is retired)."""
        return Indexes(MANAGERS, (), retired=("by_manager",))

    async def append(self, statements: Iterable[ManagerStatement], tx: Transaction) -> None:
        """Add ``statements`` to the log, in one document (the best of them per person).

        Compacts the log, in ``tx``, on every `COMPACT_EVERY`-th append.
        """
        best = newest({}, statements)
        if not best:
            return
        appended = await self._count_append(tx)
        await self._edges.insert_one(_entry(best.values()), session=tx.session)
        if appended >= COMPACT_EVERY:
            await self.compact(tx)

    async def compact(self, tx: Transaction, *, erasing: str | None = None) -> None:
        """Fold the log into `CHUNK`-sized documents, in ``tx``.

        ``erasing``: a person to forget: their edge and every edge to them are left out.
        """
        await self._edges.update_one(
            {"_id": COUNTER},
            {"$set": {"appended": 0}, "$inc": {"compactions": 1}},
            upsert=True,
            session=tx.session,
        )
        statements = [_statement(edge) for edge in (await self._fold(tx)).values()]
        kept = [
            statement
            for statement in statements
            if erasing is None or erasing not in (statement.person, statement.manager)
        ]
        # Every other writer is serialised on the counter written above: this deletes what
        # the fold read (per-person documents of earlier versions included, in one command).
        await self._edges.delete_many({"_id": {"$ne": COUNTER}}, session=tx.session)
        entries = [_entry(kept[start : start + CHUNK]) for start in range(0, len(kept), CHUNK)]
        if entries:
            await self._edges.insert_many(entries, session=tx.session)

    async def statement_of(self, person: str) -> ManagerStatement | None:
        """The statement matching keeps about whom ``person`` reports to, if any."""
        edge = (await self._all_edges()).get(person)
        return _statement(edge) if edge is not None else None

    async def managers_above(self, people: Iterable[str], depth: int) -> dict[str, str]:
        """Person -> manager for ``people`` and everyone above them, ``depth`` levels up.

        The log is read whole (a few documents) and walked in memory.
        """
        frontier = set(people)
        if depth <= 0 or not frontier:
            return {}
        return walk_up(await self.edges(), frontier, depth)

    async def edges(self) -> dict[str, str]:
        """Person -> manager for everyone with a manager in the log (read whole)."""
        return {
            person: edge["m"]
            for person, edge in (await self._all_edges()).items()
            if edge["m"] is not None
        }

    async def forget(self, person: str, tx: Transaction) -> None:
        """Erase a person: the edge from them and every edge to them (a compaction)."""
        await self.compact(tx, erasing=person)

    async def _count_append(self, tx: Transaction) -> int:
        """Count one more append; how many there were since the last compaction."""
        counter = await self._edges.find_one_and_update(
            {"_id": COUNTER},
            {"$inc": {"appended": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=tx.session,
        )
        assert counter is not None, "an upsert returns the document"
        return int(counter["appended"])

    async def _all_edges(self) -> dict[str, Edge]:
        """The log folded, outside a transaction, as of one compaction (see the module)."""
        while True:
            before = await self._compactions()
            edges = await self._fold(None)
            if await self._compactions() == before:
                return edges

    async def _compactions(self) -> int:
        counter = await self._edges.find_one({"_id": COUNTER}, {"compactions": 1})
        return int(counter.get("compactions", 0)) if counter else 0

    async def _fold(self, tx: Transaction | None) -> dict[str, Edge]:
        """The best statement per person, of every document of the log, as stored.

        Statements are built and compared (`ManagerStatement.outranks`) only where two name
        the same person: a run reads the whole log, 12,500 edges at n=10,000 that name each
        person once, and building and comparing a statement for each took 18 ms of the
        service's CPU, twice what decoding them takes (2 ms without them).
        """
        best: dict[str, Edge] = {}
        cursor = self._edges.find({"_id": {"$ne": COUNTER}}, session=tx.session if tx else None)
        async for document in cursor:
            for edge in _edges_in(document):
                current = best.setdefault(edge["p"], edge)
                if current is not edge and _statement(edge).outranks(_statement(current)):
                    best[edge["p"]] = edge
        return best


def walk_up(edges: Mapping[str, str], people: Iterable[str], depth: int) -> dict[str, str]:
    """The part of ``edges`` (person -> manager) from ``people`` up to ``depth`` levels."""
    frontier = set(people)
    managers: dict[str, str] = {}
    seen = set(frontier)
    for _ in range(depth):
        found = {person: edges[person] for person in frontier if person in edges}
        managers |= found
        frontier = set(found.values()) - seen
        seen |= frontier
        if not frontier:
            break
    return managers


def _entry(statements: Iterable[ManagerStatement]) -> dict[str, Any]:
    """A document of the log (its id names nobody: erasure looks at the edges only)."""
    return {
        "_id": f"{ENTRY_PREFIX}{uuid4().hex}",
        "edges": [
            {
                "p": s.person,
                "m": s.manager,
                "at": s.as_of,
                "d": s.direct,
                "v": s.directory_version,
            }
            for s in statements
        ],
    }


def _edges_in(document: Mapping[str, Any]) -> list[Edge]:
    """The statements a document of the log holds (or one per-person document's), as stored."""
    if "edges" in document:
        edges: list[Edge] = document["edges"]
        return edges
    if "manager" in document:  # one person's, as earlier versions stored them
        return [
            {
                "p": document["_id"],
                "m": document["manager"],
                "at": document["as_of"],
                "d": document["direct"],
                "v": document.get("directory_version", 0),
            }
        ]
    return []


def _statement(edge: Edge) -> ManagerStatement:
    return ManagerStatement(
        person=edge["p"],
        manager=edge["m"],
        as_of=edge["at"],
        direct=edge["d"],
        directory_version=edge["v"],
    )
