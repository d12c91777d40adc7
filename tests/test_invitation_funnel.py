"""Invitations across services: 50 eligible people invited, 20 register, 30 are reminded.

Registration (directory, access, invitations and their reminder worker) and analytics run as
real processes over the real broker; the test drives them through HTTP and reads the
invitation topic, as any subscriber (a notifier) would.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mentorship_contracts import decode
from mentorship_contracts.events import InvitationReminderSent, InvitationSent
from mentorship_contracts.topics import INVITATIONS
from mentorship_devstack.api import create_program
from mentorship_devstack.kafka_tools import read_topic
from mentorship_devstack.pytest_plugin import ServiceLauncher, eventually
from mentorship_devstack.stack import Infrastructure
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, dev_person_id
from mentorship_devstack.workloads import people

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN = bearer(DEV_ADMIN_TOKEN)
ELIGIBLE, REGISTERING = 50, 20
REMIND_AFTER_DAYS = 0.0003  # about 26 s: registrations come first, reminders then


def _directory_csv(eligible: list[str], others: list[str]) -> str:
    rows = ["employee_id,name,email,department,location,seniority"]
    for index, employee in enumerate(eligible):
        department = "Engineering" if index % 2 else "Design"
        rows.append(f"{employee},Person {index},{employee}@example.com,{department},Toronto,senior")
    rows += [f"{e},Other,{e}@example.com,Sales,Toronto,senior" for e in others]
    return "\n".join(rows) + "\n"


async def test_invited_fifty_twenty_registered_thirty_reminded(
    launch: ServiceLauncher, infrastructure: Infrastructure, kafka_prefix: str
) -> None:
    registration = launch("registration", wait=False, INVITATION_POLL_S="0.5")
    analytics = launch("analytics", wait=False)
    registration.wait_ready()
    analytics.wait_ready()
    crowd = people(ELIGIBLE, seed=23)
    eligible = [person.employee_id for person in crowd]
    others = [f"sales-{index}" for index in range(10)]

    async with (
        httpx.AsyncClient(base_url=registration.base_url, timeout=30.0) as reg,
        httpx.AsyncClient(base_url=analytics.base_url, timeout=30.0) as ana,
    ):
        imported = await reg.post(
            "/v1/directory/import",
            content=_directory_csv(eligible, others),
            headers=ADMIN | {"content-type": "text/csv"},
        )
        assert imported.json()["created"] == ELIGIBLE + len(others), imported.text
        program_id = await create_program(reg)
        path = f"/v1/programs/{program_id}"
        access = {"anyone": False, "rules": [{"departments": ["Engineering", "Design"]}]}
        assert (await reg.put(f"{path}/access", json=access, headers=ADMIN)).status_code == 200
        preview = (await reg.post(f"{path}/access/preview", headers=ADMIN)).json()
        assert preview["eligible"] == ELIGIBLE

        invited = await reg.post(
            f"{path}/invitations",
            json={"remind_after_days": REMIND_AFTER_DAYS, "max_reminders": 1},
            headers=ADMIN,
        )
        assert (invited.json()["invited"], invited.json()["sent"]) == (ELIGIBLE, ELIGIBLE)

        registering = crowd[:REGISTERING]
        for person in registering:
            body = person.registration() | {"department": "Engineering"}
            registered = await reg.post(f"{path}/registrations", json=body, headers=ADMIN)
            assert registered.status_code == 201, registered.text
        outsider = await reg.post(
            f"{path}/registrations",
            json=crowd[0].registration() | {"employee_id": others[0]},
            headers=ADMIN,
        )
        assert outsider.status_code == 403

        async def report() -> dict[str, Any]:
            response = await ana.get(f"{path}/reports/registration", headers=ADMIN)
            body: dict[str, Any] = response.json()
            return body

        shown = await eventually(
            report,
            lambda body: body.get("invitations", {}).get("registered") == REGISTERING,
            timeout_s=60,
        )
        funnel = shown["invitations"]
        assert (funnel["invited"], funnel["registered"]) == (ELIGIBLE, REGISTERING)
        assert sum(row["invited"] for row in funnel["by_department"]) == ELIGIBLE
        assert sum(row["registered"] for row in funnel["by_department"]) == REGISTERING
        assert sum(day["invited"] for day in funnel["by_day"]) == ELIGIBLE
        assert sum(day["registered"] for day in funnel["by_day"]) == REGISTERING
        csv = (await ana.get(f"{path}/reports/registration.csv", headers=ADMIN)).text
        assert f"invitations.invited,{ELIGIBLE}" in csv
        assert f"invitations.registered,{REGISTERING}" in csv

    records = await read_topic(
        infrastructure.kafka_bootstrap,
        f"{kafka_prefix}{INVITATIONS.name}",
        until=lambda found: (
            sum(r.headers.get("ce_type") == "InvitationReminderSent" for r in found)
            >= ELIGIBLE - REGISTERING
        ),
        timeout_s=90,
    )
    events = [decode(record.value).data for record in records]
    sent = [e for e in events if isinstance(e, InvitationSent)]
    reminders = [e for e in events if isinstance(e, InvitationReminderSent)]
    assert len(sent) == ELIGIBLE
    assert {e.person_id for e in sent} == {dev_person_id(e) for e in eligible}
    reminded = {e.person_id for e in reminders}
    assert len(reminders) == ELIGIBLE - REGISTERING, "one reminder each, to the others only"
    assert reminded == {dev_person_id(p.employee_id) for p in crowd[REGISTERING:]}
