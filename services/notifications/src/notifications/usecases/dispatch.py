"""Sending: claim due deliveries, compose each, send it, record what came of it.

A round claims up to a batch of due deliveries (each claimed by one replica only), sends them
concurrently over the reused SMTP connections and the chat clients, and records every
outcome in one bulk write. A delivery is claimed before it is sent: if this replica dies
after sending and before recording, the claim's lease runs out and another replica sends it
again, with the same Message-ID, at most once more.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from mentorship_contracts.types import utc_now
from notifications.adapters.chat import ChatMessage, ChatSender
from notifications.adapters.mail import SmtpSender, envelope_sender, mime
from notifications.adapters.metrics import DeliveryMetrics
from notifications.adapters.services import Contact
from notifications.adapters.store import Deliveries, ProgramSettingsStore
from notifications.domain.deliveries import Attempt, Delivery, Outcome, RetryPolicy, settled
from notifications.domain.kinds import Channel, RecipientType
from notifications.usecases.composing import Composer, Round, Undeliverable

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChatDefaults:
    """Chat destinations for programs that set none (from the service's Secrets)."""

    slack_webhook_url: str | None = None
    teams_webhook_url: str | None = None


class Dispatcher:
    """One replica's sender."""

    def __init__(
        self,
        *,
        deliveries: Deliveries,
        programs: ProgramSettingsStore,
        composer: Composer,
        smtp: SmtpSender,
        chat: ChatSender,
        chat_defaults: ChatDefaults,
        policy: RetryPolicy,
        metrics: DeliveryMetrics,
        lease: timedelta,
        batch_size: int,
        concurrency: int,
    ) -> None:
        self._deliveries = deliveries
        self._programs = programs
        self._composer = composer
        self._smtp = smtp
        self._chat = chat
        self._chat_defaults = chat_defaults
        self._policy = policy
        self._metrics = metrics
        self._lease = lease
        self._batch_size = batch_size
        self._slots = asyncio.Semaphore(concurrency)
        self.owner = uuid.uuid4().hex

    async def run_once(self) -> int:
        """One round: returns how many deliveries it handled."""
        now = utc_now()
        claimed = await self._deliveries.claim(
            now=now, lease_until=now + self._lease, owner=self.owner, limit=self._batch_size
        )
        if not claimed:
            return 0
        round_ = Round()
        await self._composer.prefetch(claimed, round_)
        attempts = await asyncio.gather(*(self._guarded(d, round_) for d in claimed))
        done = utc_now()
        outcomes = []
        for delivery, attempt in zip(claimed, attempts, strict=True):
            after = settled(delivery, attempt, done, self._policy)
            self._metrics.settled(delivery, after, attempt.outcome)
            outcomes.append((after, self.owner))
        await self._deliveries.settle(outcomes)
        return len(claimed)

    async def _guarded(self, delivery: Delivery, round_: Round) -> Attempt:
        async with self._slots:
            started = time.perf_counter()
            try:
                return await self.attempt(delivery, round_)
            except Undeliverable as error:
                return error.attempt
            except Exception:
                logger.exception(
                    "delivery attempt crashed",
                    extra={"delivery_id": delivery.delivery_id, "kind": delivery.kind.value},
                )
                return Attempt(Outcome.TEMPORARY, "internal_error")
            finally:
                self._metrics.send_duration.labels(delivery.channel.value).observe(
                    time.perf_counter() - started
                )

    async def attempt(self, delivery: Delivery, round_: Round) -> Attempt:
        """Compose and send one delivery."""
        composed = await self._composer.compose(delivery, round_, now=utc_now())
        match delivery.channel:
            case Channel.EMAIL:
                mail = composed.mail
                if mail is None:
                    return Attempt(Outcome.PERMANENT, "no_address")
                return await self._smtp.send(
                    mime(mail), envelope_sender(mail.sender), mail.to_email
                )
            case _:
                message = ChatMessage(
                    title=composed.rendered.subject,
                    text=composed.rendered.text,
                    link=composed.action_url,
                    link_label=composed.rendered.action,
                )
                return await self._post(delivery, composed.contact, message)

    async def _post(
        self, delivery: Delivery, contact: Contact | None, message: ChatMessage
    ) -> Attempt:
        if delivery.recipient_type is RecipientType.PROGRAM_CHANNEL:
            return await self._post_to_program(delivery, message)
        if delivery.channel is Channel.SLACK and contact is not None:
            return await self._chat.slack_direct(contact.email, message)
        return Attempt(Outcome.PERMANENT, f"{delivery.channel.value} not available")

    async def _post_to_program(self, delivery: Delivery, message: ChatMessage) -> Attempt:
        chat = (await self._programs.get(delivery.recipient_id)).chat
        if delivery.channel is Channel.TEAMS:
            url = chat.teams_webhook_url or self._chat_defaults.teams_webhook_url
            if not url:
                return Attempt(Outcome.PERMANENT, "teams not configured")
            return await self._chat.teams_webhook(url, message)
        if chat.slack_channel:
            return await self._chat.slack_post(chat.slack_channel, message)
        url = chat.slack_webhook_url or self._chat_defaults.slack_webhook_url
        if not url:
            return Attempt(Outcome.PERMANENT, "slack not configured")
        return await self._chat.slack_webhook(url, message)

    async def run(self, poll_s: float) -> None:
        """Send until cancelled: at once while there is work, else every ``poll_s``."""
        while True:
            handled = await self.run_once()
            if handled < self._batch_size:
                await asyncio.sleep(poll_s)

    async def refresh_gauges(self) -> None:
        """The age of the oldest due delivery and the failures on record."""
        now = utc_now()
        oldest = await self._deliveries.oldest_open(now)
        self._metrics.oldest_pending_age.set((now - oldest).total_seconds() if oldest else 0.0)
        failed = await self._deliveries.counts({"status": "failed"})
        self._metrics.failed_open.set(failed.get("failed", 0))
