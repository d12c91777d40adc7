"""Slack and Teams, posted to a local HTTP receiver: Block Kit, Adaptive Cards, 429 retried."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mentorship_contracts.events import MatchingRunProposed
from mentorship_contracts.examples import example
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, participant_token

from .conftest import Service
from .scenario import EMPLOYEES, MENTEE, PROGRAM, program, registered
from .support import deliver

pytestmark = pytest.mark.integration
ADMIN = bearer(DEV_ADMIN_TOKEN)


async def posts(service: Service, count: int, timeout_s: float = 20.0) -> list[tuple[str, Any]]:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while len(service.others.posts) < count and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    return list(service.others.posts)


async def test_a_proposal_reaches_managers_by_mail_and_the_programs_slack_and_teams(
    service: Service,
) -> None:
    base = service.others.url
    configured = await service.client.patch(
        f"/v1/programs/{PROGRAM}/notification-settings",
        headers=ADMIN,
        json={
            "branding": {"display_name": "Leaders 2027", "sender": "L&D <ld@example.com>"},
            "chat": {
                "slack_webhook_url": f"{base}/hooks/slack",
                "teams_webhook_url": f"{base}/hooks/teams",
            },
            "managers": [{"name": "Mia Manager", "email": "mia@example.com", "language": "fr"}],
        },
    )
    assert configured.status_code == 200, configured.text
    shown = configured.json()
    assert shown["chat"]["slack_webhook_url"].startswith("http://…")  # masked
    assert shown["managers"][0]["email"] == "mia@example.com"
    bad = await service.client.patch(
        f"/v1/programs/{PROGRAM}/notification-settings",
        headers=ADMIN,
        json={"managers": [{"name": "X", "email": "not-an-address"}]},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.managers.0.email"

    service.others.answers = [429]  # Teams or Slack says "slow down" once
    await deliver(service.runtime, program())
    await deliver(
        service.runtime,
        example(MatchingRunProposed, program_id=PROGRAM, requires_approval=True, part=1, parts=1),
    )
    found = await posts(service, 3)
    by_path: dict[str, list[Any]] = {}
    for path, body in found:
        by_path.setdefault(path, []).append(body)
    slack = by_path["/hooks/slack"][-1]
    assert slack["blocks"][0]["type"] == "header"
    assert "Leaders 2027" in slack["blocks"][0]["text"]["text"]
    assert slack["blocks"][-1]["elements"][0]["type"] == "button"
    assert slack["blocks"][-1]["elements"][0]["text"]["text"] == "Review the proposal"
    teams = by_path["/hooks/teams"][-1]
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    assert card["content"]["actions"][0]["type"] == "Action.OpenUrl"
    assert card["content"]["actions"][0]["title"] == "Review the proposal"
    assert len(found) == 3  # the 429 was retried once
    mails = [m.parsed() for m in service.mailbox.wait_for(1, timeout_s=5)]
    assert str(mails[0]["To"]) == "Mia Manager <mia@example.com>"
    assert str(mails[0]["From"]) == "L&D <ld@example.com>"
    assert "Une proposition d\u2019appariement pour Leaders 2027" in str(mails[0]["Subject"])


async def test_a_participant_who_chooses_slack_gets_a_direct_message(service: Service) -> None:
    service.others.add(MENTEE, "Ada Lovelace", "ada@example.com")
    await deliver(service.runtime, program())
    token = bearer(participant_token(EMPLOYEES[MENTEE]))
    chosen = await service.client.put(
        "/v1/me/notification-preferences",
        headers=token,
        json={"channels": {"registration_confirmed": ["slack", "email"]}},
    )
    assert chosen.status_code == 200, chosen.text
    await deliver(service.runtime, registered(MENTEE, "mentee"))
    (post,) = await posts(service, 1)
    assert post[0] == "/slack/chat.postMessage"
    assert post[1]["channel"] == "U123"
    assert "You are registered for Pilot" in post[1]["text"]
    button = post[1]["blocks"][-1]["elements"][0]
    assert button["text"]["text"] == "See or change your answers"
