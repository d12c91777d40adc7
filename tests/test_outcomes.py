"""Business outcomes across services: directory, registrations, the HRIS import, the report.

Registration (with its directory), feedback (the HRIS outcome import) and analytics run as
real processes over the real broker. The directory knows 10 mentees, 2 mentors and 25 other
senior salespeople, and 8 designers; the HRIS reports hire days for everyone, promotions for 6
of the mentees and 5 of the other salespeople, exits for 4 of those, and promotions for every
designer (who are no comparison for salespeople). The outcomes report compares the mentees
with the 25 salespeople only, shows the expected rates and differences, and hides the mentors.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from dateutil.relativedelta import relativedelta

from mentorship_devstack.pytest_plugin import eventually
from mentorship_devstack.services import ServiceProcess
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN = bearer(DEV_ADMIN_TOKEN)
STACK_SERVICES = ("registration", "feedback", "analytics")

MENTEES = [f"o-m{i:02d}" for i in range(10)]
MENTORS = ["o-t00", "o-t01"]
SALES = [f"o-c{i:02d}" for i in range(25)]
DESIGN = [f"o-x{i:02d}" for i in range(8)]

MENTEE_ANSWERS = {
    "role": "mentee",
    "seniority": "senior",
    "discipline": "sales",
    "locations": ["remote"],
    "time_zone": "Europe/Berlin",
    "languages": ["en"],
    "skills_to_grow": ["negotiation"],
}
MENTOR_ANSWERS = {
    "role": "mentor",
    "capacity": 5,
    "seniority": "senior",
    "discipline": "sales",
    "locations": ["remote"],
    "time_zone": "Europe/Berlin",
    "languages": ["en"],
    "skills_to_mentor": ["negotiation"],
}


def _program(today: datetime) -> dict[str, Any]:
    starts = (today - timedelta(weeks=6)).date()
    return {
        "name": "Outcomes",
        "goal": "career_development",
        "key_result": {"description": "6 sessions", "metric": "sessions_per_pair", "target": 6},
        "format": "one_on_one",
        "starts_on": starts.isoformat(),
        "ends_on": (starts + relativedelta(months=6)).isoformat(),
        "cadence": "biweekly",
        "registration_opens_at": (today - timedelta(weeks=10)).isoformat(),
        "registration_closes_at": (today + timedelta(weeks=2)).isoformat(),
        "matching_mode": "admin_led",
        "auto_approve_matches": False,
    }


async def test_participants_outcomes_against_their_peers(
    stack: dict[str, ServiceProcess],
) -> None:
    today = datetime.now(UTC)
    week_ago = (today - timedelta(days=7)).date().isoformat()
    async with (
        httpx.AsyncClient(base_url=stack["registration"].base_url, timeout=30) as registration,
        httpx.AsyncClient(base_url=stack["feedback"].base_url, timeout=30) as feedback,
        httpx.AsyncClient(base_url=stack["analytics"].base_url, timeout=30) as analytics,
    ):
        people = "employee_id,name,email,department,seniority\n" + "".join(
            f"{e},{e},{e}@example.com,{'Design' if e in DESIGN else 'Sales'},senior\n"
            for e in MENTEES + MENTORS + SALES + DESIGN
        )
        imported = await registration.post(
            "/v1/directory/import", content=people, headers={"content-type": "text/csv", **ADMIN}
        )
        assert imported.status_code == 200, imported.text
        assert imported.json()["failed"] == 0, imported.text

        created = await registration.post("/v1/programs", json=_program(today), headers=ADMIN)
        assert created.status_code == 201, created.text
        program = created.json()["program_id"]
        for employee in MENTEES + MENTORS:
            answers = MENTEE_ANSWERS if employee in MENTEES else MENTOR_ANSWERS
            registered = await registration.post(
                f"/v1/programs/{program}/registrations",
                json={
                    "employee_id": employee,
                    "name": employee,
                    "email": f"{employee}@example.com",
                    "answers": answers,
                },
                headers=ADMIN,
            )
            assert registered.status_code == 201, registered.text

        rows = ["employee_id,kind,date,voluntary"]
        rows += [f"{e},hired,2018-01-01," for e in MENTEES + MENTORS + SALES + DESIGN]
        rows += [f"{e},promotion,{week_ago}," for e in MENTEES[:6] + SALES[:5] + DESIGN]
        rows += [f"{e},exit,{week_ago},true" for e in SALES[-4:]]
        rows += ["o-c00,promotion,someday,"]
        outcomes = await feedback.post(
            "/v1/outcomes/import",
            content="\n".join(rows) + "\n",
            headers={"content-type": "text/csv", **ADMIN},
        )
        assert outcomes.status_code == 200, outcomes.text
        result = outcomes.json()
        assert (result["recorded"], result["failed"]) == (45 + 19 + 4, 1)
        assert result["errors"][0]["field"] == "body.date"

        url = f"/v1/programs/{program}/reports/outcomes"
        report = await eventually(
            lambda: analytics.get(url, headers=ADMIN),
            lambda r: (
                r.status_code == 200
                and len(r.json()["groups"]) == 2
                and r.json()["groups"][0]["comparison"] == len(SALES)
                and r.json()["groups"][0]["rates"][0]["participants_rate"] == 0.6
                and r.json()["groups"][0]["rates"][2]["comparison_rate"] == 21 / 25
            ),
            timeout_s=90,
        )
        mentees, mentors = report.json()["groups"]
        assert (mentees["shown"], mentees["participants"]) == (True, len(MENTEES))
        rates = {rate["measure"]: rate for rate in mentees["rates"]}
        assert rates["promotion"]["comparison_rate"] == 0.2
        assert rates["promotion"]["difference"] == pytest.approx(0.4)
        assert rates["promotion"]["ci_low"] > 0, "6/10 against 5/25 is a clear difference"
        assert rates["retention"]["difference"] == pytest.approx(1 - 21 / 25)
        assert rates["internal_move"]["difference"] == 0
        assert any("Only 10 mentees" in warning for warning in mentees["warnings"])
        assert (mentors["shown"], mentors["participants"], mentors["comparison"]) == (
            False,
            None,
            None,
        )
        exported = await analytics.get(f"{url}.csv", headers=ADMIN)
        assert "groups[0].participants,10" in exported.text
        assert "groups[1].participants,\r\n" in exported.text
