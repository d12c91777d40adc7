"""A program manager nudges a pair the health report flags: both members get a message.

Admins and the program's managers nudge its pairs (403 elsewhere); once per pair and day;
404 for a pair the service does not know in the program, 409 for an ended pair.
"""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

import pytest

from mentorship_contracts.events import PairEnded
from mentorship_contracts.examples import example
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, dev_person_id, participant_token

from .conftest import Service
from .scenario import MENTEE, MENTOR, PAIR, PROGRAM, pair, program, registered
from .support import deliver
from .test_email import body, received

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
MANAGER = bearer(participant_token("pm-a"))
OTHER_MANAGER = bearer(participant_token("pm-b"))
NUDGE = f"/v1/programs/{PROGRAM}/pairs/{PAIR}/nudge"
SUBJECT = "Time to meet your mentoring partner again (Pilot)"


async def nudges_received(service: Service, count: int) -> list[EmailMessage]:
    """The nudges among the messages received, once ``count`` of them arrived (or 20 s)."""
    deadline = asyncio.get_running_loop().time() + 20
    while asyncio.get_running_loop().time() < deadline:
        found = [m for m in await received(service.mailbox, 0) if str(m["Subject"]) == SUBJECT]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    return found


async def test_a_manager_nudges_a_pair_of_their_program_once_a_day(service: Service) -> None:
    client = service.client
    service.others.add(MENTOR, "Grace Hopper", "grace@example.com")
    service.others.add(MENTEE, "Ada Lovelace", "ada@example.com")
    await deliver(
        service.runtime,
        program(managers=(dev_person_id("pm-a"),)),
        registered(MENTOR, "mentor"),
        registered(MENTEE, "mentee"),
        pair(),
    )
    refused = await client.post(NUDGE, headers=OTHER_MANAGER)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"] == "forbidden"

    nudged = await client.post(NUDGE, headers=MANAGER)
    assert nudged.status_code == 202, nudged.text
    assert nudged.json() == {"program_id": PROGRAM, "pair_id": PAIR, "planned": 2}
    messages = await nudges_received(service, 2)
    assert sorted(str(m["To"]) for m in messages) == [
        "Ada Lovelace <ada@example.com>",
        "Grace Hopper <grace@example.com>",
    ]
    for message in messages:
        assert "has not held a session for a while" in body(message, "plain")
        assert f"/pairs/{PAIR}" in body(message, "plain")
        assert message["List-Unsubscribe"]  # a member may stop nudges

    again = await client.post(NUDGE, headers=MANAGER)
    assert again.status_code == 202
    deliveries = (
        await client.get(f"/v1/deliveries?program_id={PROGRAM}&kind=pair_nudge", headers=ADMIN)
    ).json()["deliveries"]
    assert len(deliveries) == 2  # the same day: no second message

    unknown = await client.post(f"/v1/programs/{PROGRAM}/pairs/no-such-pair/nudge", headers=ADMIN)
    assert unknown.status_code == 404, unknown.text

    await deliver(service.runtime, example(PairEnded, pair_id=PAIR, program_id=PROGRAM))
    ended = await client.post(NUDGE, headers=MANAGER)
    assert ended.status_code == 409, ended.text
    assert ended.json()["error"] == "pair_ended"
