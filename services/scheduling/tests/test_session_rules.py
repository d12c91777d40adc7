"""What may happen to a session, and the reminders it is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mentorship_contracts.types import SessionCancelReason
from scheduling.domain.calendar import feed
from scheduling.domain.reminders import Reminder, due_now, pending_reminders, reminder_event_id
from scheduling.domain.sessions import (
    LATEST_INSTANT,
    Session,
    SessionInputError,
    SessionRuleError,
    SessionStatus,
    check_cancel,
    check_cancel_reason,
    check_held,
    check_missed,
    check_reschedule,
    rescheduled_starts,
)
from scheduling.entrypoints.http.schemas import SessionView

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


def session(starts_in: timedelta, status: SessionStatus = SessionStatus.SCHEDULED) -> Session:
    return Session(
        session_id="pair-1.s001",
        series_id="pair-1",
        program_id="program-1",
        sequence=1,
        participant_ids=("mentor-1", "mentee-1"),
        starts_at=NOW + starts_in,
        duration_minutes=60,
        status=status,
    )


def _refused(code: str) -> pytest.RaisesExc[SessionRuleError]:
    return pytest.raises(SessionRuleError, check=lambda error: error.code == code)


def _invalid(field: str) -> pytest.RaisesExc[SessionInputError]:
    return pytest.raises(SessionInputError, check=lambda error: error.field == field)


def test_a_future_session_moves_to_another_future_time() -> None:
    check_reschedule(session(24 * HOUR), NOW + 48 * HOUR, NOW)
    with _refused("new_time_in_past"):
        check_reschedule(session(24 * HOUR), NOW - HOUR, NOW)


def test_a_past_session_cannot_be_rescheduled() -> None:
    with _refused("session_in_past"):
        check_reschedule(session(-HOUR), NOW + HOUR, NOW)


@pytest.mark.parametrize(
    "status", [SessionStatus.CANCELLED, SessionStatus.HELD, SessionStatus.MISSED]
)
def test_only_scheduled_sessions_change(status: SessionStatus) -> None:
    with _refused(f"session_{status.value}"):
        check_reschedule(session(24 * HOUR, status), NOW + 48 * HOUR, NOW)
    with pytest.raises(SessionRuleError):
        check_cancel(session(24 * HOUR, status), NOW)
    with pytest.raises(SessionRuleError):
        check_missed(session(-HOUR, status), NOW)


def test_cancelling_needs_a_future_session() -> None:
    check_cancel(session(HOUR), NOW)
    with _refused("session_in_past"):
        check_cancel(session(-HOUR), NOW)


def test_a_session_is_held_once_and_not_before_it_starts() -> None:
    check_held(session(-HOUR), NOW - HOUR, NOW)
    check_held(session(timedelta(minutes=20)), NOW, NOW)
    with _refused("session_in_future"):
        check_held(session(2 * HOUR), NOW, NOW)
    with _refused("already_held"):
        check_held(session(-HOUR, SessionStatus.HELD), NOW - HOUR, NOW)


def test_held_at_lies_between_just_before_the_start_and_now() -> None:
    check_held(session(-HOUR), NOW - HOUR - timedelta(minutes=30), NOW)
    check_held(session(-HOUR), NOW + timedelta(minutes=2), NOW)  # a clock slightly ahead
    with _invalid("held_at"):
        check_held(session(-HOUR), NOW + HOUR, NOW)
    with _invalid("held_at"):
        check_held(session(-HOUR), NOW - HOUR - timedelta(minutes=31), NOW)
    with _invalid("held_at"):
        check_held(session(-HOUR), datetime(2001, 1, 1, tzinfo=UTC), NOW)
    with _invalid("held_at"):
        check_held(session(-HOUR), datetime.fromisoformat("0001-01-01T00:00:00+01:00"), NOW)


ENDS_ON = date(2027, 6, 30)


def test_a_session_moves_at_most_a_grace_period_past_the_program_end() -> None:
    pivot = session(24 * HOUR)
    last_moment = datetime(2027, 7, 30, 23, 59, tzinfo=UTC)
    assert rescheduled_starts(pivot, [], last_moment, zone="UTC", program_ends_on=ENDS_ON) == [
        last_moment
    ]
    for too_late in (
        datetime(2027, 7, 31, tzinfo=UTC),
        datetime(9999, 12, 31, 22, 30, tzinfo=UTC),
        datetime.fromisoformat("9999-12-31T22:30:00-05:00"),
    ):
        with _invalid("starts_at"):
            rescheduled_starts(pivot, [], too_late, zone="Asia/Tokyo", program_ends_on=ENDS_ON)


def test_moving_the_following_sessions_keeps_all_of_them_within_the_program() -> None:
    pivot, later = session(24 * HOUR), session(8 * 24 * HOUR)
    moved = rescheduled_starts(
        pivot, [later], pivot.starts_at + HOUR, zone="Europe/Berlin", program_ends_on=ENDS_ON
    )
    assert moved == [pivot.starts_at + HOUR, later.starts_at + HOUR]
    # The pivot itself stays in the program, but the one a week later would not.
    with _invalid("starts_at"):
        rescheduled_starts(
            pivot,
            [later],
            datetime(2027, 7, 25, 10, tzinfo=UTC),
            zone="Europe/Berlin",
            program_ends_on=ENDS_ON,
        )
    # A stored start beyond the calendar cannot be shifted: refused, not an OverflowError.
    stored = later.changed(NOW, starts_at=LATEST_INSTANT - HOUR)
    with _invalid("starts_at"):
        rescheduled_starts(
            pivot, [stored], pivot.starts_at + HOUR, zone="Asia/Tokyo", program_ends_on=ENDS_ON
        )


def test_members_cancel_for_their_own_reasons_only() -> None:
    check_cancel_reason(SessionCancelReason.PARTICIPANT_REQUEST, by_admin=False)
    for reason in SessionCancelReason:
        check_cancel_reason(reason, by_admin=True)
    for reserved in ("admin_decision", "pair_ended", "program_ended"):
        with _invalid("reason"):
            check_cancel_reason(SessionCancelReason(reserved), by_admin=False)


def test_a_start_at_the_end_of_the_calendar_still_shows() -> None:
    late = session(timedelta()).changed(NOW, starts_at=datetime(9999, 12, 31, 23, 30, tzinfo=UTC))
    assert late.ends_at == LATEST_INSTANT
    view = SessionView.of(late, {"mentor-1": "Asia/Tokyo", "mentee-1": "UTC"})
    assert set(view.local_starts_at) == {"mentee-1"}
    assert b"DTSTART:99991231T233000Z" in feed(
        [late], program_names={}, zone="Asia/Tokyo", generated_at=NOW
    )


def test_missed_only_after_the_start() -> None:
    check_missed(session(-HOUR), NOW)
    with _refused("session_in_future"):
        check_missed(session(HOUR), NOW)


def test_a_change_bumps_the_version() -> None:
    before = session(HOUR)
    after = before.changed(NOW, starts_at=NOW + 2 * HOUR)
    assert after.version == before.version + 1
    assert after.updated_at == NOW
    assert after.starts_at == NOW + 2 * HOUR


def test_reminders_fall_due_at_their_lead_before_the_start() -> None:
    starts = NOW + 48 * HOUR
    assert pending_reminders(starts, [1440, 60], NOW) == (
        Reminder(starts - 24 * HOUR, 1440),
        Reminder(starts - HOUR, 60),
    )


def test_overdue_reminders_collapse_into_the_most_imminent_one() -> None:
    starts = NOW + timedelta(minutes=30)
    assert pending_reminders(starts, [1440, 60], NOW) == (Reminder(NOW, 60),)
    assert pending_reminders(NOW + 2 * HOUR, [1440, 60], NOW) == (
        Reminder(NOW, 1440),
        Reminder(NOW + HOUR, 60),
    )
    assert pending_reminders(NOW - HOUR, [1440, 60], NOW) == ()


def test_due_now_sends_one_reminder_and_keeps_the_rest() -> None:
    starts = NOW + 10 * HOUR
    pending = pending_reminders(starts, [1440, 60], NOW - 20 * HOUR)
    reminder, rest = due_now(pending, starts, NOW)
    assert reminder == Reminder(starts - 24 * HOUR, 1440)
    assert rest == (Reminder(starts - HOUR, 60),)
    # Down until after the start: nothing is sent, nothing stays.
    assert due_now(pending, starts, starts + HOUR) == (None, ())


def test_a_reminder_has_one_event_id() -> None:
    starts = NOW + HOUR
    assert reminder_event_id("s", starts, 60) == reminder_event_id("s", starts, 60)
    assert reminder_event_id("s", starts, 60) != reminder_event_id("s", starts, 1440)
    assert reminder_event_id("s", starts, 60) != reminder_event_id("s", starts + HOUR, 60)
