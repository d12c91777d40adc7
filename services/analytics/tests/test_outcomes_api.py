"""The outcomes report over the real broker: directory, registrations and HRIS outcomes in."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import httpx
import pytest

from analytics.app import build_app
from analytics.settings import AnalyticsSettings
from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import (
    DirectoryPersonChanged,
    OutcomeRecorded,
    ParticipantRegistered,
    ProgramCreated,
)
from mentorship_contracts.examples import PROGRAM, example
from mentorship_contracts.types import OutcomeKind, ParticipantRole, Seniority
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

pytestmark = pytest.mark.integration

ADMIN = bearer(DEV_ADMIN_TOKEN)
DURING = date(2026, 4, 15)  # the example program runs from 2026-03-01 to 2026-09-01


def person(index: int, seniority: Seniority) -> DirectoryPersonChanged:
    return example(
        DirectoryPersonChanged,
        person_id=f"person-{index:03d}",
        manager_person_id=None,
        department="sales",
        seniority=seniority,
    )


def outcome(index: int, kind: OutcomeKind, day: date, **fields: Any) -> OutcomeRecorded:
    return example(
        OutcomeRecorded,
        outcome_id=f"out-{index:03d}-{kind.value}",
        person_id=f"person-{index:03d}",
        kind=kind,
        occurred_on=day,
        voluntary=fields.get("voluntary"),
    )


def scenario() -> list[IntegrationEvent]:
    """10 senior mentees (6 promoted), 20 senior non-participants (4 promoted, 3 left) and
    10 associates (all promoted) who are not comparable; 3 mentors (too few to show)."""
    events: list[IntegrationEvent] = [example(ProgramCreated)]
    events += [person(i, Seniority.SENIOR) for i in range(33)]
    events += [person(i, Seniority.ASSOCIATE) for i in range(100, 110)]
    events += [
        outcome(i, OutcomeKind.HIRED, date(2015, 1, 1)) for i in [*range(33), *range(100, 110)]
    ]
    events += [
        example(
            ParticipantRegistered,
            participant_id=f"part-{i}",
            person_id=f"person-{i:03d}",
            role=ParticipantRole.MENTEE if i < 10 else ParticipantRole.MENTOR,
            capacity=0 if i < 10 else 2,
        )
        for i in range(13)
    ]
    events += [outcome(i, OutcomeKind.PROMOTION, DURING) for i in range(6)]
    events += [outcome(i, OutcomeKind.PROMOTION, DURING) for i in range(13, 17)]
    events += [outcome(i, OutcomeKind.EXIT, DURING, voluntary=True) for i in range(30, 33)]
    events += [outcome(i, OutcomeKind.PROMOTION, DURING) for i in range(100, 110)]
    return events


async def test_participants_are_compared_with_their_peers_and_small_groups_hidden(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(AnalyticsSettings)
    url = f"/v1/programs/{PROGRAM}/reports/outcomes"
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap, scenario(), prefix=settings.kafka_topic_prefix
        )

        async def report() -> httpx.Response:
            return await client.get(url, headers=ADMIN)

        found = await eventually(
            report,
            lambda r: (
                r.status_code == 200
                and bool(r.json()["groups"])
                and r.json()["groups"][0]["comparison"] == 20
                and r.json()["groups"][0]["rates"][2]["comparison_rate"] == 17 / 20
            ),
            timeout_s=60,
        )
        body = found.json()
        assert (body["period_start"], body["period_end"]) == ("2026-03-01", "2026-09-01")
        mentees, mentors = body["groups"]
        assert (mentees["group"], mentees["shown"], mentees["participants"]) == (
            "mentees",
            True,
            10,
        )
        rates = {rate["measure"]: rate for rate in mentees["rates"]}
        assert (rates["promotion"]["participants_rate"], rates["promotion"]["comparison_rate"]) == (
            0.6,
            0.2,
        )
        assert rates["promotion"]["ci_low"] < 0.4 < rates["promotion"]["ci_high"]
        assert rates["retention"]["difference"] == pytest.approx(0.15)
        assert any("Only 10 mentees" in warning for warning in mentees["warnings"])
        assert (mentors["shown"], mentors["participants"], mentors["rates"]) == (False, None, [])

        exported = await client.get(f"{url}.csv", headers=ADMIN)
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        rows = dict(csv.reader(io.StringIO(exported.text)))
        assert rows["groups[0].participants"] == "10"
        assert rows["groups[1].participants"] == ""
        assert (await client.get(url)).status_code == 401

        impact = await client.get(f"/v1/programs/{PROGRAM}/reports/mentors", headers=ADMIN)
        assert impact.status_code == 200
        assert sorted(m["mentor_participant_id"] for m in impact.json()["mentors"]) == [
            "part-10",
            "part-11",
            "part-12",
        ]
        impact_csv = await client.get(f"/v1/programs/{PROGRAM}/reports/mentors.csv", headers=ADMIN)
        assert "mentors[0].sessions_held,0" in impact_csv.text
        assert "mentors[2].mentor_participant_id,part-12" in impact_csv.text
        assert impact.json()["next_cursor"] is None

        # A page at a time: the next page starts where its cursor says, the last has none.
        mentors = f"/v1/programs/{PROGRAM}/reports/mentors"
        first = (await client.get(mentors, params={"limit": 2}, headers=ADMIN)).json()
        cursor = first["next_cursor"]
        assert len(first["mentors"]) == 2
        assert cursor
        rest = (await client.get(mentors, params={"cursor": cursor}, headers=ADMIN)).json()
        assert rest["next_cursor"] is None
        assert first["mentors"] + rest["mentors"] == impact.json()["mentors"]
        for params, field in (
            ({"limit": 0}, "limit"),
            ({"limit": 1001}, "limit"),
            ({"cursor": "not-ours"}, "cursor"),
            ({"cursor": "fî\U000f68afÇÖ"}, "cursor"),
            ({"cursor": cursor.replace(cursor[:4], "AAAA")}, "cursor"),
        ):
            refused = await client.get(mentors, params=params, headers=ADMIN)
            assert refused.status_code == 422, params
            assert field in refused.text, refused.text
