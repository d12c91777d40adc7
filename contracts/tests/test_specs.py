"""The committed JSON Schemas and AsyncAPI document match the models, and the AsyncAPI document
says what really travels: the headers the codec writes, partitions and keys, who sends and who
receives each topic, and dead letters with their own headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mentorship_contracts import CATALOG, EventRoute, encode, seal
from mentorship_contracts.__main__ import expected_files, stale_files
from mentorship_contracts.events.session import SessionEvent
from mentorship_contracts.examples import example
from mentorship_contracts.specs import (
    COMPONENT_KEY,
    DEAD_LETTER,
    DEAD_LETTER_HEADERS,
    HEADERS_SCHEMA,
    asyncapi_document,
    json_schemas,
    message_key,
)
from mentorship_contracts.topics import (
    CONSUMER_GROUPS,
    EVENT_TOPICS,
    SUBSCRIPTIONS,
    all_topics,
    dead_letter_topic,
)

CONTRACTS_DIR = Path(__file__).resolve().parents[1]
DOCUMENT = asyncapi_document()
ROUTES = list(CATALOG)


def test_committed_specs_are_regenerated() -> None:
    stale = stale_files(CONTRACTS_DIR)
    assert not stale, f"run `make contracts` and commit: {stale}"


def test_generation_is_deterministic() -> None:
    assert expected_files() == expected_files()


def test_each_json_schema_names_its_event_topic_and_key() -> None:
    for name, schema in json_schemas().items():
        event_type = name.split(".")[0]
        assert schema["$id"] == f"urn:mentorship:event:{event_type}:v1"
        assert schema["properties"]["event_type"]["const"] == event_type
        assert schema["x-topic"].startswith("mentorship.")
        assert schema["x-message-key"] in schema["$defs"][event_type]["properties"]
        assert schema["description"].startswith(f"{event_type} (schema v1)")


def test_session_events_say_what_pair_id_holds_for_a_group() -> None:
    for name, schema in json_schemas().items():
        event_type = name.split(".")[0]
        properties = schema["$defs"][event_type]["properties"]
        if schema["x-topic"] == "mentorship.session.v1":
            assert "group_id" in properties["pair_id"]["description"], event_type
    assert "group_id" in (SessionEvent.__doc__ or "")


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    """A ``#/...`` reference of the document, followed."""
    while "$ref" in node:
        target: Any = DOCUMENT
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _keys(document: dict[str, Any]) -> list[str]:
    keys = [*document["channels"], *document["operations"]]
    keys += [key for channel in document["channels"].values() for key in channel["messages"]]
    return keys + [key for section in document["components"].values() for key in section]


def test_every_key_matches_asyncapi_s_key_pattern() -> None:
    assert DOCUMENT["asyncapi"].startswith("3.")
    assert [key for key in _keys(DOCUMENT) if not COMPONENT_KEY.match(key)] == []


def test_every_topic_is_a_channel_with_its_partitions() -> None:
    channels = DOCUMENT["channels"]
    assert set(channels) == {topic.name for topic in all_topics()}
    for topic in all_topics():
        binding = channels[topic.name]["bindings"]["kafka"]
        assert channels[topic.name]["address"] == binding["topic"] == topic.name
        assert binding["partitions"] == topic.partitions
        assert binding["topicConfiguration"]["retention.ms"] == topic.retention_ms


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.event.event_type)
def test_every_event_is_a_message_of_its_topic_with_its_key(route: EventRoute) -> None:
    key = message_key(route)
    channel = DOCUMENT["channels"][route.topic.name]
    message = _resolve(channel["messages"][key])
    assert message["name"] == route.event.event_type
    assert route.key_field in message["bindings"]["kafka"]["key"]["description"]
    assert _resolve(message["payload"])["properties"]["data"]["$ref"].endswith(
        f"/{route.event.event_type}"
    )
    assert _resolve(message["correlationId"])["location"] == "$message.header#/ce_correlationid"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.event.event_type)
