"""An in-memory stand-in for the read models' database, projecting as the service does."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import bson
from bson.codec_options import CodecOptions

from analytics.domain import reports
from analytics.domain.aggregates import (
    HEAD_OF_SET,
    Changes,
    CountKey,
    Counts,
    Derivation,
    Entry,
    EntrySet,
    ProgramAggregates,
    entry_rows,
)
from analytics.domain.documents import (
    ERASED_WITH_PERSON,
    Fact,
    MentorFact,
    OutcomeFact,
    ProgramFact,
    RhythmFact,
)
from analytics.domain.facts import Batch, Target
from analytics.domain.heads import (
    HEAD_SIZE,
    Head,
    HeadRow,
    first_rows,
    mentor_row,
    mentor_rows,
    merge,
    stalest_first,
)
from analytics.domain.mentor_impact import MentorImpactReport, first_page, mentor_page
from mentorship_contracts import Envelope

CODEC: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)


def stored(document: Fact) -> Fact:
    """``document`` as the database gives it back (BSON keeps milliseconds, in UTC)."""
    as_bson = bson.encode(document.model_dump(by_alias=True))
    return type(document).model_validate(bson.decode(as_bson, codec_options=CODEC))


@dataclass
class Store:
    """Documents, counters and entries, as `ReadModels` keeps them."""

    documents: dict[Target, Fact] = field(default_factory=dict)
    counts: dict[str, Counter[CountKey]] = field(default_factory=lambda: defaultdict(Counter))
    entries: dict[tuple[str, EntrySet], dict[str, Entry]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    heads: dict[tuple[str, Head], list[HeadRow]] = field(default_factory=dict)
    head_size: int = HEAD_SIZE
    """Rows a head keeps (fewer in tests, to make heads fill up and be read anew)."""
    heads_read_anew: int = 0
    """How often `merge` could not tell a head and it was read from its list."""
    written: int = 0
    applied_before: list[frozenset[str]] = field(default_factory=list)
    """Per batch, the events their documents already held (`Derivation.applied_before`)."""

    def load(self, targets: Iterable[Target]) -> dict[Target, Fact]:
        return {target: self.documents[target] for target in targets if target in self.documents}

    def project(self, batch: Sequence[Envelope[Any]]) -> None:
        """Project one consumer batch, as `analytics.usecases.projection` does."""
        targets = Batch(tuple(batch)).targets
        derivation = Derivation(self.load(targets), looked_up=targets)
        derivation.fold(batch)
        while wanted := derivation.missing():
            derivation.supply(wanted, self.load(wanted))
        self.apply(derivation.changes())
        self.applied_before.append(derivation.applied_before)

    def apply(self, changes: Changes) -> None:
        for target, document in changes.documents.items():
            self.documents[target] = stored(document)
        for target in changes.removed:
            del self.documents[target]
        for target, document in list(self.documents.items()):
            if (
                isinstance(document, ERASED_WITH_PERSON)
                and document.person_key in changes.forgotten
            ) or (
                isinstance(document, OutcomeFact)
                and document.person_key in changes.outcomes_erased
                and document.version <= changes.outcomes_erased[document.person_key]
            ):
                del self.documents[target]
            elif isinstance(document, OutcomeFact) and document.person_key in (
                changes.outcomes_erased
            ):
                erased = changes.outcomes_erased[document.person_key]
                kept = [version for version in document.folded if version > erased]
                self.documents[target] = document.model_copy(update={"folded": kept})
        for program, counts in changes.counts.items():
            self.counts[program].update(counts)
        for key, entries in changes.entries.items():
            for entry_key, entry in entries.items():
                if entry is None:
                    self.entries[key].pop(entry_key, None)
                else:
                    self.entries[key][entry_key] = entry
        self._apply_heads(changes)
        self.written += (
            len(changes.documents)
            + len(changes.removed)
            + len(changes.counts)
            + len(changes.entries)
            + len(changes.heads)
        )

    def _apply_heads(self, changes: Changes) -> None:
        """Merge each changed head, or read it anew, as `ReadModels.save` does."""
        for (program, head), rows in changes.heads.items():
            before = self.heads.get((program, head), [])
            after = merge(before, rows, self.head_size)
            if after is None:
                self.heads_read_anew += 1
                after = self.head_anew(program, head)
            if after:
                self.heads[(program, head)] = after
            else:
                self.heads.pop((program, head), None)

    def head_anew(self, program_id: str, head: Head) -> list[HeadRow]:
        """A head read from where its list is kept, as `ReadModels` does (or a recount's)."""
        if head is Head.MENTORS:
            rows = [
                (mentor.id, row)
                for mentor in self.of_kind(MentorFact)
                if mentor.program_id == program_id and (row := mentor_row(mentor)) is not None
            ]
            return first_rows(rows, self.head_size)
        if head is Head.INACTIVE:
            rhythms = self.of_kind(RhythmFact)
            mine = [rhythm for rhythm in rhythms if rhythm.program_id == program_id]
            return stalest_first(mine, self.head_size)
        kind = next(kind for kind, of in HEAD_OF_SET.items() if of is head)
        entries = self.entries.get((program_id, kind), {})
        return first_rows(entry_rows(kind, entries), self.head_size)

    @classmethod
    def rebuilt(cls, documents: Iterable[Fact], head_size: int = HEAD_SIZE) -> Store:
        """What a rebuild from ``documents`` gives."""
        store = cls(head_size=head_size)
        store.apply(Derivation.rebuild(documents))
        return store

    def aggregates(self, program_id: str, *, heads: bool = False) -> ProgramAggregates:
        """The program's aggregates: every set of entries, or (``heads``) every head instead."""
        program = self.documents.get(Target(ProgramFact, program_id))
        assert program is None or isinstance(program, ProgramFact)
        return ProgramAggregates(
            program_id=program_id,
            program=program,
            counts=Counts(self.counts[program_id]),
            entries={}
            if heads
            else {
                kind: dict(entries)
                for (program, kind), entries in self.entries.items()
                if program == program_id
            },
            heads={head: list(self.heads.get((program_id, head), [])) for head in Head}
            if heads
            else {},
        )

    def of_kind[F: Fact](self, kind: type[F]) -> list[F]:
        return [document for document in self.documents.values() if isinstance(document, kind)]

    def health(
        self, program_id: str, *, now: datetime, inactive_after_days: int = 45, limit: int = 100
    ) -> reports.HealthReport:
        """The health report, reading rhythms as `ReportService.health` does.

        Its lists from their heads when they hold enough rows, else from the sets of entries.
        """
        aggregates = self.aggregates(program_id, heads=limit <= self.head_size)
        cutoff = reports.inactive_cutoff(now, inactive_after_days).isoformat()
        stale = sorted(
            (
                rhythm
                for rhythm in self.of_kind(RhythmFact)
                if rhythm.program_id == program_id
                and rhythm.stalest_day is not None
                and rhythm.stalest_day <= cutoff
            ),
            key=lambda rhythm: (rhythm.stalest_day or "", rhythm.stalest_pair or ""),
        )
        rhythms = stale[: max(limit, 0)]
        return reports.health(
            aggregates,
            now=now,
            inactive_after_days=inactive_after_days,
            inactive=rhythms,
            limit=limit,
        )

    def mentors(self, program_id: str, *, limit: int = 1000) -> MentorImpactReport:
        """The first page of the mentor impact view, read as `ReadModels.mentors` reads it."""
        listed = sorted(
            (
                (mentor.rank, mentor)
                for mentor in self.of_kind(MentorFact)
                if mentor.program_id == program_id and mentor.rank is not None
            ),
            key=lambda ranked: ranked[0],
        )
        return mentor_page(program_id, [mentor for _, mentor in listed][: limit + 1], limit)

    def first_mentors(self, program_id: str) -> MentorImpactReport:
        """The mentor impact view's first page from its head, as `OutcomeReports` reads it."""
        rows = self.heads.get((program_id, Head.MENTORS), [])
        return first_page(program_id, mentor_rows(rows), self.head_size - 1)

    def reports(self, program_id: str, *, now: datetime) -> dict[str, Any]:
        """Every report of ``program_id``."""
        aggregates = self.aggregates(program_id)
        return {
            "registration": reports.registration(aggregates),
            "pairing": reports.pairing(aggregates),
            "sessions": reports.sessions(aggregates),
            "scores": reports.scores(aggregates),
            "skills": reports.skills(aggregates),
            "health": self.health(program_id, now=now),
            "mentors": self.mentors(program_id),
            "first_mentors": self.first_mentors(program_id),
        }

    def settled(
        self,
    ) -> tuple[
        dict[Target, Fact],
        dict[str, Counts],
        dict[Any, dict[str, Any]],
        dict[tuple[str, Head], list[HeadRow]],
    ]:
        """What the reports depend on: documents, non-zero counters, non-empty sets, heads."""
        return (
            dict(self.documents),
            {
                program: Counts(counts)
                for program, counts in self.counts.items()
                if any(counts.values())
            },
            {key: dict(entries) for key, entries in self.entries.items() if entries},
            dict(self.heads),
        )


def batches[T](deliveries: Sequence[T], batch_sizes: Sequence[int]) -> list[Sequence[T]]:
    """``deliveries`` cut in consumer batches of the given sizes (taken in turn)."""
    cut: list[Sequence[T]] = []
    position, sizes = 0, list(batch_sizes) or [1]
    while position < len(deliveries):
        size = sizes[position % len(sizes)]
        cut.append(deliveries[position : position + size])
        position += size
    return cut


def project(
    deliveries: Sequence[Envelope[Any]], batch_sizes: Sequence[int], head_size: int = HEAD_SIZE
) -> Store:
    """Project deliveries batch by batch into an in-memory store, as the projector does."""
    store = Store(head_size=head_size)
    for batch in batches(deliveries, batch_sizes):
        store.project(batch)
    return store
