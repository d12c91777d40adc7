"""The use cases over fake service APIs: what the pages get, how refusals come back."""

from __future__ import annotations

from typing import Any

import pytest

from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError, RuleError
from portal.adapters.api import ServiceUnavailable, SignInRequired
from portal.adapters.services import (
    ExportApi,
    FeedbackApi,
    MatchingApi,
    NotificationsApi,
    RegistrationApi,
    SchedulingApi,
)
from portal.domain.models import Series
from portal.usecases.participant import (
    Caller,
    ParticipantPortal,
    PreferencesRefused,
    RegistrationRefused,
)

CALLER = Caller(subject="e-1", name="Ada", email="ada@example.com", token="t")
QUESTIONNAIRE = {
    "version": 2,
    "questions": [
        {
            "key": "role",
            "prompt": "Role?",
            "kind": "single_choice",
            "required": True,
            "choices": [{"key": "mentor", "label": "Mentor"}, {"key": "mentee", "label": "Mentee"}],
        },
        {
            "key": "capacity",
            "prompt": "How many?",
            "kind": "number",
            "integer": True,
            "show_if": {"question": "role", "any_of": ["mentor"]},
        },
    ],
}


class FakeClient:
    """Answers API calls from a table; records what was sent."""

    def __init__(self, name: str, answers: dict[tuple[str, str], Any]) -> None:
        self.name = name
        self.answers = answers
        self.sent: list[tuple[str, str, Any]] = []

    async def call(self, method: str, path: str, token: str, **kwargs: Any) -> Any:
        assert token == CALLER.token
        self.sent.append((method, path, kwargs.get("json")))
        answer = self.answers[(method, path)]
        if isinstance(answer, Exception):
            raise answer
        return answer


def portal_with(
    registration: FakeClient,
    others: list[FakeClient] | None = None,
    *,
    matching: FakeClient | None = None,
    scheduling: FakeClient | None = None,
    feedback: FakeClient | None = None,
    notifications: FakeClient | None = None,
) -> ParticipantPortal:
    empty = FakeClient("empty", {})
    return ParticipantPortal(
        RegistrationApi(registration),  # type: ignore[arg-type]
        MatchingApi(matching or empty),  # type: ignore[arg-type]
        SchedulingApi(scheduling or empty),  # type: ignore[arg-type]
        FeedbackApi(feedback or empty),  # type: ignore[arg-type]
        ExportApi(others or []),  # type: ignore[arg-type]
        notifications=NotificationsApi(notifications or empty),  # type: ignore[arg-type]
    )


async def test_registering_sends_the_answers_the_questionnaire_reads() -> None:
    registration = FakeClient(
        "registration",
        {
            ("GET", "/v1/programs/p-1/questionnaire"): QUESTIONNAIRE,
            ("POST", "/v1/programs/p-1/registrations"): {
                "participant_id": "pa-1",
                "program_id": "p-1",
                "employee_id": "e-1",
                "name": "Ada",
                "email": "ada@example.com",
                "status": "registered",
                "role": "mentee",
                "registered_at": "2026-12-01T10:00:00Z",
            },
        },
    )
    form = {"answers.role": ["mentee"], "answers.capacity": ["4"], "preferred_mentors": ["m-2", ""]}
    await portal_with(registration).register(CALLER, "p-1", form, {"name": " ", "email": ""})
    _, _, body = registration.sent[-1]
    assert body == {
        "name": "Ada",
        "email": "ada@example.com",
        "answers": {"role": "mentee"},
        "preferred_mentors": ["m-2"],
    }


async def test_the_services_refusals_come_back_by_field() -> None:
    refusal = InvalidInputError(
        [("body.answers.capacity", "must be at most 5"), ("body.email", "not an e-mail")]
    )
    registration = FakeClient(
        "registration",
        {
            ("GET", "/v1/programs/p-1/questionnaire"): QUESTIONNAIRE,
            ("POST", "/v1/programs/p-1/registrations"): refusal,
        },
    )
    with pytest.raises(RegistrationRefused) as refused:
        await portal_with(registration).register(
            CALLER, "p-1", {"answers.role": ["mentor"], "answers.capacity": ["9"]}, {}
        )
    assert refused.value.by_field == {"capacity": "must be at most 5", "email": "not an e-mail"}


