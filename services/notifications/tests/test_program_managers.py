"""Program managers in notifications: a manager of program A sees A's deliveries, 403 on B."""

from __future__ import annotations

import httpx
import pytest

from mentorship_devstack.pytest_plugin import eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, dev_person_id, participant_token

from .conftest import Service
from .scenario import MENTEE, MENTOR, program, registered
from .support import deliver

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
MANAGER_A = bearer(participant_token("pm-a"))


def _forbidden(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "forbidden"


async def test_a_manager_of_a_sees_a_and_is_refused_b(service: Service) -> None:
    client = service.client
    service.others.add(MENTOR, "Grace Hopper", "grace@example.com")
    service.others.add(MENTEE, "Ada Lovelace", "ada@example.com")
    in_b = registered(MENTEE, "mentee").model_copy(
        update={"program_id": "prog-b", "participant_id": "b-mentee"}
    )
    await deliver(
        service.runtime,
        program(managers=(dev_person_id("pm-a"),)).model_copy(update={"program_id": "prog-a"}),
        program(managers=(dev_person_id("pm-b"),)).model_copy(update={"program_id": "prog-b"}),
        registered(MENTOR, "mentor").model_copy(update={"program_id": "prog-a"}),
        in_b,
    )
    await eventually(
        lambda: client.get("/v1/deliveries", headers=ADMIN),
        lambda response: len(response.json()["deliveries"]) == 2,
    )

    settings_a = await client.get("/v1/programs/prog-a/notification-settings", headers=MANAGER_A)
    assert settings_a.status_code == 200, settings_a.text
    _forbidden(await client.get("/v1/programs/prog-b/notification-settings", headers=MANAGER_A))
    branding = {"branding": {"display_name": "B"}}
    _forbidden(
        await client.patch(
            "/v1/programs/prog-b/notification-settings", json=branding, headers=MANAGER_A
        )
    )

    # Lists: a manager sees only their programs' deliveries, and may not ask for others'.
    mine = (await client.get("/v1/deliveries", headers=MANAGER_A)).json()["deliveries"]
    assert {d["program_id"] for d in mine} == {"prog-a"}
    _forbidden(await client.get("/v1/deliveries?program_id=prog-b", headers=MANAGER_A))
    summary = await client.get("/v1/deliveries/summary", headers=MANAGER_A)
    assert sum(summary.json()["by_status"].values()) == 1
    _forbidden(await client.get("/v1/deliveries/summary?program_id=prog-b", headers=MANAGER_A))
    everything = (await client.get("/v1/deliveries", headers=ADMIN)).json()["deliveries"]
    theirs = next(d for d in everything if d["program_id"] == "prog-b")
    _forbidden(
        await client.post(f"/v1/deliveries/{theirs['delivery_id']}/retry", headers=MANAGER_A)
    )
    _forbidden(await client.get("/v1/deliveries", headers=bearer(participant_token("nobody"))))
