"""What falls due with time: survey openings and the managers' weekly health digest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentorship_contracts.events import MatchingRunProposed
from mentorship_contracts.examples import example
from mentorship_contracts.types import utc_now
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer
from notifications.adapters.store import Facts

from .conftest import Service
from .scenario import MENTEE, MENTOR, PROGRAM, program, registered
from .support import deliver
from .test_chat import posts
from .test_email import received

pytestmark = pytest.mark.integration
ADMIN = bearer(DEV_ADMIN_TOKEN)


def active_participants_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The programs whose active participants are read from now on."""
    read: list[str] = []
    original = Facts.active_participants

    async def counted(facts: Facts, program_id: str) -> list[str]:
        read.append(program_id)
        return await original(facts, program_id)

    monkeypatch.setattr(Facts, "active_participants", counted)
    return read


async def test_the_mid_program_survey_is_announced_once_to_those_still_in_it(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.others.add(MENTOR, "Grace Hopper", "grace@example.com")
    service.others.add(MENTEE, "Ada Lovelace", "ada@example.com")
    today = utc_now().date()
    started = program(starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=50))
    await deliver(
        service.runtime, started, registered(MENTOR, "mentor"), registered(MENTEE, "mentee")
    )
    await received(service.mailbox, 2)
    service.mailbox.clear()
    assert await service.scheduled.survey_openings() == 1
    read = active_participants_reads(monkeypatch)
    assert await service.scheduled.survey_openings() == 0  # once, whatever the replicas
    assert read == []  # an opening announced before is left out before its members are read
    messages = await received(service.mailbox, 2)
    assert (
        sorted(str(m["Subject"]) for m in messages) == ["Halfway through Pilot: a short survey"] * 2
    )


async def test_managers_get_the_weeks_health_flags_once(service: Service) -> None:
    await deliver(service.runtime, program())
    await service.client.patch(
        f"/v1/programs/{PROGRAM}/notification-settings",
        headers=ADMIN,
        json={"managers": [{"name": "Mia Manager", "email": "mia@example.com"}]},
    )
    service.others.health = {
        "inactive_pairs": [{"pair_id": "a"}, {"pair_id": "b"}],
        "low_ratings": [],
        "not_a_good_fit": [{"pair_id": "c"}],
        "mentors_over_capacity": [],
    }
    now = utc_now()
    monday = now - timedelta(days=now.weekday())
    assert await service.scheduled.health_digests(monday) == 1
    assert await service.scheduled.health_digests(monday + timedelta(hours=3)) == 0
    assert await service.scheduled.health_digests(monday + timedelta(days=1)) == 0  # Tuesday
    (message,) = await received(service.mailbox, 1)
    assert str(message["Subject"]) == "This week in Pilot: health flags"
    text = str(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    assert "2 pairs without a held session lately" in text
    assert '1 "not a good fit" answer' in text
    assert "mentors over capacity" not in text  # nothing flagged: not listed


async def test_the_health_digest_is_asked_for_once_a_week_not_every_poll(
    service: Service,
) -> None:
    """Once a program's digest went out, later polls of the day leave it out before asking
    analytics for its health report (every poll of the weekday asked again)."""
    await deliver(service.runtime, program())
    await service.client.patch(
        f"/v1/programs/{PROGRAM}/notification-settings",
        headers=ADMIN,
        json={"managers": [{"name": "Mia Manager", "email": "mia@example.com"}]},
    )
    now = utc_now()
    monday = now - timedelta(days=now.weekday())
    assert await service.scheduled.health_digests(monday) == 1
    asked = service.others.health_requests
    for minutes in (1, 2, 60):
        assert await service.scheduled.health_digests(monday + timedelta(minutes=minutes)) == 0
    assert service.others.health_requests == asked


async def test_a_program_with_only_a_chat_channel_gets_the_digest_and_proposals_there(
    service: Service,
) -> None:
    """No manager recipients, a Slack webhook: the channel hears of the week's health flags
    and of a proposal waiting for approval."""
    await deliver(service.runtime, program())
    configured = await service.client.patch(
        f"/v1/programs/{PROGRAM}/notification-settings",
        headers=ADMIN,
        json={"chat": {"slack_webhook_url": f"{service.others.url}/hooks/slack"}},
    )
    assert configured.status_code == 200, configured.text
    service.others.health = {"inactive_pairs": [{"pair_id": "a"}], "low_ratings": []}
    now = utc_now()
    assert await service.scheduled.health_digests(now - timedelta(days=now.weekday())) == 1
    await deliver(
        service.runtime,
        example(MatchingRunProposed, program_id=PROGRAM, requires_approval=True, part=1, parts=1),
    )
    found = await posts(service, 2)
    assert [path for path, _ in found] == ["/hooks/slack"] * 2
    headers = sorted(body["blocks"][0]["text"]["text"] for _, body in found)
    assert any("health" in text.lower() for text in headers), headers
    assert any("proposal" in text.lower() for text in headers), headers