async def test_unreadable_numbers_are_refused_before_any_call() -> None:
    registration = FakeClient(
        "registration", {("GET", "/v1/programs/p-1/questionnaire"): QUESTIONNAIRE}
    )
    with pytest.raises(RegistrationRefused) as refused:
        await portal_with(registration).register(
            CALLER, "p-1", {"answers.role": ["mentor"], "answers.capacity": ["two"]}, {}
        )
    assert refused.value.by_field == {"capacity": "number"}
    assert [sent[0] for sent in registration.sent] == ["GET"]


async def test_the_export_bundles_what_each_service_answers_and_names_the_others() -> None:
    registration = FakeClient(
        "registration",
        {
            ("GET", "/v1/me/export"): {"registrations": []},
        },
    )
    matching = FakeClient("matching", {("GET", "/v1/me/export"): {"pairs": [{"pair_id": "x"}]}})
    feedback = FakeClient("feedback", {("GET", "/v1/me/export"): ServiceUnavailable("f", "down")})
    analytics = FakeClient("analytics", {("GET", "/v1/me/export"): RuleError("x", "no")})
    portal = portal_with(registration, [registration, matching, feedback, analytics])
    bundle = await portal.export(CALLER)
    assert bundle.services == {
        "registration": {"registrations": []},
        "matching": {"pairs": [{"pair_id": "x"}]},
    }
    assert bundle.unavailable == {"feedback": "unavailable", "analytics": "unavailable"}


async def test_a_service_down_is_named_not_replaced_by_other_api_calls() -> None:
    registration = FakeClient(
        "registration", {("GET", "/v1/me/export"): ServiceUnavailable("registration", "down")}
    )
    scheduling = FakeClient(
        "scheduling", {("GET", "/v1/me/export"): ServiceUnavailable("scheduling", "down")}
    )
    portal = portal_with(registration, [registration, scheduling], scheduling=scheduling)
    bundle = await portal.export(CALLER)
    assert bundle.services == {}
    assert bundle.unavailable == {"registration": "unavailable", "scheduling": "unavailable"}
    assert registration.sent == [("GET", "/v1/me/export", None)]
    assert scheduling.sent == [("GET", "/v1/me/export", None)]


async def test_asking_for_erasure_files_the_request_and_reads_it_back() -> None:
    request = {"request_id": "erq-1", "requested_at": "2026-12-03T15:00:00Z", "person_id": "x"}
    registration = FakeClient(
        "registration",
        {
            ("POST", "/v1/me/erasure-requests"): request,
            ("GET", "/v1/me/erasure-requests"): {"request": request},
        },
    )
    portal = portal_with(registration)
    filed = await portal.request_erasure(CALLER)
    assert filed.request_id == "erq-1"
    mine = await portal.erasure_request(CALLER)
    assert mine is not None
    assert mine.requested_at.isoformat() == "2026-12-03T15:00:00+00:00"
    assert [sent[:2] for sent in registration.sent] == [
        ("POST", "/v1/me/erasure-requests"),
        ("GET", "/v1/me/erasure-requests"),
    ]
    nothing = FakeClient("registration", {("GET", "/v1/me/erasure-requests"): {"request": None}})
    assert await portal_with(nothing).erasure_request(CALLER) is None


async def test_an_expired_sign_in_is_not_hidden_in_the_export() -> None:
    expired = FakeClient("registration", {("GET", "/v1/me/export"): SignInRequired("expired")})
    with pytest.raises(SignInRequired):
        await portal_with(expired, [expired]).export(CALLER)


PROGRAM = {
    "program_id": "p-1",
    "name": "Pilot",
    "goal": "other",
    "format": "one_on_one",
    "cadence": "weekly",
    "starts_on": "2027-01-04",
    "ends_on": "2027-07-02",
    "registration_status": "open",
    "registration_opens_at": "2026-12-01T00:00:00Z",
    "registration_closes_at": "2027-01-01T00:00:00Z",
    "matching_mode": "mentee_choice",
}
MY_REGISTRATION = {
    "participant_id": "pa-1",
    "program_id": "p-1",
    "employee_id": "e-1",
    "name": "Ada",
    "email": "ada@example.com",
    "department": "design",
    "manager_employee_id": "e-boss",
    "status": "active",
    "role": "mentee",
    "answers": {"role": "mentee", "skills_to_grow": ["python"]},
    "preferred_mentors": ["m-1"],
    "registered_at": "2026-12-01T10:00:00Z",
}
SERIES = {
    "pair_id": "grp-1",
    "program_id": "p-1",
    "members": [
        {"participant_id": "pa-1", "role": "mentee"},
        {"participant_id": "m-1", "role": "mentor"},
    ],
    "time_zone": "UTC",
    "ended": False,
    "sessions": [],
}


