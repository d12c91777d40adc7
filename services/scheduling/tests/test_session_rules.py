"""What may happen to a session, and the reminders it is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scheduling.domain.reminders import Reminder, due_now, pending_reminders, reminder_event_id
from scheduling.domain.sessions import (
    Session,
    SessionRuleError,
    SessionStatus,
    check_cancel,
    check_held,
    check_missed,
    check_reschedule,
)

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
    with _refused("held_at_in_future"):
        check_held(session(-HOUR), NOW + HOUR, NOW)


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