def test_an_event_s_declared_headers_are_the_ones_sent(route: EventRoute) -> None:
    """What the codec writes, plus the `correlation_id` FastStream adds (the kit's
    RecordPublisher passes ce_correlationid as FastStream's correlation id)."""
    encoded = encode(seal(example(route.event), source="registration"))
    sent = encoded.headers | {"correlation_id": encoded.headers["ce_correlationid"]}
    headers = _resolve(DOCUMENT["components"]["messages"][message_key(route)])["headers"]
    assert headers["type"] == "object"
    schema = {**headers, "components": DOCUMENT["components"]}
    schema["allOf"] = [
        {"$ref": "#/components/schemas/EventHeaders"} if "$ref" in part else part
        for part in headers["allOf"]
    ]
    jsonschema.Draft7Validator(schema).validate(sent)
    assert set(sent) <= set(HEADERS_SCHEMA["properties"])
    assert set(HEADERS_SCHEMA["required"]) <= set(sent)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(sent | {"ce_type": "SomethingElse"})


def test_the_causation_header_is_declared_and_optional() -> None:
    assert "ce_causationid" in HEADERS_SCHEMA["properties"]
    assert "ce_causationid" not in HEADERS_SCHEMA["required"]


def test_dead_letters_have_their_own_headers_and_no_event_requirement() -> None:
    message = DOCUMENT["components"]["messages"][DEAD_LETTER]
    headers = _resolve(message["headers"])
    assert headers is DEAD_LETTER_HEADERS or headers == DEAD_LETTER_HEADERS
    assert {"dlq_reason", "dlq_error", "dlq_topic", "dlq_partition", "dlq_offset"} <= set(
        headers["required"]
    )
    assert {"dlq_consumer_group", "dlq_failed_at"} <= set(headers["required"])
    assert not [name for name in headers["required"] if name.startswith("ce_")]
    assert headers["additionalProperties"] == {"type": "string"}, "original headers are kept"
    validator = jsonschema.Draft7Validator(headers)
    parked = {
        "content-type": "",
        "correlation_id": "made-up",
        "dlq_reason": "invalid",
        "dlq_error": "data.pair_id: Input should be a valid string",
        "dlq_topic": "mentorship.pair.v1",
        "dlq_partition": "2",
        "dlq_offset": "0",
        "dlq_consumer_group": "scheduling",
        "dlq_failed_at": "2026-03-02T09:30:00+00:00",
    }
    validator.validate(parked)  # a record that was no event: no ce_* header at all
    validator.validate(parked | {"ce_type": "PairCreated", "ce_id": "x"})
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({key: value for key, value in parked.items() if key != "dlq_reason"})


def _operations(action: str, channel: str) -> list[dict[str, Any]]:
    return [
        operation
        for operation in DOCUMENT["operations"].values()
        if operation["action"] == action and _resolve(operation["channel"])["address"] == channel
    ]


def test_dead_letters_are_sent_only_by_groups_that_consume() -> None:
    for group in CONSUMER_GROUPS:
        topic = dead_letter_topic(group).name
        senders = _operations("send", topic)
        assert len(senders) == (1 if group in SUBSCRIPTIONS else 0), group
        for operation in _operations("receive", topic):
            assert operation["bindings"]["kafka"]["groupId"]["enum"] == [f"{group}.redrive"]


def test_each_event_topic_is_sent_once_and_received_by_its_subscribers() -> None:
    for topic in EVENT_TOPICS:
        (send,) = _operations("send", topic.name)
        assert len(send["messages"]) == len(CATALOG.on_topic(topic))
        groups = {
            group
            for operation in _operations("receive", topic.name)
            for group in operation["bindings"]["kafka"]["groupId"]["enum"]
        }
        assert groups == {group for group, topics in SUBSCRIPTIONS.items() if topic in topics}


def test_operations_name_messages_of_their_own_channel() -> None:
    for name, operation in DOCUMENT["operations"].items():
        channel = operation["channel"]["$ref"]
        for message in operation["messages"]:
            assert message["$ref"].startswith(f"{channel}/messages/"), name