def test_a_series_names_its_mentees_in_order_and_knows_its_mentor() -> None:
    pair = Series.model_validate(SERIES)
    group = Series.model_validate(
        SERIES
        | {
            "members": [
                {"participant_id": "pa-2", "role": "mentee"},
                {"participant_id": "m-1", "role": "mentor"},
                {"participant_id": "pa-1", "role": "mentee"},
            ]
        }
    )

    assert pair.mentee_ids == ["pa-1"]
    assert not pair.is_group
    assert group.mentee_ids == ["pa-2", "pa-1"]
    assert group.is_group
    assert group.is_mentor("m-1")
    assert not group.is_mentor("pa-1")  # a mentee
    assert not group.is_mentor("x-9")  # not a member
    assert not group.is_mentor(None)  # not registered


def matched(pair_id: str, group_id: str | None = None) -> dict[str, Any]:
    return {
        "pair_id": pair_id,
        "program_id": "p-1",
        "group_id": group_id,
        "participant_id": "pa-1",
        "role": "mentee",
        "partner_participant_ids": ["m-1"],
        "score": 4.0,
        "contributions": {"skills": 3.0, "time_zone": 1.0},
        "weights": {"skills": 3.0, "time_zone": 1.0},
        "status": "active",
        "created_at": "2027-01-05T10:00:00Z",
    }


MENTOR_PROFILE = {
    "participant_id": "m-1",
    "program_id": "p-1",
    "role": "mentor",
    "name": "Grace Hopper",
    "title": "Principal Engineer",
    "department": "Platform",
    "in_directory": True,
    "skills_offered": ["leadership"],
    "skills_wanted": [],
    "goals_achieved": ["promotion"],
    "goals_wanted": [],
    "interests": [],
    "languages": ["en"],
}


def pair_page_clients(matching_answer: Any, profile: Any = MENTOR_PROFILE) -> dict[str, FakeClient]:
    registration = FakeClient(
        "registration",
        {
            ("GET", "/v1/programs/p-1"): PROGRAM,
            ("GET", "/v1/programs/p-1/registrations/me"): MY_REGISTRATION,
            ("GET", "/v1/programs/p-1/questionnaire"): QUESTIONNAIRE,
            ("GET", "/v1/participants/m-1/profile"): profile,
            ("GET", "/v1/participants/pa-1/profile"): ForbiddenError("nobody's own partner"),
        },
    )
    feedback = FakeClient(
        "feedback",
        {
            ("GET", "/v1/pairs/grp-1/agreement"): NotFoundError("none"),
            ("GET", "/v1/pairs/grp-1/next-agenda"): NotFoundError("none"),
            ("GET", "/v1/pairs/grp-1/fit"): {"answers": []},
            ("GET", "/v1/pairs/grp-1/goals"): {"goals": []},
        },
    )
    return {
        "registration": registration,
        "matching": FakeClient("matching", {("GET", "/v1/me/pairs"): matching_answer}),
        "scheduling": FakeClient("scheduling", {("GET", "/v1/pairs/grp-1/sessions"): SERIES}),
        "feedback": feedback,
    }


async def test_my_match_carries_matchings_explanation_of_this_series_only() -> None:
    answer = {"pairs": [matched("pair-9"), matched("pair-2", group_id="grp-1")]}
    clients = pair_page_clients(answer)
    portal = portal_with(
        clients["registration"],
        matching=clients["matching"],
        scheduling=clients["scheduling"],
        feedback=clients["feedback"],
    )
    page = await portal.pair(CALLER, "grp-1", with_match=True)
    assert page.matches is not None
    assert [m.pair_id for m in page.matches] == ["pair-2"]
    assert page.labels == {"mentor": "Mentor", "mentee": "Mentee"}
    without = await portal.pair(CALLER, "grp-1")
    assert without.matches is None
    assert ("GET", "/v1/me/pairs", None) in clients["matching"].sent


