"""The right of access: `GET /v1/me/export` gives a person the read-model documents naming them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from analytics.app import build_app
from analytics.domain.documents import MeetingLink, MentorFact, PersonFacts
from analytics.domain.facts import directory_key, person_key
from analytics.entrypoints.http.export import AnalyticsExport
from analytics.settings import AnalyticsSettings
from analytics.usecases.export import PersonalData
from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import (
    DirectoryPersonChanged,
    DirectoryPersonErased,
    GoalProgressUpdated,
    InvitationSent,
    MatchingRunProposed,
    OutcomeRecorded,
    PairCreated,
    PairingFitReported,
    ParticipantErased,
    ParticipantRegistered,
    ProgramCreated,
    SessionCompleted,
    SessionFeedbackSubmitted,
    SkillLevel,
    SkillsAssessed,
    SurveyResponseSubmitted,
    UnmatchedParticipant,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import (
    AssessmentMoment,
    OutcomeKind,
    ParticipantRole,
    RaterKind,
    Seniority,
    UnmatchedReason,
)
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, dev_person_id, participant_token

PROGRAM = "prog-export"
EMPLOYEES = {"ada": "e-ada", "grace": "e-grace", "bob": "e-bob"}
SECTIONS = {
    "directory",
    "invitations",
    "participations",
    "pairs",
    "session_ratings",
    "fit_answers",
    "goals",
    "unmatched",
    "skills_assessments",
    "outcomes",
    "mentor_impact",
    "kept_without_you",
}


def registered(participant_id: str, role: ParticipantRole) -> ParticipantRegistered:
    return example(
        ParticipantRegistered,
        participant_id=participant_id,
        program_id=PROGRAM,
        person_id=dev_person_id(EMPLOYEES[participant_id]),
        role=role,
        capacity=1 if role is ParticipantRole.MENTOR else 0,
        choice_answers={"seniority": ("associate",)},
    )


def history() -> list[IntegrationEvent]:
    return [
        example(ProgramCreated, program_id=PROGRAM),
        example(
            DirectoryPersonChanged,
            person_id=dev_person_id(EMPLOYEES["ada"]),
            manager_person_id=dev_person_id(EMPLOYEES["grace"]),
            version=3,
            department="engineering",
            seniority=Seniority.SENIOR,
        ),
        example(
            OutcomeRecorded,
            outcome_id="out-ada",
            person_id=dev_person_id(EMPLOYEES["ada"]),
            kind=OutcomeKind.PROMOTION,
            occurred_on=date(2026, 5, 1),
        ),
        example(
            OutcomeRecorded,
            outcome_id="out-bob",
            person_id=dev_person_id(EMPLOYEES["bob"]),
            kind=OutcomeKind.EXIT,
            occurred_on=date(2026, 5, 2),
        ),
        example(
            InvitationSent,
            invitation_id="inv-ada",
            program_id=PROGRAM,
            person_id=dev_person_id(EMPLOYEES["ada"]),
            department="engineering",
        ),
        registered("ada", ParticipantRole.MENTEE),
        registered("grace", ParticipantRole.MENTOR),
        registered("bob", ParticipantRole.MENTEE),
        example(
            MatchingRunProposed,
            run_id="run-1",
            program_id=PROGRAM,
            pairs=(),
            unmatched=(
                UnmatchedParticipant(
                    participant_id="bob",
                    role=ParticipantRole.MENTEE,
                    reason=UnmatchedReason.CAPACITY_EXHAUSTED,
                ),
            ),
        ),
        example(
            PairCreated,
            pair_id="pair-1",
            program_id=PROGRAM,
            mentor_participant_id="grace",
            mentee_participant_id="ada",
            mentor_person_id=dev_person_id(EMPLOYEES["grace"]),
            mentee_person_id=dev_person_id(EMPLOYEES["ada"]),
        ),
        example(
            SessionCompleted,
            session_id="pair-1.s001",
            pair_id="pair-1",
            program_id=PROGRAM,
            participant_ids=("grace", "ada"),
            duration_minutes=50,
        ),
        example(
            SessionFeedbackSubmitted,
            feedback_id="fb-1",
            session_id="pair-1.s001",
            pair_id="pair-1",
            program_id=PROGRAM,
            participant_id="ada",
            author_role=ParticipantRole.MENTEE,
            rating=5,
        ),
        example(
            PairingFitReported,
            pair_id="pair-1",
            program_id=PROGRAM,
            participant_id="ada",
            author_role=ParticipantRole.MENTEE,
            good_fit=True,
        ),
        example(
            GoalProgressUpdated,
            goal_id="goal-1",
            pair_id="pair-1",
            program_id=PROGRAM,
            participant_id="ada",
            progress_percent=100,
            completed=True,
        ),
        example(
            SkillsAssessed,
            assessment_id="sa-ada-peers",
            program_id=PROGRAM,
            participant_id="ada",
            rater_kind=RaterKind.PEER,
            moment=AssessmentMoment.END,
            levels=(SkillLevel(skill="delegation", level=3.67),),
            raters=3,
        ),
        example(
            SurveyResponseSubmitted,
            response_id="sr-1",
            program_id=PROGRAM,
            participant_id="ada",
        ),
    ]


def as_person(participant_id: str) -> dict[str, str]:
    return bearer(participant_token(EMPLOYEES[participant_id]))


@pytest.mark.integration
async def test_a_participant_exports_the_documents_naming_them_and_nothing_after_erasure(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(AnalyticsSettings)
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap, history(), prefix=settings.kafka_topic_prefix
        )

        async def export_of(participant_id: str) -> dict[str, Any]:
            response = await client.get("/v1/me/export", headers=as_person(participant_id))
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        ada = await eventually(
            lambda: export_of("ada"),
            lambda body: (
                len(body["sections"]["goals"]["items"]) == 1
                and len(body["sections"]["fit_answers"]["items"]) == 1
            ),
        )
        assert ada["service"] == "analytics"
        assert ada["subject"] == {
            "person_id": dev_person_id(EMPLOYEES["ada"]),
            "participant_ids": ["ada"],
        }
        sections = ada["sections"]
        assert set(sections) == SECTIONS
        assert all(section["description"] for section in sections.values())
        (participation,) = sections["participations"]["items"]
        assert participation["answers"] == {"seniority": ["associate"]}
        assert participation["role"] == "mentee"
        (pair,) = sections["pairs"]["items"]
        assert (pair["pair_id"], pair["role"]) == ("pair-1", "mentee")
        assert [r["rating"] for r in sections["session_ratings"]["items"]] == [5]
        assert sections["fit_answers"]["items"][0]["good_fit"] is True
        assert sections["unmatched"]["items"] == []
        assert sections["kept_without_you"]["items"] == []
        assert "survey" in sections["kept_without_you"]["description"].lower()
        (entry,) = sections["directory"]["items"]
        assert entry["version"] == 3
        assert entry["manager_key"] == directory_key(dev_person_id(EMPLOYEES["grace"]))
        assert (entry["department"], entry["seniority"]) == ("engineering", "senior")
        (skills,) = sections["skills_assessments"]["items"]
        assert (skills["rater_kind"], skills["raters"], skills["levels"]) == (
            "peer",
            3,
            {"delegation": 3.67},
        )
        (outcome,) = sections["outcomes"]["items"]
        assert (outcome["kind"], outcome["occurred_on"]) == ("promotion", "2026-05-01")
        (invitation,) = sections["invitations"]["items"]
        assert (invitation["invitation_id"], invitation["department"]) == (
            "inv-ada",
            "engineering",
        )

        assert sections["mentor_impact"]["items"] == []  # a mentee has no mentor figures
        grace = await eventually(
            lambda: export_of("grace"),
            lambda body: (
                [
                    (m["sessions_held"], m["ratings"], m["goals_completed"])
                    for m in body["sections"]["mentor_impact"]["items"]
                ]
                == [(1, 1, 1)]
            ),
        )
        # Her row of the mentor impact view: one mentee rated, so the average stays hidden.
        assert grace["sections"]["mentor_impact"]["items"] == [
            {
                "program_id": PROGRAM,
                "mentor_participant_id": "grace",
                "mentees": 1,
                "sessions_held": 1,
                "hours": 0.83,
                "average_rating": None,
                "average_rating_hidden": True,
                "ratings": 1,
                "goals_completed": 1,
                "goals": 1,
                "skills_growth": None,
                "skills_growth_mentees": None,
                "skills_growth_hidden": False,
            }
        ]
        others = {
            *(person_key(participant) for participant in ("ada", "bob")),
            *(directory_key(dev_person_id(EMPLOYEES[p])) for p in ("ada", "bob")),
            *(dev_person_id(EMPLOYEES[p]) for p in ("ada", "bob")),
            '"ada"',
            '"bob"',
        }
        grace_text = json.dumps(grace)
        assert [key for key in others if key in grace_text] == []
        assert grace["sections"]["pairs"]["items"][0]["role"] == "mentor"
        assert grace["sections"]["session_ratings"]["items"] == []
        assert grace["sections"]["directory"]["items"] == []
        assert grace["sections"]["invitations"]["items"] == []
        assert grace["sections"]["skills_assessments"]["items"] == []
        assert grace["sections"]["outcomes"]["items"] == []
        bob = await export_of("bob")
        assert bob["sections"]["mentor_impact"]["items"] == []
        (left_out,) = bob["sections"]["unmatched"]["items"]
        assert (left_out["run_id"], left_out["reason"]) == ("run-1", "capacity_exhausted")
        assert (
            await client.get("/v1/me/export", headers=bearer(DEV_ADMIN_TOKEN))
        ).status_code == 403

        erased = example(
            ParticipantErased,
            participant_id="ada",
            program_id=PROGRAM,
            person_id=dev_person_id(EMPLOYEES["ada"]),
        )
        await publish_events(settings.kafka_bootstrap, [erased], prefix=settings.kafka_topic_prefix)
        gone = await eventually(
            lambda: export_of("ada"),
            lambda body: not body["sections"]["participations"]["items"],
        )
        by_registration = SECTIONS - {"directory", "invitations", "outcomes"}
        assert all(not gone["sections"][name]["items"] for name in by_registration)
        # The directory entry and the invitations are the organisation's, not the program's:
        # they outlive a withdrawal's erasure, and go with the directory's erasure.
        assert len(gone["sections"]["invitations"]["items"]) == 1
        assert len(gone["sections"]["directory"]["items"]) == 1
        await publish_events(
            settings.kafka_bootstrap,
            [example(DirectoryPersonErased, person_id=dev_person_id(EMPLOYEES["ada"]))],
            prefix=settings.kafka_topic_prefix,
        )
        forgotten = await eventually(
            lambda: export_of("ada"),
            lambda body: not body["sections"]["directory"]["items"],
        )
        # Her invitations and HRIS outcomes, kept under her person key, go in the same
        # transaction; others' stay.
        assert forgotten["sections"]["invitations"]["items"] == []
        assert forgotten["sections"]["outcomes"]["items"] == []
        (kept,) = (await export_of("bob"))["sections"]["outcomes"]["items"]
        assert kept["kind"] == "exit"


def _mentor(key: str, program_id: str, raters: list[str]) -> MentorFact:
    """A listed mentor with a meeting per rater, each holding one session rated 4 (the first 2)."""
    mentor = MentorFact(
        id=key,
        program_id=program_id,
        profile={key: f"part-{key}"},
        pairs={f"pair-{rater}": rater for rater in raters},
        meetings={
            f"pair-{rater}": MeetingLink(
                held=1, minutes=60, ratings=1, rating_sum=2 if i == 0 else 4, raters=(rater,)
            )
            for i, rater in enumerate(raters)
        },
    )
    mentor.settle()
    return mentor


def test_a_mentors_export_shows_the_impact_views_figures_and_never_a_mentee() -> None:
    """Five raters show the average; four keep it hidden; the mentees' keys stay out."""
    five = [person_key(f"mentee-{i}") for i in range(5)]
    four = [person_key(f"other-{i}") for i in range(4)]
    facts = PersonFacts(
        person_id="person-1",
        mentors=[_mentor("key-a", "prog-a", five), _mentor("key-b", "prog-b", four)],
    )
    document = AnalyticsExport.of(PersonalData(datetime(2026, 12, 5, tzinfo=UTC), facts))
    shown, hidden = (item.model_dump() for item in document.sections.mentor_impact.items)
    assert (shown["program_id"], shown["mentor_participant_id"]) == ("prog-a", "part-key-a")
    assert (shown["average_rating"], shown["average_rating_hidden"]) == (3.6, False)
    assert (shown["sessions_held"], shown["hours"], shown["mentees"]) == (5, 5.0, 5)
    assert (hidden["program_id"], hidden["ratings"]) == ("prog-b", 4)
    assert (hidden["average_rating"], hidden["average_rating_hidden"]) == (None, True)
    text = document.model_dump_json()
    assert [key for key in five + four if key in text] == []
