"""What falls due with time: survey openings and the managers' weekly health digest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentorship_contracts.types import utc_now
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

from .conftest import Service
from .scenario import MENTEE, MENTOR, PROGRAM, program, registered
from .support import deliver
from .test_email import received

pytestmark = pytest.mark.integration
ADMIN = bearer(DEV_ADMIN_TOKEN)


async def test_the_mid_program_survey_is_announced_once_to_those_still_in_it(
    service: Service,
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
    assert await service.scheduled.survey_openings() == 0  # once, whatever the replicas
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