async def test_my_match_shows_who_the_others_are_but_not_me() -> None:
    clients = pair_page_clients({"pairs": []})
    portal = portal_with(
        clients["registration"],
        matching=clients["matching"],
        scheduling=clients["scheduling"],
        feedback=clients["feedback"],
    )
    page = await portal.pair(CALLER, "grp-1", with_match=True)
    profile = page.profiles["m-1"]
    assert profile is not None
    assert (profile.name, profile.title, profile.department) == (
        "Grace Hopper",
        "Principal Engineer",
        "Platform",
    )
    assert profile.offers == ("leadership", "promotion")
    assert list(page.profiles) == ["m-1"]  # not mine
    assert (await portal.pair(CALLER, "grp-1")).profiles == {}


@pytest.mark.parametrize(
    "refusal",
    [ForbiddenError("not paired yet"), NotFoundError("erased"), ServiceUnavailable("r", "down")],
)
async def test_my_match_opens_without_a_profile_registration_cannot_show(
    refusal: Exception,
) -> None:
    clients = pair_page_clients({"pairs": []}, profile=refusal)
    portal = portal_with(
        clients["registration"],
        matching=clients["matching"],
        scheduling=clients["scheduling"],
        feedback=clients["feedback"],
    )
    page = await portal.pair(CALLER, "grp-1", with_match=True)
    assert page.profiles == {"m-1": None}


async def test_my_match_still_opens_when_matching_does_not_answer() -> None:
    clients = pair_page_clients(ServiceUnavailable("matching", "down"))
    portal = portal_with(
        clients["registration"],
        matching=clients["matching"],
        scheduling=clients["scheduling"],
        feedback=clients["feedback"],
    )
    page = await portal.pair(CALLER, "grp-1", with_match=True)
    assert page.matches is None
    assert page.series.pair_id == "grp-1"


async def test_choosing_mentors_keeps_the_registration_and_sends_the_picks_in_order() -> None:
    registration = FakeClient(
        "registration",
        {
            ("GET", "/v1/programs/p-1/registrations/me"): MY_REGISTRATION,
            ("POST", "/v1/programs/p-1/registrations"): MY_REGISTRATION,
        },
    )
    await portal_with(registration).save_picks(CALLER, "p-1", ["m-3", "", "m-1", "m-3"])
    _, _, body = registration.sent[-1]
    assert body == {
        "name": "Ada",
        "email": "ada@example.com",
        "department": "design",
        "manager_employee_id": "e-boss",
        "answers": {"role": "mentee", "skills_to_grow": ["python"]},
        "preferred_mentors": ["m-3", "m-1"],
    }


async def test_the_mentors_page_waits_for_matching_to_know_the_mentee() -> None:
    registration = FakeClient(
        "registration",
        {
            ("GET", "/v1/programs/p-1"): PROGRAM,
            ("GET", "/v1/programs/p-1/registrations/me"): MY_REGISTRATION,
            ("GET", "/v1/programs/p-1/questionnaire"): QUESTIONNAIRE,
        },
    )
    not_yet = FakeClient(
        "matching", {("GET", "/v1/programs/p-1/candidates"): ForbiddenError("not in the pool")}
    )
    choice = await portal_with(registration, matching=not_yet).mentor_choice(CALLER, "p-1")
    assert choice.candidates is None
    assert choice.registration is not None
    candidates = {
        "program_id": "p-1",
        "mentee_participant_id": "pa-1",
        "picks": ["m-1"],
        "max_score": 10.0,
        "weights": {"skills": 3.0},
        "total": 1,
        "excluded": 2,
        "candidates": [
            {
                "mentor_participant_id": "m-1",
                "score": 3.0,
                "fit": 0.3,
                "contributions": {"skills": 3.0},
                "room": 1,
                "pick_rank": 1,
                "in_common": {"skills": ["python"]},
                "offer": {"skills_offered": ["python"], "time_zone": "UTC"},
            }
        ],
    }
    known = FakeClient("matching", {("GET", "/v1/programs/p-1/candidates"): candidates})
    choice = await portal_with(registration, matching=known).mentor_choice(CALLER, "p-1")
    assert choice.candidates is not None
    assert [c.mentor_participant_id for c in choice.candidates.candidates] == ["m-1"]
    assert [c.pick_rank for c in choice.candidates.candidates] == [1]

    # Just after she saved "m-3" then "m-1", matching may still know only her old picks:
    # registration's (the ones she just saved) are shown.
    repicked = FakeClient(
        "registration",
        {
            ("GET", "/v1/programs/p-1"): PROGRAM,
            ("GET", "/v1/programs/p-1/registrations/me"): MY_REGISTRATION
            | {"preferred_mentors": ["m-3", "m-1"]},
            ("GET", "/v1/programs/p-1/questionnaire"): QUESTIONNAIRE,
        },
    )
    choice = await portal_with(repicked, matching=known).mentor_choice(CALLER, "p-1")
    assert choice.candidates is not None
    assert choice.candidates.picks == ("m-3", "m-1")
    assert [c.pick_rank for c in choice.candidates.candidates] == [2]


