"""Machine-readable descriptions of the contracts: JSON Schemas and an AsyncAPI document.

Both are generated from the models and committed under ``contracts/``; a test regenerates
them and fails when the committed copies differ, so a schema never changes by accident.

The AsyncAPI 3.1 document describes what really travels on Kafka (libs/kit and FastStream, the
Kafka client the kit uses, send it): one channel per topic with its partitions and its key, the
headers every record carries, the consumer groups that receive each topic (``SUBSCRIPTIONS``)
and, per consumer group, the dead letters its consumers write, whose headers are not an event's.
"""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from mentorship_contracts.catalog import CATALOG, Catalog, EventRoute
from mentorship_contracts.codec import CLOUDEVENTS_SPEC_VERSION, CONTENT_TYPE, schema_urn
from mentorship_contracts.envelope import Envelope
from mentorship_contracts.topics import (
    CONSUMER_GROUPS,
    EVENT_TOPICS,
    SUBSCRIPTIONS,
    Topic,
    dead_letter_topic,
)

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ASYNCAPI_VERSION = "3.1.0"
KAFKA_BINDING_VERSION = "0.5.0"
COMPONENT_KEY = re.compile(r"^[a-zA-Z0-9\.\-_]+$")
"""What AsyncAPI allows as the key of a component (and of a channel, operation or message)."""
DEAD_LETTER = "DeadLetter"
EVENT_HEADERS = "EventHeaders"
DEAD_LETTER_REASONS = ("invalid", "unknown_type", "rejected", "handler_error")
"""The ``dlq_reason`` values libs/kit's consumer writes."""

HEADERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "The headers of every event record: the CloudEvents 1.0 attributes in Kafka binary "
        "content mode, the correlation id twice (the CloudEvents extension ce_correlationid, "
        "and correlation_id, which FastStream, the kit's Kafka client, sets to the same value "
        "and reads as a message's correlation id), and the content type."
    ),
    "properties": {
        "ce_specversion": {"type": "string", "const": CLOUDEVENTS_SPEC_VERSION},
        "ce_id": {"type": "string", "format": "uuid", "description": "The event_id."},
        "ce_type": {"type": "string", "description": "The event_type."},
        "ce_source": {"type": "string", "description": "/mentorship/<service>."},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "The aggregate id (message key)."},
        "ce_dataschema": {"type": "string", "description": "The schema's URN (with version)."},
        "ce_correlationid": {
            "type": "string",
            "description": "The envelope's correlation_id, shared by one business flow.",
        },
        "ce_causationid": {
            "type": "string",
            "format": "uuid",
            "description": "The event_id of the event that caused this one; absent if none.",
        },
        "correlation_id": {
            "type": "string",
            "description": "Equal to ce_correlationid (FastStream's correlation header).",
        },
        "content-type": {"type": "string", "const": CONTENT_TYPE},
    },
    "required": [
        "ce_specversion",
        "ce_id",
        "ce_type",
        "ce_source",
        "ce_time",
        "ce_subject",
        "ce_dataschema",
        "ce_correlationid",
        "correlation_id",
        "content-type",
    ],
}

DEAD_LETTER_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": (
        "The original record's headers, unchanged (an event's ce_* headers if it had them; "
        "none is required: a record may be here because it is no event at all), plus why and "
        "where it failed."
    ),
    "properties": {
        "dlq_reason": {
            "type": "string",
            "description": (
                "Why it was parked: invalid (not a valid event), unknown_type (an event type "
                "the catalog does not know), rejected (the handler refused it for good) or "
                "handler_error (the handler kept failing)."
            ),
            "examples": list(DEAD_LETTER_REASONS),
        },
        "dlq_error": {"type": "string", "maxLength": 4000, "description": "The error."},
        "dlq_topic": {
            "type": "string",
            "description": "The topic it was consumed from (with the deployment's prefix).",
        },
        "dlq_partition": {"type": "string", "pattern": "^[0-9]+$"},
        "dlq_offset": {"type": "string", "pattern": "^[0-9]+$"},
        "dlq_consumer_group": {
            "type": "string",
            "description": "The consumer group that failed (with the deployment's prefix).",
        },
        "dlq_failed_at": {"type": "string", "format": "date-time"},
        "content-type": {
            "type": "string",
            "description": "The original record's; empty when it had none.",
        },
        "correlation_id": {
            "type": "string",
            "description": (
                "The original record's; when it had none, one FastStream made up, unrelated "
                "to any flow."
            ),
        },
    },
    "required": [
        "dlq_reason",
        "dlq_error",
        "dlq_topic",
        "dlq_partition",
        "dlq_offset",
        "dlq_consumer_group",
        "dlq_failed_at",
        "content-type",
        "correlation_id",
    ],
    "additionalProperties": {"type": "string"},
}


