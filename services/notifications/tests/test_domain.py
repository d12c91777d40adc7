"""The domain's decisions, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications.domain.deliveries import (
    Attempt,
    Delivery,
    Outcome,
    RetryPolicy,
    Status,
    claimed,
    delivery_id,
    settled,
)
from notifications.domain.explanations import reasons
from notifications.domain.kinds import Channel, Kind, Recipient, RecipientType
from notifications.domain.preferences import (
    Cadence,
    PreferenceError,
    Preferences,
    QuietHours,
    Timing,
    language_for,
    route,
    validated,
)
from notifications.usecases.unsubscribe_links import BadToken, read_token, unsubscribe_token

NOW = datetime(2027, 3, 1, 22, 30, tzinfo=UTC)  # 23:30 in Paris
ADA = Recipient(RecipientType.PARTICIPANT, "p-1")


def test_delivery_ids_are_one_per_event_recipient_channel_and_kind() -> None:
    base = delivery_id("e-1", ADA, Channel.EMAIL, Kind.MATCH)
    assert base == delivery_id("e-1", ADA, Channel.EMAIL, Kind.MATCH)
    others = {
        delivery_id("e-2", ADA, Channel.EMAIL, Kind.MATCH),
        delivery_id("e-1", Recipient(RecipientType.PARTICIPANT, "p-2"), Channel.EMAIL, Kind.MATCH),
        delivery_id("e-1", ADA, Channel.SLACK, Kind.MATCH),
        delivery_id("e-1", ADA, Channel.EMAIL, Kind.PAIR_ENDED),
    }
    assert base not in others
    assert len(others) == 4


def delivery(**changes: object) -> Delivery:
    fields: dict[str, object] = {
        "delivery_id": "d",
        "event_key": "e",
        "kind": Kind.MATCH,
        "channel": Channel.EMAIL,
        "recipient_type": RecipientType.PARTICIPANT,
        "recipient_id": "p-1",
        "program_id": "prog",
        "person_id": "person",
        "context": {},
        "status": Status.PENDING,
        "due_at": NOW,
        "created_at": NOW,
    }
    return Delivery(**(fields | changes))  # type: ignore[arg-type]


def test_temporary_failures_back_off_then_give_up_and_permanent_ones_fail_at_once() -> None:
    policy = RetryPolicy(max_attempts=3, backoff_s=10, backoff_max_s=25)
    lease = timedelta(minutes=2)
    first = claimed(delivery(), NOW, lease)
    assert (first.status, first.attempts, first.lease_until) == (Status.SENDING, 1, NOW + lease)
    again = settled(first, Attempt(Outcome.TEMPORARY, "smtp 451"), NOW, policy)
    assert (again.status, again.due_at, again.error) == (
        Status.PENDING,
        NOW + timedelta(seconds=10),
        "smtp 451",
    )
    second = settled(claimed(again, NOW, lease), Attempt(Outcome.TEMPORARY, "x"), NOW, policy)
    assert second.due_at == NOW + timedelta(seconds=20)
    third = settled(claimed(second, NOW, lease), Attempt(Outcome.TEMPORARY, "x"), NOW, policy)
    assert third.status is Status.FAILED
    assert third.error == "gave up after 3 attempts: x"
    refused = settled(first, Attempt(Outcome.PERMANENT, "smtp 550"), NOW, policy)
    assert (refused.status, refused.error, refused.failed_at) == (Status.FAILED, "smtp 550", NOW)
    sent = settled(first, Attempt(Outcome.SENT), NOW, policy)
    assert (sent.status, sent.sent_at, sent.lease_until) == (Status.SENT, NOW, None)


def test_quiet_hours_across_midnight_hold_until_they_end_in_the_persons_zone() -> None:
    quiet = Preferences("x", quiet_hours=QuietHours(time(22), time(7, 30)))
    (held,) = route(Kind.MATCH, quiet, zone="Europe/Paris", now=NOW, digest_hour=8)
    assert held.timing is Timing.AFTER_QUIET_HOURS
    assert held.due_at == datetime(2027, 3, 2, 7, 30, tzinfo=ZoneInfo("Europe/Paris"))
    (free,) = route(Kind.MATCH, quiet, zone="America/New_York", now=NOW, digest_hour=8)
    assert (free.timing, free.due_at) == (Timing.NOW, NOW)


def test_a_reminder_near_the_start_goes_in_quiet_hours_and_a_far_one_waits() -> None:
    quiet = Preferences("x", quiet_hours=QuietHours(time(22), time(7, 30)))
    (urgent,) = route(
        Kind.SESSION_REMINDER,
        quiet,
        zone="Europe/Paris",
        now=NOW,
        digest_hour=8,
        starts_at=NOW + timedelta(hours=1),
    )
    assert urgent.timing is Timing.NOW
    (later,) = route(
        Kind.SESSION_REMINDER,
        quiet,
        zone="Europe/Paris",
        now=NOW,
        digest_hour=8,
        starts_at=NOW + timedelta(days=1),
    )
    assert later.timing is Timing.AFTER_QUIET_HOURS


def test_digest_unsubscribe_and_channels() -> None:
    chosen = Preferences(
        "x",
        cadence={Kind.SURVEY_OPEN: Cadence.DAILY_DIGEST},
        unsubscribed=frozenset({Kind.PAIR_ENDED}),
        channels={Kind.SESSION_REMINDER: (Channel.EMAIL, Channel.SLACK)},
    )
    (digest,) = route(Kind.SURVEY_OPEN, chosen, zone="Europe/Paris", now=NOW, digest_hour=8)
    assert digest.timing is Timing.DIGEST
    assert digest.due_at == datetime(2027, 3, 2, 8, tzinfo=ZoneInfo("Europe/Paris"))
    assert route(Kind.PAIR_ENDED, chosen, zone="UTC", now=NOW, digest_hour=8) == ()
    both = route(Kind.SESSION_REMINDER, chosen, zone="UTC", now=NOW, digest_hour=8)
    assert [r.channel for r in both] == [Channel.EMAIL, Channel.SLACK]


@pytest.mark.parametrize(
    ("preferences", "field"),
    [
        (Preferences("x", language="de"), "language"),
        (Preferences("x", time_zone="Mars/Olympus"), "time_zone"),
        (Preferences("x", cadence={Kind.MATCH: Cadence.DAILY_DIGEST}), "cadence.match"),
        (Preferences("x", channels={Kind.MATCH: (Channel.TEAMS,)}), "channels.match"),
        (
            Preferences("x", channels={Kind.SESSION_INVITATION: (Channel.SLACK,)}),
            "channels.session_invitation",
        ),
        (Preferences("x", unsubscribed=frozenset({Kind.SESSION_INVITATION})), "unsubscribed"),
        (Preferences("x", quiet_hours=QuietHours(time(8), time(8))), "quiet_hours.end"),
    ],
)
def test_impossible_preferences_name_their_field(preferences: Preferences, field: str) -> None:
    with pytest.raises(PreferenceError) as refused:
        validated(preferences)
    assert refused.value.field == field


def test_language_is_the_choice_else_the_first_spoken_we_have() -> None:
    assert language_for(Preferences("x", language="fr"), ("en",), "en") == "fr"
    assert language_for(None, ("de", "fr-ca", "en"), "en") == "fr"
    assert language_for(None, ("de",), "en") == "en"


def test_match_reasons_are_the_largest_contributions_in_shares_of_the_score() -> None:
    found = reasons({"skills": 2.0, "goals": 0.0, "time_zone": 1.0, "interests": 1.0, "x": 4.0})
    assert [(r.criterion, r.percent) for r in found] == [
        ("skills", 25),
        ("interests", 12),
        ("time_zone", 12),
    ]
    assert reasons({}) == []


def test_unsubscribe_tokens_are_signed() -> None:
    token = unsubscribe_token("person-1", Kind.SURVEY_OPEN, b"key")
    assert read_token(token, b"key") == ("person-1", Kind.SURVEY_OPEN)
    with pytest.raises(BadToken):
        read_token(token, b"other key")
    payload, signature = token.split(".")
    with pytest.raises(BadToken):
        read_token(f"{payload}x.{signature}", b"key")


def test_links_in_mails_already_sent_keep_working() -> None:
    made_before_the_kit_sealed_them = "cGVyc29uLTF8c3VydmV5X29wZW4.a-TDuVu-6MdkX_9_MhaqPA"
    assert read_token(made_before_the_kit_sealed_them, b"key") == (
        "person-1",
        Kind.SURVEY_OPEN,
    )
    with pytest.raises(BadToken):
        read_token(unsubscribe_token("person-1", Kind.SURVEY_OPEN, b"key")[:-1] + "x", b"key")
