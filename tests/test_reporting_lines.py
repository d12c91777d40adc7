"""Reporting lines across services: the rule holds whatever order people arrive in.

Registration (with its directory), matching and analytics run as real processes over the real
broker. A mentee registers before her manager and her manager's manager, who are her best
matches on every criterion; the run never pairs her with either, whether the hierarchy comes
from the directory (SCIM) or only from registrations. Then the directory moves her under the
mentor she was paired with: the health report flags the pair, and the next run applies the
new line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mentorship_devstack.api import create_program
from mentorship_devstack.pytest_plugin import eventually
from mentorship_devstack.services import ServiceProcess
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, DEV_SCIM_TOKEN, bearer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN = bearer(DEV_ADMIN_TOKEN)
SCIM = {"Authorization": f"Bearer {DEV_SCIM_TOKEN}", "Content-Type": "application/scim+json"}
STACK_SERVICES = ("registration", "matching", "analytics")
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

MENTEE_ANSWERS = {
    "role": "mentee",
    "seniority": "associate",
    "discipline": "engineering",
    "preferred_mentor_discipline": ["engineering"],
    "locations": ["remote"],
    "time_zone": "Europe/Berlin",
    "languages": ["en"],
    "skills_to_grow": ["leadership", "system_design", "delegation"],
    "goals_to_reach": ["promotion", "lead_a_project"],
    "interests": ["cooking", "music"],
}


def _mentor(seniority: str, *, best: bool) -> dict[str, Any]:
    """A mentor: ``best`` ones share everything with the mentee, the other only a language."""
    return {
        "role": "mentor",
        "capacity": 2,
        "seniority": seniority,
        "discipline": "engineering" if best else "sales",
        "disciplines_experienced": ["engineering"] if best else ["sales"],
        "locations": ["remote"],
        "time_zone": "Europe/Berlin" if best else "Europe/London",
        "languages": ["en"],
        "skills_to_mentor": (
            ["leadership", "system_design", "delegation"] if best else ["negotiation"]
        ),
        "goals_reached": ["promotion", "lead_a_project"] if best else [],
        "interests": ["cooking", "music"] if best else ["sports"],
    }


def _client(stack: dict[str, ServiceProcess]) -> Callable[[str], httpx.AsyncClient]:
    return lambda name: httpx.AsyncClient(base_url=stack[name].base_url, timeout=30.0)


async def _register(
    registration: httpx.AsyncClient,
    program_id: str,
    employee: str,
    answers: dict[str, Any],
    manager: str | None = None,
) -> str:
    response = await registration.post(
        f"/v1/programs/{program_id}/registrations",
        json={
            "employee_id": employee,
            "name": employee,
            "email": f"{employee}@example.com",
            "manager_employee_id": manager,
            "answers": answers,
        },
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text
    participant_id: str = response.json()["participant_id"]
    return participant_id


async def _run(matching: httpx.AsyncClient, program_id: str, participants: int) -> dict[str, Any]:
    """Wait for the pool, run matching, return the proposal."""
    await eventually(
        lambda: matching.get(f"/v1/programs/{program_id}/pool", headers=ADMIN),
        lambda r: (
            r.status_code == 200 and r.json()["mentors"] + r.json()["mentees"] >= participants
        ),
        timeout_s=60,
    )
    started = await matching.post(
        f"/v1/programs/{program_id}/matching-runs", json={"kind": "match"}, headers=ADMIN
    )
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    done = await eventually(
        lambda: matching.get(f"/v1/matching-runs/{run_id}", headers=ADMIN),
        lambda r: r.json()["status"] in {"proposed", "failed"},
        timeout_s=90,
    )
    assert done.json()["status"] == "proposed", done.text
    proposal = await matching.get(f"/v1/matching-runs/{run_id}/proposal", headers=ADMIN)
    body: dict[str, Any] = proposal.json() | {"run_id": run_id}
    return body


def _paired_with(proposal: dict[str, Any], mentee: str) -> str | None:
    return next(
        (
            pair["mentor_participant_id"]
            for pair in proposal["pairs"]
            if pair["mentee_participant_id"] == mentee
        ),
        None,
    )


async def test_a_mentee_registered_first_is_never_paired_with_her_line(
    stack: dict[str, ServiceProcess],
) -> None:
    client = _client(stack)
    async with client("registration") as registration, client("matching") as matching:
        # The directory knows the hierarchy: mia -> mgr -> skip -> ceo (provisioned top down,
        # each manager named by their SCIM id, as identity providers do).
        ids: dict[str, str] = {}
        for employee, manager in (("d-ceo", None), ("d-skip", "d-ceo"), ("d-mgr", "d-skip")):
            user = {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
                "userName": f"{employee}@example.com",
                ENTERPRISE: {"employeeNumber": employee}
                | ({"manager": {"value": ids[manager]}} if manager else {}),
            }
            created = await registration.post("/scim/v2/Users", json=user, headers=SCIM)
            assert created.status_code == 201, created.text
            ids[employee] = created.json()["id"]
        mia_user = {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "userName": "d-mia@example.com",
            ENTERPRISE: {"employeeNumber": "d-mia", "manager": {"value": ids["d-mgr"]}},
        }
        mia_created = await registration.post("/scim/v2/Users", json=mia_user, headers=SCIM)
        assert mia_created.status_code == 201, mia_created.text

        from_directory = await create_program(registration)
        mia = await _register(registration, from_directory, "d-mia", MENTEE_ANSWERS)
        mgr = await _register(registration, from_directory, "d-mgr", _mentor("senior", best=True))
        skip = await _register(
            registration, from_directory, "d-skip", _mentor("director", best=True)
        )
        other = await _register(
            registration, from_directory, "d-other", _mentor("senior", best=False)
        )

        # Only registrations know it, and they come bottom up: the very order of the bug.
        from_registrations = await create_program(registration)
        r_mia = await _register(registration, from_registrations, "r-mia", MENTEE_ANSWERS, "r-mgr")
        r_mgr = await _register(
            registration, from_registrations, "r-mgr", _mentor("senior", best=True), "r-skip"
        )
        r_skip = await _register(
            registration, from_registrations, "r-skip", _mentor("director", best=True), "r-ceo"
        )
        r_other = await _register(
            registration, from_registrations, "r-other", _mentor("senior", best=False)
        )

        proposal = await _run(matching, from_directory, 4)
        assert _paired_with(proposal, mia) == other, proposal
        assert _paired_with(proposal, mia) not in {mgr, skip}
        why = await matching.get(
            f"/v1/matching-runs/{proposal['run_id']}/why-not",
            params={"mentee_participant_id": mia, "mentor_participant_id": skip},
            headers=ADMIN,
        )
        assert "reporting" in why.text

        r_proposal = await _run(matching, from_registrations, 4)
        assert _paired_with(r_proposal, r_mia) == r_other, r_proposal
        assert _paired_with(r_proposal, r_mia) not in {r_mgr, r_skip}


async def test_a_manager_change_flags_the_pair_and_applies_to_the_next_run(
    stack: dict[str, ServiceProcess],
) -> None:
    client = _client(stack)
    async with (
        client("registration") as registration,
        client("matching") as matching,
        client("analytics") as analytics,
    ):
        csv = "employee_id,name,manager_employee_id\nm-boss,Boss,\nm-ana,Ana,m-boss\nm-lee,Lee,\n"
        imported = await registration.post(
            "/v1/directory/import", content=csv, headers=ADMIN | {"content-type": "text/csv"}
        )
        assert imported.json()["created"] == 3, imported.text
        program_id = await create_program(registration)
        ana = await _register(registration, program_id, "m-ana", MENTEE_ANSWERS)
        lee = await _register(registration, program_id, "m-lee", _mentor("senior", best=True))
        proposal = await _run(matching, program_id, 2)
        assert _paired_with(proposal, ana) == lee
        approved = await matching.post(
            f"/v1/matching-runs/{proposal['run_id']}/approve", headers=ADMIN
        )
        assert approved.status_code == 202, approved.text

        # Ana now reports to Lee, her mentor: the pair breaks the rule from now on.
        moved = await registration.post(
            "/v1/directory/import",
            content="employee_id,manager_employee_id\nm-ana,m-lee\n",
            headers=ADMIN | {"content-type": "text/csv"},
        )
        assert moved.json()["updated"] == 1, moved.text

        health = await eventually(
            lambda: analytics.get(f"/v1/programs/{program_id}/reports/health", headers=ADMIN),
            lambda r: r.status_code == 200 and r.json().get("reporting_line_conflicts"),
            timeout_s=60,
        )
        [conflict] = health.json()["reporting_line_conflicts"]
        assert conflict["levels"] == 1

        # The next run (a what-if allowed to change that pair) no longer keeps it.
        started = await matching.post(
            f"/v1/programs/{program_id}/matching-runs",
            json={"kind": "what_if", "max_changes": 1},
            headers=ADMIN,
        )
        assert started.status_code == 202, started.text
        run_id = started.json()["run_id"]
        done = await eventually(
            lambda: matching.get(f"/v1/matching-runs/{run_id}", headers=ADMIN),
            lambda r: r.json()["status"] in {"proposed", "failed"},
            timeout_s=90,
        )
        assert done.json()["status"] == "proposed", done.text
        after = (await matching.get(f"/v1/matching-runs/{run_id}/proposal", headers=ADMIN)).json()
        assert _paired_with(after, ana) != lee, after
        [unmatched] = [u for u in after["unmatched"] if u["participant_id"] == ana]
        assert "reporting line" in unmatched["detail"]
