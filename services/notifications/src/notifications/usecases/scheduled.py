"""What falls due with time rather than with an event.

Daily digests, survey openings and the managers' weekly health digest.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from mentorship_contracts.types import utc_now
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.program_access import ProgramManagers
from notifications.adapters.services import PlatformClient, Unreachable
from notifications.adapters.store import Deliveries, Facts, Occasions, ProgramSettingsStore
from notifications.domain import notices
from notifications.domain.deliveries import Delivery, Status, delivery_id
from notifications.domain.kinds import Channel, Kind, Recipient, RecipientType
from notifications.usecases.planning import Planner

logger = logging.getLogger(__name__)
DIGEST_BATCH = 2000


class Scheduled:
    """Turns due occasions into deliveries."""

    def __init__(
        self,
        *,
        transactor: Transactor,
        deliveries: Deliveries,
        facts: Facts,
        programs: ProgramSettingsStore,
        occasions: Occasions,
        planner: Planner,
        platform: PlatformClient,
        survey_closing_lead_days: int,
        health_digest_weekday: int,
        program_managers: ProgramManagers,
    ) -> None:
        self._program_managers = program_managers
        self._transactor = transactor
        self._deliveries = deliveries
        self._facts = facts
        self._programs = programs
        self._occasions = occasions
        self._planner = planner
        self._platform = platform
        self._closing_lead = survey_closing_lead_days
        self._health_weekday = health_digest_weekday

    async def digests(self, now: datetime | None = None) -> int:
        """Gather each person's due digest items into one delivery per channel."""
        now = now or utc_now()
        due = await self._deliveries.due_digests(now, DIGEST_BATCH)
        groups: dict[tuple[str, str, Channel], list[Delivery]] = defaultdict(list)
        for item in due:
            groups[(item.recipient_type.value, item.recipient_id, item.channel)].append(item)
        made = 0
        for (recipient_type, recipient_id, channel), items in groups.items():
            first = min(item.due_at for item in items)
            key = f"digest:{first.isoformat()}"
            recipient = Recipient(RecipientType(recipient_type), recipient_id)
            digest = Delivery(
                delivery_id=delivery_id(key, recipient, channel, Kind.DIGEST),
                event_key=key,
                kind=Kind.DIGEST,
                channel=channel,
                recipient_type=recipient.type,
                recipient_id=recipient.id,
                program_id=items[0].program_id,
                person_id=items[0].person_id,
                context={"count": len(items)},
                status=Status.PENDING,
                due_at=utc_now(),
                created_at=utc_now(),
                items=tuple(item.delivery_id for item in items),
            )

            async def gather(tx: Transaction, digest: Delivery = digest) -> None:
                taken = await self._deliveries.mark_digested(digest.items, digest.delivery_id, tx)
                if taken:
                    await self._deliveries.add([digest], tx)

            await self._transactor.run(gather)
            made += 1
        return made

    async def survey_openings(self, now: datetime | None = None) -> int:
        """Announce each program survey on the day it opens, once.

        Openings announced before (by any replica) are left out before their recipients are
        read: every opening stays due from its day to the program's end.
        """
        today = (now or utc_now()).date()
        due: list[notices.SurveyOpening] = []
        for program_id in await self._facts.program_ids():
            program = await self._facts.program(program_id)
            if program is None:
                continue
            due += [
                opening
                for opening in notices.survey_openings(
                    program_id, program.starts_on, program.ends_on, self._closing_lead
                )
                if program.starts_on <= opening.opens_on <= today
            ]
        done = await self._occasions.claimed(opening.event_key for opening in due)
        announced = 0
        for opening in due:
            if opening.event_key in done:
                continue
            members = await self._facts.active_participants(opening.program_id)

            async def announce(
                tx: Transaction,
                opening: notices.SurveyOpening = opening,
                members: list[str] = members,
            ) -> bool:
                if not await self._occasions.claim(opening.event_key, tx):
                    return False
                self._planner.stage(notices.survey_open(opening, members), tx)
                return True

            if await self._transactor.run(announce):
                announced += 1
        return announced

    async def health_digests(self, now: datetime | None = None) -> int:
        """The week's health flags to each program's managers.

        Once per ISO week, on the configured weekday: a program whose digest went out this
        week (from any replica) is left out before its managers are read or analytics is
        asked for its report, which every poll of the day did before.
        """
        now = now or utc_now()
        if now.weekday() != self._health_weekday:
            return 0
        sent = 0
        candidates = set(await self._programs.with_managers()) | set(
            await self._facts.program_ids()
        )
        keys = {
            program_id: notices.health_digest_key(program_id, now.date())
            for program_id in candidates
        }
        done = await self._occasions.claimed(keys.values())
        for program_id in sorted(candidates):
            if keys[program_id] in done:
                continue
            settings = await self._programs.get(program_id)
            managers = list(
                notices.manager_recipients(
                    [m.manager_id for m in settings.managers],
                    [m.person_id for m in settings.managers],
                    await self._program_managers.of(program_id),
                )
            )
            chat = settings.chat.configured
            if not managers and not chat:
                continue
            try:
                report = await self._platform.health_report(program_id)
            except Unreachable:
                logger.warning("health report unavailable", extra={"program_id": program_id})
                continue
            flags = {
                name: len(report.get(name) or [])
                for name in (
                    "inactive_pairs",
                    "low_ratings",
                    "not_a_good_fit",
                    "mentors_over_capacity",
                )
            }
            notice = notices.health_digest(program_id, now.date(), managers, flags, chat=chat)

            async def announce(tx: Transaction, notice: notices.Notice | None = notice) -> bool:
                if notice is None or not await self._occasions.claim(notice.event_key, tx):
                    return False
                self._planner.stage(notice, tx)
                return True

            if await self._transactor.run(announce):
                sent += 1
        return sent
