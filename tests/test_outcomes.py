"""Business outcomes across services: directory, registrations, the HRIS import, the report.

Registration (with its directory), feedback (the HRIS outcome import) and analytics run as
real processes over the real broker. The directory knows 10 mentees, 2 mentors and 25 other
senior salespeople, and 8 designers; the HRIS reports hire days for everyone, promotions for 6
of the mentees and 5 of the other salespeople, exits for 4 of those, and promotions for every
designer (who are no comparison for salespeople). The outcomes report compares the mentees
with the 25 salespeople only, shows the expected rates and differences, and hides the mentors.

Erasure: an admin erases a promoted mentee's outcomes in feedback; analytics drops them (the
report counts 5 promotions in 10 mentees, the person's export shows none), a repeat deletes
nothing, and a later import of a promotion of theirs counts again (6 in 10).

Skills: matching (a real run, approved) pairs the 10 mentees with the 2 mentors, 5 each; every
mentee rates their chosen skill at the baseline and the end, and asks their manager and three
peers, who answer through their links without an account; each mentor rates their mentees at
the midpoint and the end (8 of them up, 2 flat). The skills growth report shows the expected
change by rater kind and the share whose self and mentor ratings both rose (8 in 10), the
calibration view the peers' average, and the mentor impact view each mentor's mentees' growth.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from dateutil.relativedelta import relativedelta

from mentorship_devstack.pytest_plugin import eventually
from mentorship_devstack.services import ServiceProcess
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, participant_token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN = bearer(DEV_ADMIN_TOKEN)
STACK_SERVICES = ("registration", "matching", "feedback", "analytics")

MENTEES = [f"o-m{i:02d}" for i in range(10)]
MENTORS = ["o-t00", "o-t01"]
SALES = [f"o-c{i:02d}" for i in range(25)]
DESIGN = [f"o-x{i:02d}" for i in range(8)]
BOSS = SALES[-1]

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
    "seniority": "director",  # a mentor is more senior (matching's rule); the directory says
    # "senior" for everyone, which is what the comparison groups use
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
        httpx.AsyncClient(base_url=stack["matching"].base_url, timeout=30) as matching,
    ):
        people = "employee_id,name,email,department,seniority,manager_employee_id\n" + "".join(
            f"{e},{e},{e}@example.com,{'Design' if e in DESIGN else 'Sales'},senior,"
            f"{BOSS if e in MENTEES else ''}\n"
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
        employee_of: dict[str, str] = {}
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
            employee_of[registered.json()["participant_id"]] = employee

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
        await _outcomes_erased(feedback, analytics, url, week_ago)

        pairs = await _paired(matching, program)
        await _skills_assessed_with_360(feedback, analytics, program, pairs, employee_of)


def _promotion_rate(report: httpx.Response) -> float | None:
    if report.status_code != 200:
        return None
    rates = {rate["measure"]: rate for rate in report.json()["groups"][0]["rates"]}
    rate: float = rates["promotion"]["participants_rate"]
    return rate


async def _outcomes_erased(
    feedback: httpx.AsyncClient, analytics: httpx.AsyncClient, url: str, week_ago: str
) -> None:
    """A promoted mentee's outcomes erased, then a promotion of theirs imported again."""
    erased, me = MENTEES[0], bearer(participant_token(MENTEES[0]))
    answer = await feedback.post(
        "/v1/outcomes/erasures", json={"employee_id": erased}, headers=ADMIN
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["deleted"] == 2, "hired and promoted"
    report = await eventually(
        lambda: analytics.get(url, headers=ADMIN),
        lambda r: _promotion_rate(r) == 0.5,
        timeout_s=90,
    )
    assert report.json()["groups"][0]["participants"] == len(MENTEES)
    export = await analytics.get("/v1/me/export", headers=me)
    assert export.json()["sections"]["outcomes"]["items"] == []
    mine = await feedback.get("/v1/me/export", headers=me)
    assert mine.json()["sections"]["outcomes"]["items"] == []
    again = await feedback.post(
        "/v1/outcomes/erasures", json={"employee_id": erased}, headers=ADMIN
    )
    assert (again.status_code, again.json()["deleted"]) == (200, 0)

    later = await feedback.post(
        "/v1/outcomes",
        json={"outcomes": [{"employee_id": erased, "kind": "promotion", "date": week_ago}]},
        headers=ADMIN,
    )
    assert later.json()["recorded"] == 1, later.text
    await eventually(
        lambda: analytics.get(url, headers=ADMIN),
        lambda r: _promotion_rate(r) == 0.6,
        timeout_s=90,
    )
    export = await analytics.get("/v1/me/export", headers=me)
    assert [o["kind"] for o in export.json()["sections"]["outcomes"]["items"]] == ["promotion"]


async def _paired(matching: httpx.AsyncClient, program: str) -> list[dict[str, Any]]:
    """Matching's run, approved: every mentee paired, five per mentor."""
    await eventually(
        lambda: matching.get(f"/v1/programs/{program}/pool", headers=ADMIN),
        lambda r: (
            r.status_code == 200
            and (r.json()["mentors"], r.json()["mentees"]) == (len(MENTORS), len(MENTEES))
        ),
        timeout_s=60,
    )
    started = await matching.post(f"/v1/programs/{program}/matching-runs", headers=ADMIN, json={})
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    proposed = await eventually(
        lambda: matching.get(f"/v1/matching-runs/{run_id}", headers=ADMIN),
        lambda r: r.json()["status"] == "proposed",
        timeout_s=90,
    )
    assert proposed.json()["summary"]["mentees_matched"] == len(MENTEES)
    approved = await matching.post(f"/v1/matching-runs/{run_id}/approve", headers=ADMIN)
    assert approved.status_code == 202, approved.text
    pairs = await eventually(
        lambda: matching.get(f"/v1/programs/{program}/pairs", headers=ADMIN),
        lambda r: len(r.json()["pairs"]) == len(MENTEES),
        timeout_s=90,
    )
    found: list[dict[str, Any]] = pairs.json()["pairs"]
    return found


async def _skills_assessed_with_360(
    feedback: httpx.AsyncClient,
    analytics: httpx.AsyncClient,
    program: str,
    pairs: list[dict[str, Any]],
    employee_of: dict[str, str],
) -> None:
    """Self (2 -> 3 or 4), manager (2 -> 3), three peers (avg 2.33 -> 3.33) per mentee, and
    their mentor (midpoint 2 -> end 3 for eight of them, 3 -> 3 for the last two)."""
    for number, employee in enumerate(MENTEES):
        me = bearer(participant_token(employee))
        baseline = await eventually(
            lambda me=me: feedback.put(  # type: ignore[misc]
                f"/v1/programs/{program}/skills/self/baseline",
                json={"levels": {"negotiation": 2}},
                headers=me,
            ),
            lambda r: r.status_code == 200,
            timeout_s=60,
        )
        assert baseline.json()["rater_kind"] == "self"
        end = await feedback.put(
            f"/v1/programs/{program}/skills/self/end",
            json={"levels": {"negotiation": 3 + number % 2}},
            headers=me,
        )
        assert end.status_code == 200, end.text
        for moment, manager_level, peer_levels in (
            ("baseline", 2, (2, 2, 3)),
            ("end", 3, (3, 3, 4)),
        ):
            asked = await feedback.post(
                f"/v1/programs/{program}/skills/raters",
                json={"moment": moment, "manager": True, "peers": 3},
                headers=me,
            )
            assert asked.status_code == 200, asked.text
            # the manager's link is mailed (the admin-only delivery route), peers' forwarded
            (invited,) = asked.json()["invited"]
            delivery = await feedback.get(
                f"/v1/skills/rater-requests/{invited['request_id']}/delivery", headers=ADMIN
            )
            assert delivery.status_code == 200, delivery.text
            paths = [delivery.json()["path"], *(link["path"] for link in asked.json()["links"])]
            for path, level in zip(paths, (manager_level, *peer_levels), strict=True):
                answered = await feedback.put(path, json={"levels": {"negotiation": level}})
                assert answered.status_code == 200, answered.text

    for pair in pairs:
        mentee = employee_of[pair["mentee_participant_id"]]
        mentor = bearer(participant_token(employee_of[pair["mentor_participant_id"]]))
        rose = MENTEES.index(mentee) < 8
        for moment, level in (("midpoint", 2 if rose else 3), ("end", 3)):
            rated = await eventually(
                lambda moment=moment, level=level, pair=pair, mentor=mentor: feedback.put(  # type: ignore[misc]
                    f"/v1/pairs/{pair['pair_id']}/skills/mentor/{moment}",
                    json={"levels": {"negotiation": level}},
                    headers=mentor,
                ),
                lambda r: r.status_code == 200,
                timeout_s=60,
            )
            assert rated.json()["rater_kind"] == "mentor"

    first = MENTEES[0]
    participant = (
        await feedback.get("/v1/me/export", headers=bearer(participant_token(first)))
    ).json()["subject"]["participant_ids"][0]
    calibration = await feedback.get(
        f"/v1/programs/{program}/participants/{participant}/skills/calibration",
        headers=bearer(participant_token(first)),
    )
    assert calibration.status_code == 200, calibration.text
    (end_row,) = calibration.json()["moments"]["end"]
    assert (end_row["self"], end_row["manager"], end_row["peers_answered"]) == (3, 3, 3)
    assert end_row["peers_average"] == pytest.approx(10 / 3, abs=0.01)

    url = f"/v1/programs/{program}/reports/skills-growth"
    report = await eventually(
        lambda: analytics.get(url, headers=ADMIN),
        lambda r: (
            r.status_code == 200
            and len(r.json()["growth"]) == 4
            and all(row["mentees"] == len(MENTEES) for row in r.json()["growth"])
        ),
        timeout_s=90,
    )
    rows = {row["rater_kind"]: row for row in report.json()["growth"]}
    assert set(rows) == {"self", "mentor", "manager", "peer"}
    assert rows["mentor"]["first_mean"] == pytest.approx(2.2)
    assert rows["mentor"]["change"] == pytest.approx(0.8)
    (both,) = report.json()["both_rose"]
    assert (both["skill"], both["mentees"], both["share"]) == ("negotiation", 10, 0.8)
    assert both["share_low"] < 0.8 < both["share_high"]
    assert rows["self"]["change"] == pytest.approx(1.5)
    assert 0 < rows["self"]["change_low"] < 1.5 < rows["self"]["change_high"]
    assert rows["manager"]["change"] == pytest.approx(1.0)
    assert rows["peer"]["change"] == pytest.approx(1.0, abs=0.01)
    assert rows["peer"]["first_mean"] == pytest.approx(2.33, abs=0.01)
    exported = await analytics.get(f"{url}.csv", headers=ADMIN)
    assert "growth[0].mentees,10" in exported.text
    assert "both_rose[0].share,0.8" in exported.text

    # Each mentor's mentees' growth (self-rated: 1 for the even-numbered, 2 for the others).
    growth_of: dict[str, list[float]] = {}
    for pair in pairs:
        number = MENTEES.index(employee_of[pair["mentee_participant_id"]])
        growth_of.setdefault(pair["mentor_participant_id"], []).append(1 + number % 2)
    impact = await eventually(
        lambda: analytics.get(f"/v1/programs/{program}/reports/mentors", headers=ADMIN),
        lambda r: r.status_code == 200 and all(m["skills_growth"] for m in r.json()["mentors"]),
        timeout_s=60,
    )
    for mentor in impact.json()["mentors"]:
        expected = growth_of[mentor["mentor_participant_id"]]
        assert mentor["skills_growth_mentees"] == len(expected) == 5
        assert mentor["skills_growth"] == pytest.approx(sum(expected) / 5)
    impact_csv = await analytics.get(f"/v1/programs/{program}/reports/mentors.csv", headers=ADMIN)
    assert "mentors[0].skills_growth_mentees,5" in impact_csv.text