async def test_home_offers_the_surveys_feedback_says_are_open() -> None:
    registration = FakeClient(
        "registration",
        {
            ("GET", "/v1/programs"): {"programs": [PROGRAM, PROGRAM | {"program_id": "p-2"}]},
            ("GET", "/v1/programs/p-1/registrations/me"): MY_REGISTRATION,
            ("GET", "/v1/programs/p-2/registrations/me"): MY_REGISTRATION | {"program_id": "p-2"},
        },
    )
    scheduling = FakeClient("scheduling", {("GET", "/v1/me/sessions"): {"sessions": []}})
    offer = {
        "kind": "mid_program",
        "opens_at": "2027-04-03T00:00:00+02:00",
        "closes_at": "2027-08-02T00:00:00+02:00",
        "status": "open",
        "answered": False,
    }
    feedback = FakeClient(
        "feedback",
        {
            ("GET", "/v1/programs/p-1/surveys"): {"program_id": "p-1", "surveys": [offer]},
            ("GET", "/v1/programs/p-2/surveys"): RuleError("program_not_known", "not yet"),
        },
    )
    home = await portal_with(registration, scheduling=scheduling, feedback=feedback).home(CALLER)
    assert [s.kind for s in home.surveys["p-1"]] == ["mid_program"]
    assert home.surveys["p-1"][0].open
    assert str(home.surveys["p-1"][0].last_day) == "2027-08-01"
    assert home.surveys["p-2"] == []


HELD_SESSION = {
    "session_id": "s-1",
    "pair_id": "pair-1",
    "program_id": "p-1",
    "sequence": 1,
    "participant_ids": ["pa-1", "m-1"],
    "starts_at": "2026-12-01T10:00:00Z",
    "ends_at": "2026-12-01T11:00:00Z",
    "duration_minutes": 60,
    "status": "held",
}


@pytest.mark.parametrize(
    ("answer", "owed"),
    [
        ({"feedback": []}, True),
        (ServiceUnavailable("feedback", "ReadTimeout"), False),
        (RuleError("session_not_known", "not yet"), False),
    ],
)
async def test_home_asks_for_feedback_only_when_feedback_can_tell(answer: Any, owed: bool) -> None:
    registration = FakeClient(
        "registration",
        {
            ("GET", "/v1/programs"): {"programs": [PROGRAM]},
            ("GET", "/v1/programs/p-1/registrations/me"): MY_REGISTRATION,
        },
    )
    scheduling = FakeClient(
        "scheduling", {("GET", "/v1/me/sessions"): {"sessions": [HELD_SESSION]}}
    )
    feedback = FakeClient(
        "feedback",
        {
            ("GET", "/v1/sessions/s-1/feedback"): answer,
            ("GET", "/v1/programs/p-1/surveys"): ServiceUnavailable("feedback", "ReadTimeout"),
        },
    )
    home = await portal_with(registration, scheduling=scheduling, feedback=feedback).home(CALLER)
    [pair] = home.pairs
    assert (pair.feedback_owed is not None) is owed


PREFERENCES = "/v1/me/notification-preferences"
STORED = {
    "person_id": "e-1",
    "language": "fr",
    "time_zone": None,
    "channels": {"match": ["email", "slack"], "survey_open": ["slack"]},
    "quiet_hours": {"start": "21:00:00", "end": "07:30:00"},
    "cadence": {"session_follow_up": "daily_digest"},
    "unsubscribed": ["invitation_reminder"],
    "updated_at": "2026-12-01T10:00:00Z",
}


