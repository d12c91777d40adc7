"""The catalog names every lifecycle event once, on a topic, with a usable key."""

from __future__ import annotations

import typing

import pytest
from pydantic import ValidationError

from mentorship_contracts import CATALOG, EventRoute, UnknownEventTypeError
from mentorship_contracts.examples import example, example_types
from mentorship_contracts.topics import (
    CONSUMER_GROUPS,
    EVENT_TOPICS,
    all_topics,
    dead_letter_topic,
)

LIFECYCLE_EVENTS = {
    "ProgramCreated",
    "ParticipantRegistered",
    "ParticipantUpdated",
    "ParticipantWithdrew",
    "ParticipantErased",
    "MatchingRunProposed",
    "MatchingRunApproved",
    "PairCreated",
    "PairEnded",
    "SessionScheduled",
    "SessionRescheduled",
    "SessionCancelled",
    "SessionCompleted",
    "SessionMissed",
    "SessionReminderDue",
    "SessionFeedbackSubmitted",
    "PairingFitReported",
    "GoalProgressUpdated",
    "SurveyResponseSubmitted",
}

ROUTES = list(CATALOG)


def test_every_lifecycle_event_is_published() -> None:
    assert {route.event.event_type for route in ROUTES} >= LIFECYCLE_EVENTS


def test_every_event_has_an_example() -> None:
    assert set(example_types()) == {route.event for route in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.event.event_type)
def test_event_is_a_documented_frozen_past_tense_fact(route: EventRoute) -> None:
    event_class = route.event
    assert (event_class.__doc__ or "").strip(), "the docstring becomes the AsyncAPI description"
    assert event_class.model_config.get("frozen") is True
    assert event_class.event_type == event_class.__name__
    instance = example(event_class)
    with pytest.raises(ValidationError):
        setattr(instance, next(iter(event_class.model_fields)), "changed")


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.event.event_type)
def test_key_field_is_a_required_identifier(route: EventRoute) -> None:
    field = route.event.model_fields[route.key_field]
    assert field.is_required()
    assert typing.get_origin(field.annotation) is None
    assert field.annotation is str
    assert route.key_of(example(route.event))


PERSONAL_FIELDS = {
    "email",
    "first_name",
    "last_name",
    "full_name",
    "display_name",
    "person_name",
    "phone",
    "notes",
    "private_notes",
    "employee_id",
    "expectations",
    "action_items",
    "comment",
}


def _field_names(schema: object) -> set[str]:
    if isinstance(schema, dict):
        names = set(schema.get("properties", {}))
        return names.union(*(_field_names(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_field_names(value) for value in schema))
    return set()


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.event.event_type)
def test_no_contact_data_or_free_text_travels_in_events(route: EventRoute) -> None:
    """Kafka logs cannot be erased: names, e-mails and free text stay in the services."""
    assert PERSONAL_FIELDS.isdisjoint(_field_names(route.event.model_json_schema()))


def test_every_event_topic_carries_events_and_every_event_has_one_topic() -> None:
    for topic in EVENT_TOPICS:
        assert CATALOG.on_topic(topic), f"{topic.name} carries no event"
    assert len({route.event for route in ROUTES}) == len(ROUTES)


def test_topic_names_follow_one_scheme() -> None:
    for topic in all_topics():
        assert topic.name.startswith("mentorship.")
        assert topic.name.rsplit(".", 1)[1] == "v1"
        assert topic.partitions >= 1
    assert {dead_letter_topic(group).name for group in CONSUMER_GROUPS} == {
        f"mentorship.deadletter.{group}.v1" for group in CONSUMER_GROUPS
    }


def test_dead_letter_topic_rejects_odd_group_names() -> None:
    with pytest.raises(ValueError, match="consumer group"):
        dead_letter_topic("Analytics Group")


def test_unknown_types_are_reported_by_name() -> None:
    with pytest.raises(UnknownEventTypeError, match="NotAnEvent"):
        CATALOG.resolve("NotAnEvent", 1)
    with pytest.raises(UnknownEventTypeError, match="version 9"):
        CATALOG.resolve("PairCreated", 9)
