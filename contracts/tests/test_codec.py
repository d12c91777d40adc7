"""Encoding and decoding events: round trips, CloudEvents headers, and clear errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from mentorship_contracts import (
    CATALOG,
    EventRoute,
    InvalidEventError,
    UnknownEventTypeError,
    decode,
    encode,
    peek_type,
    seal,
)
from mentorship_contracts.events import PairCreated, ParticipantRegistered
from mentorship_contracts.examples import example

ROUTES = list(CATALOG)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.event.event_type)
def test_every_event_round_trips_through_its_topic(route: EventRoute) -> None:
    event = example(route.event)
    envelope = seal(event, source="tester", correlation_id="flow-1")

    encoded = encode(envelope)

    assert encoded.topic == route.topic
    assert encoded.key == route.key_of(event) == envelope.aggregate_id
    decoded = decode(encoded.value)
    assert decoded == envelope
    assert type(decoded.data) is route.event
    assert peek_type(encoded.value) == (route.event.event_type, 1)


def test_cloudevents_binary_mode_headers_mirror_the_envelope() -> None:
    cause = uuid4()
    envelope = seal(
        example(PairCreated), source="matching", correlation_id="c-9", causation_id=cause
    )

    headers = encode(envelope).headers

    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_id"] == str(envelope.event_id)
    assert headers["ce_type"] == "PairCreated"
    assert headers["ce_source"] == "/mentorship/matching"
    assert headers["ce_subject"] == envelope.data.pair_id
    assert headers["ce_dataschema"] == "urn:mentorship:event:PairCreated:v1"
    assert headers["ce_correlationid"] == "c-9"
    assert headers["ce_causationid"] == str(cause)
    assert headers["content-type"] == "application/json"
    assert datetime.fromisoformat(headers["ce_time"]) == envelope.occurred_at
    assert peek_type(b"not even json", headers) == ("PairCreated", 1)


def test_a_fresh_envelope_has_a_unique_id_and_correlates_to_itself_by_default() -> None:
    first = seal(example(PairCreated), source="matching")
    second = seal(example(PairCreated), source="matching")
    assert first.event_id != second.event_id
    assert first.correlation_id == str(first.event_id)
    assert first.occurred_at.tzinfo is not None


def test_times_are_normalised_to_utc() -> None:
    berlin = timezone(timedelta(hours=1))
    event = example(ParticipantRegistered, registered_at=datetime(2026, 3, 1, 10, tzinfo=berlin))
    assert event.registered_at == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert event.registered_at.utcoffset() == timedelta(0)


def _value(envelope_changes: dict[str, object] | None = None, **data_changes: object) -> bytes:
    envelope = seal(example(ParticipantRegistered), source="registration")
    raw = json.loads(encode(envelope).value)
    raw["data"].update(data_changes)
    raw.update(envelope_changes or {})
    return json.dumps(raw).encode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (b"\x00\x01 not json", "not JSON"),
        (b"[1, 2, 3]", "not a JSON object"),
        (b'{"data": {}}', "event_type"),
        (_value(role="overlord"), "data.role: Input should be 'mentor', 'mentee' or 'both'"),
        (_value(capacity=0), "capacity must be at least 1"),
        (_value(profile={"time_zone": "Mars/Olympus"}), "unknown IANA time zone"),
        (_value({"aggregate_id": "someone-else"}), "aggregate_id does not match"),
        (_value({"event_id": "not-a-uuid"}), "event_id"),
        (_value({"occurred_at": "2026-03-01T10:00:00"}), "occurred_at"),
    ],
)
def test_invalid_messages_fail_with_the_field_named(value: bytes, message: str) -> None:
    with pytest.raises(InvalidEventError) as caught:
        decode(value)
    assert message in str(caught.value)


def test_unknown_event_types_are_distinguished_from_invalid_ones() -> None:
    with pytest.raises(UnknownEventTypeError):
        decode(_value({"event_type": "ParticipantPromoted"}))
    with pytest.raises(UnknownEventTypeError):
        decode(_value({"schema_version": 2}))


def test_unknown_fields_are_ignored_so_additive_changes_keep_the_version() -> None:
    decoded = decode(_value({"trace_flags": "01"}, favourite_colour="teal"))
    assert isinstance(decoded.data, ParticipantRegistered)
    assert "favourite_colour" not in decoded.data.model_dump()


def test_envelope_and_data_must_agree_on_the_type() -> None:
    raw = json.loads(_value())
    raw["event_type"] = "ParticipantUpdated"
    with pytest.raises(InvalidEventError, match="updated_at"):
        decode(json.dumps(raw).encode())


def test_envelope_ids_are_uuids() -> None:
    envelope = decode(_value())
    assert isinstance(envelope.event_id, UUID)