async def test_the_preferences_form_shows_the_stored_choices_and_the_defaults() -> None:
    notifications = FakeClient("notifications", {("GET", PREFERENCES): STORED})
    form = await portal_with(
        FakeClient("r", {}), notifications=notifications
    ).notification_preferences(CALLER)
    kinds = {choice.kind: choice for choice in form.kinds}
    assert (kinds["match"].email, kinds["match"].chat) == (True, True)
    assert (kinds["survey_open"].email, kinds["survey_open"].chat) == (False, True)
    assert (kinds["invitation_reminder"].email, kinds["invitation_reminder"].chat) == (False, False)
    assert (kinds["session_reminder"].email, kinds["session_reminder"].chat) == (True, False)
    assert kinds["session_follow_up"].digest
    assert not kinds["fit_question"].digest
    assert kinds["session_invitation"].email_required
    assert not kinds["match"].digestible
    assert (form.language, form.quiet_start, form.quiet_end) == ("fr", "21:00", "07:30")


async def test_saving_preferences_sends_channels_stops_digests_and_quiet_hours() -> None:
    notifications = FakeClient("notifications", {("PUT", PREFERENCES): STORED})
    form = {
        "match.email": ["on"],
        "match.chat": ["on"],
        "session_reminder.chat": ["on"],
        "survey_open.email": ["on"],
        "survey_open.digest": ["on"],
        "session_invitation.chat": ["on"],
        "session_invitation.email": [],
        "language": ["en"],
        "time_zone": [" Europe/Paris "],
        "quiet_start": ["22:00"],
        "quiet_end": ["07:00"],
    }
    await portal_with(
        FakeClient("r", {}), notifications=notifications
    ).save_notification_preferences(CALLER, form)
    method, path, body = notifications.sent[-1]
    assert (method, path) == ("PUT", PREFERENCES)
    assert body["channels"] == {
        "match": ["email", "slack"],
        "session_reminder": ["slack"],
        "survey_open": ["email"],
        "session_invitation": ["email", "slack"],
    }
    assert body["unsubscribed"] == [
        "invitation",
        "invitation_reminder",
        "registration_confirmed",
        "session_follow_up",
        "fit_question",
        "pair_ended",
        "pair_nudge",
        "mentor_recognized",
        "rater_invitation",
    ]
    assert body["cadence"]["survey_open"] == "daily_digest"
    assert body["cadence"]["fit_question"] == "immediate"
    assert "match" not in body["cadence"]
    assert body["quiet_hours"] == {"start": "22:00", "end": "07:00"}
    assert (body["language"], body["time_zone"]) == ("en", "Europe/Paris")


async def test_the_services_refusal_of_preferences_comes_back_by_form_field() -> None:
    refusal = InvalidInputError(
        [
            ("body.time_zone", "unknown IANA time zone 'Mars/Base'"),
            ("body.quiet_hours.end", "quiet hours must not start when they end"),
            ("body.channels.match", "choose email or slack"),
        ]
    )
    notifications = FakeClient("notifications", {("PUT", PREFERENCES): refusal})
    with pytest.raises(PreferencesRefused) as refused:
        await portal_with(
            FakeClient("r", {}), notifications=notifications
        ).save_notification_preferences(
            CALLER, {"time_zone": ["Mars/Base"], "quiet_start": ["08:00"], "quiet_end": ["08:00"]}
        )
    assert refused.value.by_field == {
        "time_zone": "unknown IANA time zone 'Mars/Base'",
        "quiet_end": "quiet hours must not start when they end",
        "match": "choose email or slack",
    }
    assert refused.value.form.time_zone == "Mars/Base"


async def test_half_given_or_unreadable_quiet_hours_are_refused_before_asking() -> None:
    notifications = FakeClient("notifications", {})
    portal = portal_with(FakeClient("r", {}), notifications=notifications)
    with pytest.raises(PreferencesRefused) as half:
        await portal.save_notification_preferences(CALLER, {"quiet_start": ["22:00"]})
    assert set(half.value.by_field) == {"quiet_end"}
    with pytest.raises(PreferencesRefused) as unreadable:
        await portal.save_notification_preferences(
            CALLER, {"quiet_start": ["25:00"], "quiet_end": ["07:00"], "language": ["de"]}
        )
    assert set(unreadable.value.by_field) == {"quiet_start", "language"}
    assert notifications.sent == []
