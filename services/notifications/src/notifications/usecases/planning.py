"""From notices to delivery records: whom, on which channels, from when.

Notices a transaction stages are planned together just before it commits: the people they
name, their preferences and their zones are read in bulk, each person's preferences route
the notice (unsubscribed, digest, quiet hours), and the delivery records are written in one
bulk upsert keyed by (event, recipient, channel, kind), so a notice planned twice makes one
record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mentorship_kit.outbox import Transaction
from notifications.adapters.store import Deliveries, Facts, PreferencesStore, ProgramSettingsStore
from notifications.domain.deliveries import Delivery, Status, delivery_id
from notifications.domain.facts import Participant
from notifications.domain.kinds import (
    MANAGER_KINDS,
    Channel,
    Recipient,
    RecipientType,
)
from notifications.domain.notices import Notice
from notifications.domain.preferences import Preferences, Timing, route

SCRATCH = "notifications.notices"


@dataclass(frozen=True, slots=True)
class PlanningRules:
    """Settings that shape planning."""

    digest_hour: int


class Planner:
    """Turns notices into delivery records in the staging transaction."""

    def __init__(
        self,
        deliveries: Deliveries,
        facts: Facts,
        preferences: PreferencesStore,
        programs: ProgramSettingsStore,
        rules: PlanningRules,
    ) -> None:
        self._deliveries = deliveries
        self._facts = facts
        self._preferences = preferences
        self._programs = programs
        self._rules = rules

    def stage(self, notice: Notice | None, tx: Transaction) -> None:
        """Plan ``notice`` before ``tx`` commits."""
        if notice is None:
            return
        staged: list[Notice] | None = tx.scratch.get(SCRATCH)
        if staged is None:
            staged = tx.scratch[SCRATCH] = []

            async def flush() -> None:
                # Notices staged by a later flush (another buffered writer's) start a new list
                # and a new flush, which the transaction runs after this one.
                del tx.scratch[SCRATCH]
                await self.plan(staged, tx)

            tx.before_commit(flush)
        staged.append(notice)

    async def plan(self, notices: list[Notice], tx: Transaction) -> list[Delivery]:
        """Write the delivery records of ``notices``; returns those planned."""
        participant_ids = {
            recipient.id
            for notice in notices
            for recipient in notice.recipients
            if recipient.type is RecipientType.PARTICIPANT
        }
        known = await self._facts.participants_by_id(participant_ids, tx)
        person_ids = {participant.person_id for participant in known.values()}
        person_ids |= {
            recipient.id
            for notice in notices
            for recipient in notice.recipients
            if recipient.type is RecipientType.PERSON
        }
        chosen = await self._preferences.many(person_ids, tx)
        erased: set[str] = set()
        guards = self._facts.guards
        if participant_ids and await guards.erased(participant_ids, tx):
            erased = {pid for pid in participant_ids if await guards.erased([pid], tx)}
        planned: list[Delivery] = []
        for notice in notices:
            recipients = list(notice.recipients)
            if notice.kind in MANAGER_KINDS and notice.program_id is not None:
                recipients.append(Recipient(RecipientType.PROGRAM_CHANNEL, notice.program_id))
            for recipient in recipients:
                if recipient.id in erased:
                    continue
                planned += await self._plan_one(notice, recipient, known, chosen, tx)
        await self._deliveries.add(planned, tx)
        return planned

    async def _plan_one(
        self,
        notice: Notice,
        recipient: Recipient,
        known: dict[str, Participant],
        chosen: dict[str, Preferences],
        tx: Transaction,
    ) -> list[Delivery]:
        person_id: str | None = None
        zone = "UTC"
        if recipient.type is RecipientType.PARTICIPANT:
            participant = known.get(recipient.id)
            if participant is not None:
                person_id = participant.person_id
                zone = participant.time_zone
        elif recipient.type is RecipientType.PERSON:
            person_id = recipient.id
        if recipient.type is RecipientType.MANAGER:
            if notice.program_id is not None:
                settings = await self._programs.get(notice.program_id, tx)
                person_id = next(
                    (m.person_id for m in settings.managers if m.manager_id == recipient.id), None
                )
            routes: list[tuple[Channel, datetime, Timing]] = [(Channel.EMAIL, tx.now, Timing.NOW)]
        elif recipient.type is RecipientType.ADMIN:
            routes = [(Channel.EMAIL, tx.now, Timing.NOW)]
        elif recipient.type is RecipientType.PROGRAM_CHANNEL:
            settings = await self._programs.get(recipient.id, tx)
            routes = []
            if settings.chat.slack_webhook_url or settings.chat.slack_channel:
                routes.append((Channel.SLACK, tx.now, Timing.NOW))
            if settings.chat.teams_webhook_url:
                routes.append((Channel.TEAMS, tx.now, Timing.NOW))
        else:
            preferences = chosen.get(person_id or "") or Preferences(person_id or "")
            routes = [
                (r.channel, r.due_at, r.timing)
                for r in route(
                    notice.kind,
                    preferences,
                    zone=zone,
                    now=tx.now,
                    digest_hour=self._rules.digest_hour,
                    starts_at=notice.starts_at,
                )
            ]
        return [
            Delivery(
                delivery_id=delivery_id(notice.event_key, recipient, channel, notice.kind),
                event_key=notice.event_key,
                kind=notice.kind,
                channel=channel,
                recipient_type=recipient.type,
                recipient_id=recipient.id,
                program_id=notice.program_id,
                person_id=person_id,
                context=dict(notice.context),
                status=Status.DIGEST if timing is Timing.DIGEST else Status.PENDING,
                due_at=due_at,
                created_at=tx.now,
            )
            for channel, due_at, timing in routes
        ]
