"""Rebuilding a program's links and aggregates from its documents, on demand.

The projection keeps them in step batch by batch; a rebuild recomputes them from the
documents alone (`Derivation.rebuild`) and stores what differs, in one transaction. A
projection batch that runs meanwhile either commits first (the rebuild then reads it) or
adds its own changes on top: both write the documents and counters they share, so the
database lets one of them through and runs the other again.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from analytics.adapters.read_models import ReadModels
from analytics.domain.aggregates import Counts, Derivation, Entry, EntrySet
from analytics.domain.facts import Target
from analytics.domain.heads import Head, HeadRow, merge
from mentorship_kit.outbox import Transaction, Transactor

AGGREGATES_VERSION = 8
"""The layout of links, counters and indexed fields; a database from before is migrated.

1: links and counters (rebuilt from the documents); 2: goals store `GoalFact.open_due`;
3: no outcome of a person the directory erased is kept (deleted with the erasure since);
4: one `MentorFact` per mentor, and the links that keep it (rebuilt from the documents);
5: no invitation of a person the directory erased is kept (deleted with the erasure since);
6: the heads of the long lists (`analytics.domain.heads`) and the ``listed`` counters of the
   sets of entries (rebuilt from the documents);
7: the head of the stalest pairs, and `RhythmFact.stalest_pair`, the order it is read anew
   in (rebuilt from the documents; until then the health report lists no inactive pair);
8: a session scheduled is kept by its series' `SchedulingFact` (collection ``schedulings``,
   which layout 7 never writes), which tells the rhythm of its key (`RhythmFact.scheduled`);
   the session's own document tells the rhythm once it has a status (`RhythmFact.closed`);
   the rhythm counts those scheduled and not closed. Both are links, rebuilt from the
   documents. Until the rebuild after a rolling update, pods of layout 7 still consuming make
   the counts of sessions (``sessions``, and ``status`` ``scheduled``) too high, never too
   low: (a) rewriting a rhythm whole, they drop both links but leave what it counted, so its
   sessions scheduled by then stay counted as scheduled once closed (and by their own
   documents too); (b) folding an outcome, they link no session closed, so the session
   counts by its document and still by its rhythm (a pod of layout 8 writing that document
   later does not relink it: the link it computes for the stored document is unchanged);
   (c) folding a scheduling, they store a session document of status ``scheduled``, which
   counts itself and links nothing: if a pod of layout 8 keeps a scheduling of that session
   too (a rescheduling, or the event delivered again), the rhythm counts it as well, until a
   pod of layout 8 changes that document's status (which links it closed). Nothing is lost:
   the `SchedulingFact`s and the session documents hold every event, and the rebuild the
   README asks for after the rollout restores the links and makes every counter equal a
   recount.
"""
REBUILT_AT: tuple[int, ...] = (1, 4, 6, 7, 8)
"""The versions whose layout only a rebuild of every program brings in."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RebuildSummary:
    """What a rebuild of one program found and corrected."""

    program_id: str
    documents: int
    """The program's documents read."""
    documents_corrected: int
    """Those whose links were not what their linking documents say (or that no document
    links to any more, deleted)."""
    counters_corrected: int
    """Counters whose value differed from the recount."""
    entries_corrected: int
    """Entries missing, different or left over."""
    heads_corrected: int = 0
    """Heads (first rows of a long list) that differed from the recount."""


class Rebuilder:
    """Recomputes programs' links and aggregates from their documents."""

    def __init__(self, models: ReadModels, transactor: Transactor) -> None:
        self._models = models
        self._transactor = transactor

    async def rebuild(self, program_id: str) -> RebuildSummary:
        """Rebuild one program's links and aggregates; what differed."""

        async def work(tx: Transaction) -> RebuildSummary:
            documents = await self._models.of_program(program_id, tx.session)
            stored = {Target(type(document), document.id): document for document in documents}
            rebuilt = Derivation.rebuild(documents)
            corrected = {t: d for t, d in rebuilt.documents.items() if stored.get(t) != d}
            removed = set(stored) - set(rebuilt.documents)  # made of links no longer there
            counts = Counts(rebuilt.counts.get(program_id, {}))
            entries: dict[EntrySet, dict[str, Entry]] = {
                kind: {key: entry for key, entry in items.items() if entry is not None}
                for (program, kind), items in rebuilt.entries.items()
                if program == program_id
            }
            heads: dict[Head, list[HeadRow]] = {
                head: merge([], rows, self._models.head_size) or []
                for (program, head), rows in rebuilt.heads.items()
                if program == program_id
            }
            stored_counts, stored_entries, stored_heads = await self._models.stored_aggregates(
                program_id, tx.session
            )
            await self._models.replace(
                program_id, corrected, counts, entries, tx.session, heads=heads, removed=removed
            )
            return RebuildSummary(
                program_id=program_id,
                documents=len(documents),
                documents_corrected=len(corrected) + len(removed),
                counters_corrected=_differences(counts, stored_counts),
                entries_corrected=sum(
                    len(
                        set(entries.get(kind, {}).items())
                        ^ set(stored_entries.get(kind, {}).items())
                    )
                    for kind in EntrySet
                ),
                heads_corrected=sum(
                    1 for head in Head if heads.get(head, []) != stored_heads.get(head, [])
                ),
            )

        summary = await self._transactor.run(work)
        logger.info("aggregates rebuilt", extra={"rebuild": asdict(summary)})
        return summary

    async def rebuild_all(self) -> list[RebuildSummary]:
        """Rebuild every program's links and aggregates."""
        return [await self.rebuild(program) for program in await self._models.program_ids()]

    async def migrate(self) -> None:
        """Bring a database whose aggregates predate `AGGREGATES_VERSION` up to it, once."""
        version = await self._models.schema_version()
        if version >= AGGREGATES_VERSION:
            return
        if version < 1:
            moved = await self._models.move_legacy_feedback()
            if moved:
                logger.info("feedback moved into its sessions", extra={"feedback": moved})
        marked = await self._models.mark_open_due()
        if marked:
            logger.info("goals marked for the health report", extra={"goals": marked})
        if any(version < rebuilt_at for rebuilt_at in REBUILT_AT):  # one rebuild for them all
            rebuilt = await self.rebuild_all()
            logger.info("aggregates rebuilt", extra={"programs": len(rebuilt)})
        if version < 5:  # 3 deleted the outcomes of erased people, 5 their invitations too
            forgotten = await self._models.forget_erased()
            if forgotten:
                logger.info("documents of erased people deleted", extra={"deleted": forgotten})
        await self._models.set_schema_version(AGGREGATES_VERSION)


def _differences(counts: Counts, stored: Counts) -> int:
    paths = {path for path, _ in counts.items()} | {path for path, _ in stored.items()}
    return sum(1 for path in paths if counts.value(*path) != stored.value(*path))
