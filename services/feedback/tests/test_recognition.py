"""Mentor recognition: by a program rule or a manager, once per source, announced with numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feedback.app import build_app
from feedback.domain.recognition import MentorRecord, RecognitionRule, recognize_by_rule
from feedback.settings import FeedbackSettings
from mentorship_contracts import decode
from mentorship_contracts.events import MentorRecognized
from mentorship_contracts.topics import DEVELOPMENT
from mentorship_contracts.types import RecognitionSource
from mentorship_devstack.kafka_tools import publish_events, read_topic
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually

from .scenario import ADMIN, EMPLOYEES, MENTEE, MENTOR, PROGRAM, SESSION, as_person, history

NOW = datetime(2026, 6, 1, tzinfo=UTC)
RULE = RecognitionRule(min_sessions=6, min_average_rating=4.5)


def test_a_rule_recognises_each_mentor_who_meets_it_once() -> None:
    mentors = [
        MentorRecord("m-star", 6, (5, 4, 5)),
        MentorRecord("m-few", 5, (5, 5)),
        MentorRecord("m-low", 8, (4, 4, 5)),
        MentorRecord("m-unrated", 9, ()),
    ]
    first = recognize_by_rule(mentors, RULE, program_id="p", already=set(), now=NOW)
    assert [d.state.participant_id for d in first] == ["m-star"]
    event = first[0].events[0]
    assert isinstance(event, MentorRecognized)
    assert (event.source, event.sessions_held, event.average_rating) == (
        RecognitionSource.RULE,
        6,
        4.67,
    )
    again = recognize_by_rule(
        mentors, RULE, program_id="p", already={first[0].state.recognition_id}, now=NOW
    )
    assert again == []


@pytest.mark.integration
async def test_mentors_are_recognised_by_rule_and_by_manager(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    base = f"/v1/programs/{PROGRAM}/recognitions"
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap, history(), prefix=settings.kafka_topic_prefix
        )
        mentee = as_person(EMPLOYEES[MENTEE])
        await eventually(
            lambda: client.post(
                f"/v1/sessions/{SESSION}/feedback", headers=mentee, json={"rating": 5}
            ),
            lambda r: r.status_code == 200,
        )
        rule = {"min_sessions": 1, "min_average_rating": 4.5}
        assert (await client.post(f"{base}/by-rule", json=rule)).status_code == 401
        first = await client.post(f"{base}/by-rule", headers=ADMIN, json=rule)
        assert first.status_code == 200, first.text
        [recognised] = first.json()["recognitions"]
        assert (recognised["participant_id"], recognised["source"]) == (MENTOR, "rule")
        assert (recognised["sessions_held"], recognised["average_rating"]) == (1, 5.0)
        again = await client.post(f"{base}/by-rule", headers=ADMIN, json=rule)
        assert again.json()["recognitions"] == []

        by_manager = await client.post(base, headers=ADMIN, json={"mentor_participant_id": MENTOR})
        assert by_manager.status_code == 200, by_manager.text
        assert by_manager.json()["source"] == "manager"
        twice = await client.post(base, headers=ADMIN, json={"mentor_participant_id": MENTOR})
        assert twice.json()["recognition_id"] == by_manager.json()["recognition_id"]
        not_a_mentor = await client.post(
            base, headers=ADMIN, json={"mentor_participant_id": MENTEE}
        )
        assert not_a_mentor.status_code == 404
        listed = await client.get(base, headers=ADMIN)
        assert sorted(r["source"] for r in listed.json()["recognitions"]) == ["manager", "rule"]

        records = await read_topic(
            settings.kafka_bootstrap,
            f"{settings.kafka_topic_prefix}{DEVELOPMENT.name}",
            until=lambda found: (
                sum(isinstance(decode(r.value).data, MentorRecognized) for r in found) >= 2
            ),
        )
        recognitions = [
            e for r in records if isinstance(e := decode(r.value).data, MentorRecognized)
        ]
        assert sorted(e.source for e in recognitions) == [
            RecognitionSource.MANAGER,
            RecognitionSource.RULE,
        ]
