"""Feedback's domain decisions, without I/O: each returns the new state and the events it causes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from feedback.domain.development import (
    NewGoal,
    ProgressReport,
    add_goal,
    goal_progress,
    record_progress,
)
from feedback.domain.errors import FeedbackInputError, FeedbackRuleError
from feedback.domain.membership import (
    Membership,
    Participation,
    member_by_participant,
    member_by_person,
)
from feedback.domain.records import Milestone, SkillProgress
from feedback.domain.relationship import (
    AgreementTerms,
    FitAnswer,
    acknowledge_agreement,
    acknowledged_by_all,
    report_fit,
    write_agreement,
)
from feedback.domain.session_feedback import FeedbackAnswers, feedback_id, give_feedback
from feedback.domain.surveys import SurveyAnswers, SurveyStatus, answer_survey, survey_windows
from feedback.domain.topics import check_topics, program_topics
from mentorship_contracts.events import (
    GoalProgressUpdated,
    MilestoneDue,
    PairCreated,
    PairingFitReported,
    ProgramCreated,
    ProgramTopics,
    SessionCompleted,
    SessionFeedbackSubmitted,
    SurveyResponseSubmitted,
)
from mentorship_contracts.examples import MENTEE, MENTOR, example
from mentorship_contracts.types import FitConcern, ParticipantRole, SurveyKind

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
TOPICS = ("public_speaking", "delegation", "promotion")
PAIR = example(PairCreated)
AS_MENTOR = Membership(PAIR, MENTOR, ParticipantRole.MENTOR)
AS_MENTEE = Membership(PAIR, MENTEE, ParticipantRole.MENTEE)
SESSION = example(SessionCompleted)
TERMS = AgreementTerms(
    expectations="Grow as a first-time lead",
    meeting_frequency="Every two weeks",
    confidentiality="What we say stays between us",
)


# ---------------------------------------------------------------- membership


def test_a_person_is_a_member_of_a_pair_by_person_or_participant_id() -> None:
    assert member_by_person(PAIR, PAIR.mentor_person_id) == AS_MENTOR
    assert member_by_person(PAIR, PAIR.mentee_person_id) == AS_MENTEE
    assert member_by_person(PAIR, "person-someone-else") is None
    assert member_by_person(PAIR, None) is None
    assert member_by_participant(PAIR, MENTEE) == AS_MENTEE
    assert member_by_participant(PAIR, "part-other") is None


# ---------------------------------------------------------------- topics


def test_topics_must_be_the_programs_skills_or_goals_each_named_by_its_field() -> None:
    program = example(
        ProgramCreated, topics=ProgramTopics(skills=("public_speaking",), goals=("promotion",))
    )
    assert program_topics(program) == ("public_speaking", "promotion")
    check_topics(TOPICS, {"topics": ["delegation"], "topic": "promotion"})
    with pytest.raises(FeedbackInputError) as refused:
        check_topics(
            TOPICS, {"topics": ["delegation", "knitting"], "topic": "origami", "progress": []}
        )
    assert refused.value.problems == (
        ("topics[1]", "'knitting' is not one of the program's skills or goals"),
        ("topic", "'origami' is not one of the program's skills or goals"),
    )


# ---------------------------------------------------------------- session feedback


def test_feedback_is_announced_without_notes_or_action_items() -> None:
    answers = FeedbackAnswers(
        rating=4,
        topics=("delegation", "public_speaking", "delegation"),
        action_items=("Draft the outline", "Ask for a slot"),
        private_notes="my worry",
        progress=(SkillProgress(topic="delegation", level=2),),
    )
    decision = give_feedback(
        session=SESSION,
        member=AS_MENTEE,
        known_topics=TOPICS,
        answers=answers,
        previous=None,
        now=NOW,
    )
    record = decision.state
    assert record.feedback_id == feedback_id(SESSION.session_id, MENTEE)
    assert (record.revision, record.author_role, record.pair_id) == (1, "mentee", PAIR.pair_id)
    assert record.topics == ("delegation", "public_speaking")
    assert record.private_notes == "my worry"
    assert decision.events == (
        SessionFeedbackSubmitted(
            feedback_id=record.feedback_id,
            session_id=SESSION.session_id,
            pair_id=PAIR.pair_id,
            program_id=SESSION.program_id,
            participant_id=MENTEE,
            author_role=ParticipantRole.MENTEE,
            rating=4,
            topics=("delegation", "public_speaking"),
            action_item_count=2,
            revision=1,
            submitted_at=NOW,
        ),
    )
    assert "my worry" not in decision.events[0].model_dump_json()


def test_a_second_submission_revises_the_first() -> None:
    first = give_feedback(
        session=SESSION,
        member=AS_MENTOR,
        known_topics=TOPICS,
        answers=FeedbackAnswers(rating=3),
        previous=None,
        now=NOW,
    ).state
    second = give_feedback(
        session=SESSION,
        member=AS_MENTOR,
        known_topics=TOPICS,
        answers=FeedbackAnswers(rating=5),
        previous=first,
        now=LATER,
    )
    assert second.state.feedback_id == first.feedback_id
    assert (second.state.revision, second.state.rating) == (2, 5)
    assert second.state.submitted_at == LATER
    event = second.events[0]
    assert isinstance(event, SessionFeedbackSubmitted)
    assert event.revision == 2


def test_feedback_with_an_unknown_topic_or_progress_topic_is_refused() -> None:
    with pytest.raises(FeedbackInputError) as refused:
        give_feedback(
            session=SESSION,
            member=AS_MENTEE,
            known_topics=TOPICS,
            answers=FeedbackAnswers(
                rating=4,
                topics=("delegation", "knitting"),
                progress=(SkillProgress(topic="origami", level=1),),
            ),
            previous=None,
            now=NOW,
        )
    assert [field for field, _ in refused.value.problems] == ["topics[1]", "progress[0]"]


# ---------------------------------------------------------------- fit


def test_the_fit_question_opens_after_the_first_held_session() -> None:
    with pytest.raises(FeedbackRuleError) as refused:
        report_fit(member=AS_MENTEE, held_sessions=0, answer=FitAnswer(good_fit=True), now=NOW)
    assert refused.value.code == "no_session_held"

    decision = report_fit(
        member=AS_MENTEE, held_sessions=1, answer=FitAnswer(good_fit=True), now=NOW
    )
    assert decision.state.good_fit is True
    assert decision.state.concern is None
    assert decision.events == (
        PairingFitReported(
            pair_id=PAIR.pair_id,
            program_id=PAIR.program_id,
            participant_id=MENTEE,
            author_role=ParticipantRole.MENTEE,
            good_fit=True,
            concern=None,
            reported_at=NOW,
        ),
    )


def test_a_no_without_a_concern_counts_as_other_and_its_reason_stays_here() -> None:
    vague = report_fit(
        member=AS_MENTOR,
        held_sessions=2,
        answer=FitAnswer(good_fit=False, reason="we never agree"),
        now=NOW,
    )
    assert vague.state.concern is FitConcern.OTHER
    assert vague.state.reason == "we never agree"
    assert "we never agree" not in vague.events[0].model_dump_json()
    precise = report_fit(
        member=AS_MENTOR,
        held_sessions=2,
        answer=FitAnswer(good_fit=False, concern=FitConcern.GOALS_MISMATCH),
        now=LATER,
    )
    assert precise.state.concern is FitConcern.GOALS_MISMATCH
    assert precise.state.report_id == vague.state.report_id  # one answer per member, replaced


# ---------------------------------------------------------------- agreement


def test_every_change_of_the_agreement_is_a_new_version_only_its_author_acknowledged() -> None:
    drafted = write_agreement(member=AS_MENTOR, terms=TERMS, previous=None, now=NOW)
    assert (drafted.state.version, drafted.state.acknowledged_by) == (1, (MENTOR,))
    assert drafted.events == ()
    both = acknowledge_agreement(member=AS_MENTEE, agreement=drafted.state, version=1).state
    assert acknowledged_by_all(both, (MENTOR, MENTEE))

    changed = write_agreement(
        member=AS_MENTEE,
        terms=replace(TERMS, boundaries="No weekends"),
        previous=both,
        now=LATER,
    ).state
    assert (changed.version, changed.acknowledged_by) == (2, (MENTEE,))
    assert changed.boundaries == "No weekends"
    assert not acknowledged_by_all(changed, (MENTOR, MENTEE))


def test_acknowledging_needs_an_agreement_at_the_version_read_and_is_idempotent() -> None:
    with pytest.raises(FeedbackRuleError) as none:
        acknowledge_agreement(member=AS_MENTEE, agreement=None, version=1)
    assert none.value.code == "no_agreement"

    agreement = write_agreement(member=AS_MENTOR, terms=TERMS, previous=None, now=NOW).state
    with pytest.raises(FeedbackRuleError) as stale:
        acknowledge_agreement(member=AS_MENTEE, agreement=agreement, version=2)
    assert stale.value.code == "agreement_changed"
    assert "version 1" in str(stale.value)

    again = acknowledge_agreement(member=AS_MENTOR, agreement=agreement, version=1)
    assert again.state == agreement
    assert again.events == ()


# ---------------------------------------------------------------- development plan


def test_a_goal_belongs_to_the_mentee_whoever_adds_it() -> None:
    decision = add_goal(
        goal_id="goal-1",
        member=AS_MENTOR,
        known_topics=TOPICS,
        goal=NewGoal(topic="promotion", title="Lead planning", milestones=("Shadow", "Run")),
        now=NOW,
    )
    goal = decision.state
    assert goal.participant_id == MENTEE
    assert goal.milestones == (Milestone(title="Shadow"), Milestone(title="Run"))
    assert (goal.progress_percent, goal.completed) == (0, False)
    assert decision.events == (
        GoalProgressUpdated(
            goal_id="goal-1",
            program_id=PAIR.program_id,
            participant_id=MENTEE,
            pair_id=PAIR.pair_id,
            topic="promotion",
            progress_percent=0,
            milestones_total=2,
            milestones_reached=0,
            completed=False,
            updated_at=NOW,
        ),
    )
    with pytest.raises(FeedbackInputError) as refused:
        add_goal(
            goal_id="goal-2",
            member=AS_MENTEE,
            known_topics=TOPICS,
            goal=NewGoal(topic="knitting", title="Knit"),
            now=NOW,
        )
    assert [field for field, _ in refused.value.problems] == ["topic"]


def test_progress_follows_the_milestones_reached_unless_a_percentage_is_given() -> None:
    goal = add_goal(
        goal_id="goal-1",
        member=AS_MENTEE,
        known_topics=TOPICS,
        goal=NewGoal(topic="promotion", title="Lead", milestones=("a", "b", "c", "d")),
        now=NOW,
    ).state
    half = record_progress(goal=goal, report=ProgressReport(milestones_reached=(0, 2)), now=LATER)
    assert [m.reached for m in half.state.milestones] == [True, False, True, False]
    assert half.state.progress_percent == 50
    assert half.state.updated_at == LATER
    event = half.events[0]
    assert isinstance(event, GoalProgressUpdated)
    assert (event.milestones_reached, event.progress_percent, event.completed) == (2, 50, False)

    # The list is the full set reached: a milestone left out is not reached any more.
    fewer = record_progress(
        goal=half.state, report=ProgressReport(milestones_reached=(2,)), now=NOW
    )
    assert [m.reached for m in fewer.state.milestones] == [False, False, True, False]
    explicit = record_progress(goal=goal, report=ProgressReport(progress_percent=100), now=NOW)
    assert (explicit.state.progress_percent, explicit.state.completed) == (100, True)
    both = record_progress(
        goal=goal, report=ProgressReport(progress_percent=10, milestones_reached=(0, 1)), now=NOW
    )
    assert both.state.progress_percent == 10


def test_milestone_due_days_travel_with_the_goals_progress() -> None:
    due = date(2026, 7, 1)
    goal = add_goal(
        goal_id="goal-1",
        member=AS_MENTEE,
        known_topics=TOPICS,
        goal=NewGoal(topic="promotion", title="Lead", milestones=("a", "b"), due_on=(None, due)),
        now=NOW,
    ).state
    assert [m.due_on for m in goal.milestones] == [None, due]
    reached = record_progress(goal=goal, report=ProgressReport(milestones_reached=(1,)), now=NOW)
    event = reached.events[0]
    assert isinstance(event, GoalProgressUpdated)
    assert event.milestones_due == (MilestoneDue(index=1, due_on=due, reached=True),)


def test_a_milestone_the_goal_does_not_have_is_refused_by_its_position() -> None:
    goal = add_goal(
        goal_id="goal-1",
        member=AS_MENTEE,
        known_topics=TOPICS,
        goal=NewGoal(topic="promotion", title="Lead", milestones=("a", "b")),
        now=NOW,
    ).state
    with pytest.raises(FeedbackInputError) as refused:
        record_progress(goal=goal, report=ProgressReport(milestones_reached=(1, 2, -1)), now=NOW)
    assert refused.value.problems == (
        ("milestones_reached[1]", "the goal has 2 milestones"),
        ("milestones_reached[2]", "the goal has 2 milestones"),
    )


def test_goal_progress_without_milestones_keeps_the_current_value() -> None:
    assert goal_progress((), None, 30) == 30
    assert goal_progress((), 70, 30) == 70
    assert goal_progress((Milestone(title="a", reached=True), Milestone(title="b")), None, 0) == 50
    assert goal_progress([Milestone(title=str(i), reached=i == 0) for i in range(3)], None, 0) == 33


# ---------------------------------------------------------------- surveys


def test_a_survey_response_is_one_per_participant_and_kind_announced_without_comments() -> None:
    participant = Participation(MENTEE, PAIR.program_id, ParticipantRole.MENTEE)
    answers = SurveyAnswers(
        growth_rating=4,
        relationship_rating=5,
        recommend_score=9,
        would_join_again=True,
        skills_developing=("delegation", "delegation", "public_speaking"),
        comments="Loved it",
    )
    decision = answer_survey(
        participant=participant,
        kind=SurveyKind.MID_PROGRAM,
        known_topics=TOPICS,
        answers=answers,
        now=NOW,
    )
    response = decision.state
    assert response.skills_developing == ("delegation", "public_speaking")
    assert response.comments == "Loved it"
    (event,) = decision.events
    assert isinstance(event, SurveyResponseSubmitted)
    assert (event.participant_id, event.respondent_role, event.recommend_score) == (
        MENTEE,
        ParticipantRole.MENTEE,
        9,
    )
    assert "Loved it" not in event.model_dump_json()

    again = answer_survey(
        participant=participant,
        kind=SurveyKind.MID_PROGRAM,
        known_topics=TOPICS,
        answers=answers,
        now=LATER,
    )
    closing = answer_survey(
        participant=participant,
        kind=SurveyKind.CLOSING,
        known_topics=TOPICS,
        answers=answers,
        now=LATER,
    )
    assert again.state.response_id == response.response_id
    assert closing.state.response_id != response.response_id
    with pytest.raises(FeedbackInputError) as refused:
        answer_survey(
            participant=participant,
            kind=SurveyKind.CLOSING,
            known_topics=TOPICS,
            answers=SurveyAnswers(
                growth_rating=4,
                relationship_rating=5,
                recommend_score=9,
                would_join_again=True,
                skills_developing=("knitting",),
            ),
            now=NOW,
        )
    assert [field for field, _ in refused.value.problems] == ["skills_developing[0]"]


def test_surveys_open_at_the_midpoint_and_before_the_end_in_the_programs_time_zone() -> None:
    program = example(
        ProgramCreated,
        starts_on=date(2027, 1, 4),
        ends_on=date(2027, 7, 2),
        time_zone="Europe/Paris",
    )
    mid, closing = survey_windows(program, closing_lead_days=14, grace_days=30)
    paris = ZoneInfo("Europe/Paris")
    assert (mid.kind, closing.kind) == (SurveyKind.MID_PROGRAM, SurveyKind.CLOSING)
    assert mid.opens_at == datetime(2027, 4, 3, tzinfo=paris)
    assert closing.opens_at == datetime(2027, 6, 18, tzinfo=paris)
    assert mid.closes_at == closing.closes_at == datetime(2027, 8, 2, tzinfo=paris)
    assert mid.status(mid.opens_at - timedelta(seconds=1)) is SurveyStatus.UPCOMING
    assert mid.status(mid.opens_at) is SurveyStatus.OPEN
    assert mid.status(mid.closes_at - timedelta(seconds=1)) is SurveyStatus.OPEN
    assert mid.status(mid.closes_at) is SurveyStatus.CLOSED


def test_the_closing_survey_of_a_short_program_never_opens_before_the_midpoint() -> None:
    program = example(
        ProgramCreated, starts_on=date(2027, 1, 4), ends_on=date(2027, 1, 20), time_zone="UTC"
    )
    mid, closing = survey_windows(program, closing_lead_days=14, grace_days=0)
    assert closing.opens_at == mid.opens_at == datetime(2027, 1, 12, tzinfo=UTC)
    assert closing.closes_at == datetime(2027, 1, 21, tzinfo=UTC)