def schema_file_name(route: EventRoute) -> str:
    """The committed file name of a route's JSON Schema."""
    return f"{route.event.event_type}.v{route.event.schema_version}.json"


def event_json_schema(route: EventRoute) -> dict[str, Any]:
    """The JSON Schema of one event in its envelope, annotated with topic and key."""
    schema = Envelope[route.event].model_json_schema()  # type: ignore[name-defined]
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": schema_urn(route.event.event_type, route.event.schema_version),
        "x-topic": route.topic.name,
        "x-message-key": route.key_field,
        **schema,
    }


def json_schemas(catalog: Catalog = CATALOG) -> dict[str, dict[str, Any]]:
    """Every event's JSON Schema by file name."""
    return {schema_file_name(route): event_json_schema(route) for route in catalog}


# ------------------------------------------------------------------------------ AsyncAPI


def message_key(route: EventRoute) -> str:
    """The AsyncAPI id of an event's message: its type and schema version."""
    return f"{route.event.event_type}.v{route.event.schema_version}"


def _ref(*path: str) -> dict[str, str]:
    return {"$ref": "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in path)}


def _payload_schemas(catalog: Catalog) -> tuple[dict[str, str], dict[str, Any]]:
    """Each route's envelope schema reference, and every schema they need, by name.

    An envelope's schema is named as in its JSON Schema file, e.g. ``PairCreatedEnvelope``.
    """
    keys: list[tuple[type[BaseModel], Literal["validation"]]] = [
        (Envelope[route.event], "validation")  # type: ignore[name-defined]
        for route in catalog
    ]
    references, top = models_json_schema(keys, ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = top["$defs"]
    payloads = {}
    for route, key in zip(catalog, keys, strict=True):
        generated = references[key]["$ref"].rpartition("/")[2]
        name = f"{route.event.event_type}Envelope"
        schemas[name] = schemas.pop(generated)
        payloads[message_key(route)] = f"#/components/schemas/{name}"
    return payloads, schemas


def _event_message(route: EventRoute, payload: str) -> dict[str, Any]:
    event = route.event
    doc = (event.__doc__ or "").strip()
    return {
        "name": event.event_type,
        "title": f"{event.event_type} (schema v{event.schema_version})",
        "summary": doc.splitlines()[0] if doc else event.event_type,
        "description": f"{doc}\n\nOn {route.topic.name}, keyed by `{route.key_field}`.",
        "contentType": CONTENT_TYPE,
        "headers": {
            "type": "object",
            "allOf": [
                _ref("components", "schemas", EVENT_HEADERS),
                {
                    "properties": {
                        "ce_type": {"const": event.event_type},
                        "ce_dataschema": {
                            "const": schema_urn(event.event_type, event.schema_version)
                        },
                    }
                },
            ],
        },
        "payload": {"$ref": payload},
        "correlationId": _ref("components", "correlationIds", "flow"),
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "description": f"The event's {route.key_field} (the envelope's aggregate_id).",
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


DEAD_LETTER_MESSAGE: dict[str, Any] = {
    "name": DEAD_LETTER,
    "title": "Dead letter",
    "summary": "A record a consumer group could never process, parked with why.",
    "description": (
        "The original record, unchanged (value, key and headers), with dlq_* headers saying "
        "why and where it failed. `python -m mentorship_kit.redrive <group>` publishes it "
        "back, without the dlq_* headers, to the topic it came from."
    ),
    "contentType": "application/octet-stream",
    "headers": _ref("components", "schemas", "DeadLetterHeaders"),
    "payload": {
        "type": "string",
        "format": "binary",
        "description": "The original record's value: usually an event envelope, maybe not JSON.",
    },
    "correlationId": {
        "location": "$message.header#/ce_correlationid",
        "description": "The flow's, when the original record was an event that carried it.",
    },
    "bindings": {
        "kafka": {
            "key": {
                "type": "string",
                "description": "The original record's key (none if it had none).",
            },
            "bindingVersion": KAFKA_BINDING_VERSION,
        }
    },
}


def _channel(topic: Topic, messages: list[str], description: str) -> dict[str, Any]:
    return {
        "address": topic.name,
        "title": topic.name,
        "description": description,
        "messages": {key: _ref("components", "messages", key) for key in messages},
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "partitions": topic.partitions,
                "topicConfiguration": {
                    "cleanup.policy": ["delete"],
                    "retention.ms": topic.retention_ms,
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _operation(
    action: str, topic: Topic, messages: list[str], description: str, group: str | None = None
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "action": action,
        "channel": _ref("channels", topic.name),
        "description": description,
        "messages": [_ref("channels", topic.name, "messages", key) for key in messages],
    }
    if group is not None:
        operation["bindings"] = {
            "kafka": {
                "groupId": {"type": "string", "enum": [group]},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        }
    return operation


def asyncapi_document(catalog: Catalog = CATALOG) -> dict[str, Any]:
    """The AsyncAPI 3.1 document of every topic, its events and keys, and the dead letters."""
    payloads, schemas = _payload_schemas(catalog)
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    on_topic: dict[Topic, list[str]] = {}
    for route in catalog:
        key = message_key(route)
        messages[key] = _event_message(route, payloads[key])
        on_topic.setdefault(route.topic, []).append(key)
    prefix = "With KAFKA_TOPIC_PREFIX, every topic and group name starts with that prefix."
    for topic in EVENT_TOPICS:
        keys = on_topic.get(topic, [])
        channels[topic.name] = _channel(topic, keys, f"{topic.description} {prefix}")
        operations[f"{topic.name}.send"] = _operation(
            "send",
            topic,
            keys,
            "The outbox relay of the service that emits these events (the envelope's `source`) "
            "publishes them, in order per key, once their transaction committed.",
        )
    for group, topics in SUBSCRIPTIONS.items():
        for topic in topics:
            operations[f"{group}.receive.{topic.name}"] = _operation(
                "receive",
                topic,
                on_topic.get(topic, []),
                f"The {group} service's consumer group; it skips event types it does not "
                "handle and parks in its dead letters what it can never process.",
                group=group,
            )
    messages[DEAD_LETTER] = DEAD_LETTER_MESSAGE
    for group in CONSUMER_GROUPS:
        topic = dead_letter_topic(group)
        writers = (
            f"Written by the {group} consumers."
            if group in SUBSCRIPTIONS
            else f"The {group} service consumes nothing: nothing writes this topic."
        )
        channels[topic.name] = _channel(
            topic, [DEAD_LETTER], f"{topic.description} {writers} {prefix}"
        )
        if group not in SUBSCRIPTIONS:
            continue
        operations[f"{topic.name}.send"] = _operation(
            "send",
            topic,
            [DEAD_LETTER],
            f"The {group} consumers park here what they can never process.",
        )
        operations[f"{topic.name}.receive"] = _operation(
            "receive",
            topic,
            [DEAD_LETTER],
            f"`python -m mentorship_kit.redrive {group}` re-drives these records to the "
            f"topics they came from, as the consumer group {group}.redrive.",
            group=f"{group}.redrive",
        )
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Mentorship platform events",
            "version": version("mentorship-contracts"),
            "description": (
                "Integration events of the mentorship platform. Every event travels as a JSON "
                "envelope (metadata plus `data`) with CloudEvents binary-mode headers, keyed by "
                "its aggregate id; records a consumer group can never process go, unchanged, to "
                "that group's dead-letter topic."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "cluster": {
                "host": "mentorship-kafka-bootstrap:9093",
                "protocol": "kafka-secure",
                "description": (
                    "The Strimzi cluster of deploy/k8s: TLS, a SCRAM-SHA-512 user per service "
                    "whose ACLs allow only its own topics and group. Elsewhere the services' "
                    "KAFKA_BOOTSTRAP and KAFKA_SECURITY_PROTOCOL say where and how."
                ),
                "security": [_ref("components", "securitySchemes", "scram")],
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": {
                EVENT_HEADERS: HEADERS_SCHEMA,
                "DeadLetterHeaders": DEAD_LETTER_HEADERS,
                **schemas,
            },
            "messages": messages,
            "correlationIds": {
                "flow": {
                    "description": "Shared by every event and request of one business flow.",
                    "location": "$message.header#/ce_correlationid",
                }
            },
            "securitySchemes": {
                "scram": {
                    "type": "scramSha512",
                    "description": (
                        "The user mentorship-kafka-<service>, its password in the Secret of "
                        "that name (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)."
                    ),
                }
            },
        },
    }


def render(document: dict[str, Any]) -> str:
    """Stable text of a JSON document (sorted keys), as committed."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
