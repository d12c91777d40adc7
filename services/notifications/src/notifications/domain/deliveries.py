"""Delivery records: one per (event, recipient, channel, kind), claimed before sending.

A delivery's id is derived from its key, so the same event handled twice (a redelivery, a
second replica) finds the record the first made instead of making another. A sender claims a
due delivery (status ``sending`` with a lease) before it sends, and records the outcome after:
sent; a temporary failure (SMTP 4xx, a timeout, HTTP 429 or 5xx) retried with exponential
backoff up to a number of attempts; a permanent one (SMTP 5xx, a bounce, an unknown address)
failed at once. A sender that dies after sending and before recording leaves the lease to
expire, and the message goes once more with the same Message-ID, which mail systems use to
drop the repeat.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from notifications.domain.kinds import Channel, Kind, Recipient, RecipientType


class Status(StrEnum):
    """Where a delivery stands."""

    PENDING = "pending"
    """Waiting for ``due_at`` (now, the end of quiet hours, or a retry)."""
    DIGEST = "digest"
    """Waiting for the person's next daily digest (``due_at``)."""
    SENDING = "sending"
    """Claimed by a sender until ``lease_until``."""
    SENT = "sent"
    FAILED = "failed"
    """Permanently: never retried."""
    DIGESTED = "digested"
    """Gone out inside a digest (``digest_id``)."""
    CANCELLED = "cancelled"
    """No longer to send (the person was erased, unsubscribed, the session is gone)."""


OPEN: frozenset[Status] = frozenset({Status.PENDING, Status.DIGEST, Status.SENDING})
"""Statuses of deliveries that may still go out."""


def delivery_id(event_key: str, recipient: Recipient, channel: Channel, kind: Kind) -> str:
    """The id of the delivery of ``event_key`` to ``recipient`` on ``channel`` as ``kind``."""
    key = f"{event_key}|{recipient.key}|{channel.value}|{kind.value}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message to one recipient on one channel."""

    delivery_id: str
    event_key: str
    """The event (its id) or the occasion (a digest, a survey opening) that caused it."""
    kind: Kind
    channel: Channel
    recipient_type: RecipientType
    recipient_id: str
    program_id: str | None
    person_id: str | None
    """The person the delivery is for (participants and invitees), for erasure and export."""
    context: dict[str, Any]
    """Ids, times and numbers the template needs; never a name or an address."""
    status: Status
    due_at: datetime
    created_at: datetime
    attempts: int = 0
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    failed_at: datetime | None = None
    error: str | None = None
    """The last failure: an SMTP code and class, an HTTP status; never an address."""
    digest_id: str | None = None
    items: tuple[str, ...] = field(default=())
    """For a digest: the deliveries it gathers."""

    @property
    def recipient(self) -> Recipient:
        """The addressee."""
        return Recipient(self.recipient_type, self.recipient_id)


class Outcome(StrEnum):
    """What one attempt to send came to."""

    SENT = "sent"
    TEMPORARY = "temporary"
    PERMANENT = "permanent"


@dataclass(frozen=True, slots=True)
class Attempt:
    """The result of one attempt, as a sender reports it."""

    outcome: Outcome
    error: str | None = None
    """E.g. ``smtp 451 4.3.0``, ``http 429``, ``timeout``, ``no_contact``."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how soon a temporary failure is retried."""

    max_attempts: int
    backoff_s: float
    backoff_max_s: float

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt."""
        seconds = min(self.backoff_s * 2 ** max(attempts - 1, 0), self.backoff_max_s)
        return timedelta(seconds=seconds)


def claimed(delivery: Delivery, now: datetime, lease: timedelta) -> Delivery:
    """The delivery as its sender holds it: one more attempt, leased until ``now + lease``."""
    return replace(
        delivery, status=Status.SENDING, attempts=delivery.attempts + 1, lease_until=now + lease
    )


def settled(delivery: Delivery, attempt: Attempt, now: datetime, policy: RetryPolicy) -> Delivery:
    """The delivery after an attempt: sent, due again later, or failed for good."""
    match attempt.outcome:
        case Outcome.SENT:
            return replace(delivery, status=Status.SENT, sent_at=now, lease_until=None, error=None)
        case Outcome.TEMPORARY if delivery.attempts < policy.max_attempts:
            return replace(
                delivery,
                status=Status.PENDING,
                due_at=now + policy.delay(delivery.attempts),
                lease_until=None,
                error=attempt.error,
            )
        case Outcome.TEMPORARY:
            error = f"gave up after {delivery.attempts} attempts: {attempt.error}"
            return replace(
                delivery, status=Status.FAILED, failed_at=now, lease_until=None, error=error
            )
        case _:
            return replace(
                delivery,
                status=Status.FAILED,
                failed_at=now,
                lease_until=None,
                error=attempt.error,
            )


def message_id(delivery_id: str, domain: str) -> str:
    """The stable Message-ID of a delivery: a repeat after a crash carries the same one."""
    return f"<{delivery_id}@{domain}>"
