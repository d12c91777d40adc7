"""Exactly once per (event, recipient, channel, kind); 451 retried, 550 failed for good;
quiet hours, digests, unsubscribing and erasure."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import uuid4

import pytest

from mentorship_contracts.events import ParticipantErased
from mentorship_contracts.types import utc_now
from mentorship_devstack.mailbox import Mailbox
from mentorship_devstack.pytest_plugin import AppServer, stored_traces
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, dev_person_id, participant_token
from notifications.app import build_app
from notifications.domain.deliveries import Status

from .conftest import Service
from .scenario import EMPLOYEES, MENTEE, MENTOR, PROGRAM, pair, program, registered, reminder
from .support import Receiver, deliver
from .test_email import received

pytestmark = pytest.mark.integration
ADMIN = bearer(DEV_ADMIN_TOKEN)


@pytest.fixture
async def known(service: Service) -> None:
    service.others.add(MENTOR, "Grace Hopper", "grace@example.com", "America/New_York")
    service.others.add(MENTEE, "Ada Lovelace", "ada@example.com", "Europe/Paris")
    await deliver(service.runtime, program())


async def deliveries(service: Service, **query: str) -> list[dict[str, object]]:
    response = await service.client.get("/v1/deliveries", params=query, headers=ADMIN)
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()["deliveries"]
    return found


async def settled(service: Service, count: int, timeout_s: float = 20.0) -> list[dict[str, object]]:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        found = await deliveries(service)
        done = [d for d in found if d["status"] in {"sent", "failed"}]
        if len(done) >= count or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.05)


async def test_the_same_event_twice_is_one_message(service: Service, known: None) -> None:
    event_id = uuid4()
    event = registered(MENTEE, "mentee")
    await deliver(service.runtime, event, event_id=event_id)
    await deliver(service.runtime, event, event_id=event_id)
    await received(service.mailbox, 1)
    await asyncio.sleep(0.5)
    assert len(service.mailbox.messages) == 1


async def test_451_then_250_delivers_once_and_550_fails_without_retry(
    service: Service, known: None
) -> None:
    service.mailbox.replies.extend(["451 4.3.0 greylisted, try again"])
    await deliver(service.runtime, registered(MENTEE, "mentee"))
    messages = await received(service.mailbox, 1)
    assert len(messages) == 1
    assert service.mailbox.attempts == 2
    (record,) = await settled(service, 1)
    assert record["status"] == "sent"
    assert record["attempts"] == 2

    service.mailbox.clear()
    service.mailbox.reply = lambda mail: "550 5.1.1 no such user"
    await deliver(service.runtime, registered(MENTOR, "mentor"))
    found = await settled(service, 2)
    failed = [d for d in found if d["status"] == "failed"]
    assert len(failed) == 1
    assert failed[0]["error"] == "smtp 550"
    await asyncio.sleep(0.8)  # several backoff periods: no retry
    assert service.mailbox.attempts == 1
    assert (await deliveries(service, status="failed"))[0]["attempts"] == 1
    metrics = (await service.client.get("/metrics")).text
    assert (
        'mentorship_notifications_failed_total{channel="email",kind="registration_confirmed"} 1.0'
        in metrics
    )
    assert (
        'mentorship_notifications_retried_total{channel="email",kind="registration_confirmed"} 1.0'
        in metrics
    )


async def test_quiet_hours_hold_messages_but_not_a_reminder_near_the_start(
    service: Service, known: None
) -> None:
    await deliver(service.runtime, registered(MENTEE, "mentee"))
    await received(service.mailbox, 1)
    service.mailbox.clear()
    now = utc_now()
    # Quiet from an hour ago to two hours from now, in UTC.
    start, end = (now - timedelta(hours=1)).time(), (now + timedelta(hours=2)).time()
    token = bearer(participant_token(EMPLOYEES[MENTEE]))
    chosen = await service.client.put(
        "/v1/me/notification-preferences",
        headers=token,
        json={
            "time_zone": "UTC",
            "quiet_hours": {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")},
        },
    )
    assert chosen.status_code == 200, chosen.text
    soon = (now + timedelta(minutes=30)).replace(microsecond=0)
    tomorrow = (now + timedelta(days=1)).replace(microsecond=0)
    await deliver(service.runtime, reminder(1, soon, 30), reminder(2, tomorrow, 1440))
    messages = await received(service.mailbox, 1)
    await asyncio.sleep(0.5)
    mentee_mail = [m for m in service.mailbox.messages if "ada@" in str(m.parsed()["To"])]
    assert len(mentee_mail) == 1, [str(m["Subject"]) for m in messages]
    held = await deliveries(service, status="pending")
    mine = [d for d in held if d["recipient_id"] == MENTEE]
    assert len(mine) == 1
    due = datetime.fromisoformat(str(mine[0]["due_at"]))
    expected = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
    assert abs((due - expected).total_seconds()) < 61


async def test_digest_gathers_low_priority_kinds_into_one_message(
    service: Service, known: None
) -> None:
    token = bearer(participant_token(EMPLOYEES[MENTEE]))
    chosen = await service.client.put(
        "/v1/me/notification-preferences",
        headers=token,
        json={"cadence": {"registration_confirmed": "daily_digest", "pair_ended": "daily_digest"}},
    )
    assert chosen.status_code == 200, chosen.text
    refused = await service.client.put(
        "/v1/me/notification-preferences",
        headers=token,
        json={"cadence": {"session_reminder": "daily_digest"}},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.cadence.session_reminder"

    await deliver(service.runtime, registered(MENTEE, "mentee"))
    await deliver(service.runtime, registered(MENTOR, "mentor"), pair())
    await asyncio.sleep(0.5)
    waiting = await deliveries(service, status="digest")
    assert [d["kind"] for d in waiting] == ["registration_confirmed"]
    from mentorship_contracts.events import PairEnded
    from mentorship_contracts.types import PairEndReason

    await deliver(
        service.runtime,
        PairEnded(
            pair_id="pair-1", program_id=PROGRAM, reason=PairEndReason.COMPLETED, ended_at=utc_now()
        ),
    )
    assert len(await deliveries(service, status="digest")) == 2
    assert await service.scheduled.digests(utc_now() + timedelta(days=1, hours=1)) == 1
    digests: list[EmailMessage] = []
    for _ in range(200):  # up to 20 s on a loaded machine
        digests = [m.parsed() for m in service.mailbox.messages]
        digests = [m for m in digests if "digest" in str(m["Subject"])]
        if digests:
            break
        await asyncio.sleep(0.1)
    assert len(digests) == 1
    assert "2 updates" in str(digests[0]["Subject"])
    text = str(digests[0].get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    assert "You are registered for Pilot" in text
    assert "has ended" in text
    assert len(await deliveries(service, status="digested")) == 2


async def test_one_click_unsubscribe_stops_the_kind(service: Service, known: None) -> None:
    await deliver(service.runtime, registered(MENTEE, "mentee"), registered(MENTOR, "mentor"))
    messages = await received(service.mailbox, 2)
    message = next(m for m in messages if "ada@" in str(m["To"]))
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(message["List-Unsubscribe"]).strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]
    looked = await service.client.get(f"/{path}")
    assert looked.status_code == 200
    assert "Unsubscribe" in looked.text  # a GET only asks
    stopped = await service.client.post(f"/{path}", content="List-Unsubscribe=One-Click")
    assert stopped.status_code == 200, stopped.text
    forged = await service.client.post(f"/{path[:-3]}AAA")
    assert forged.status_code == 422
    token = bearer(participant_token(EMPLOYEES[MENTEE]))
    mine = (await service.client.get("/v1/me/notification-preferences", headers=token)).json()
    assert mine["unsubscribed"] == ["registration_confirmed"]
    service.mailbox.clear()
    await deliver(service.runtime, registered(MENTEE, "mentee"))  # a new registration
    await asyncio.sleep(0.8)
    assert service.mailbox.messages == []


async def test_erasure_leaves_nothing_and_cancels_what_is_pending(
    service: Service, known: None
) -> None:
    person = dev_person_id(EMPLOYEES[MENTEE])
    token = bearer(participant_token(EMPLOYEES[MENTEE]))
    await service.client.put(
        "/v1/me/notification-preferences",
        headers=token,
        json={"language": "fr", "cadence": {"registration_confirmed": "daily_digest"}},
    )
    await deliver(service.runtime, registered(MENTEE, "mentee"), registered(MENTOR, "mentor"))
    await deliver(service.runtime, pair())
    await received(service.mailbox, 3)
    exported = (await service.client.get("/v1/me/export", headers=token)).json()
    assert exported["service"] == "notifications"
    assert exported["subject"]["participant_ids"] == [MENTEE]
    assert exported["sections"]["preferences"]["items"][0]["language"] == "fr"
    kinds = {d["kind"] for d in exported["sections"]["deliveries"]["items"]}
    assert kinds == {"registration_confirmed", "match"}
    assert (await service.client.get("/v1/me/export", headers=ADMIN)).status_code == 403

    await deliver(
        service.runtime,
        ParticipantErased(
            participant_id=MENTEE, program_id=PROGRAM, person_id=person, erased_at=utc_now()
        ),
    )
    database = service.runtime.database
    traces = await stored_traces(
        database, {MENTEE, person}, skip={"erased_participants", "processed_events", "outbox"}
    )
    assert traces == []
    assert (await deliveries(service, status=Status.DIGEST.value)) == []
    again = (await service.client.get("/v1/me/export", headers=token)).json()
    assert again["sections"]["deliveries"]["items"] == []
    # A late event naming the erased participant brings nothing back.
    await deliver(service.runtime, registered(MENTEE, "mentee"))
    assert (
        await stored_traces(
            database, {MENTEE, person}, skip={"erased_participants", "processed_events", "outbox"}
        )
        == []
    )


async def test_a_crash_between_sending_and_recording_repeats_that_message_with_its_message_id(
    service_settings: Any, serve_app: AppServer, mailbox: Mailbox, other_services: Receiver
) -> None:
    other_services.add(MENTEE, "Ada Lovelace", "ada@example.com")
    app = build_app(service_settings(delivery_lease_s=1.0))
    async with serve_app(app) as _:
        dispatcher = app.state.dispatcher
        deliveries = dispatcher._deliveries  # the crash is injected here
        original = deliveries.settle
        crashed: list[Any] = []

        async def crash_once(outcomes: Any) -> None:
            if not crashed:
                crashed.append(outcomes)
                raise ConnectionError("the replica died before recording")
            await original(outcomes)

        deliveries.settle = crash_once
        await deliver(app.state.runtime, program(), registered(MENTEE, "mentee"))
        await received(mailbox, 2, timeout_s=30)
        await asyncio.sleep(2.0)  # two more lease periods: nothing else repeats
        messages = [mail.parsed() for mail in mailbox.messages]
    assert len(messages) == 2  # sent, not recorded; the lease ran out; sent again
    assert messages[0]["Message-ID"] == messages[1]["Message-ID"]
