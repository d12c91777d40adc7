"""Turning events into Kafka records and back.

A record's value is the JSON envelope; its headers carry the CloudEvents attributes in
binary content mode (``ce_id``, ``ce_type``, ``ce_source``, ``ce_specversion``, ``ce_time``,
``ce_subject``, ``ce_dataschema``) plus two extensions, ``ce_correlationid`` and
``ce_causationid``, so any subscriber can route on headers alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from pydantic_core import from_json

from mentorship_contracts.catalog import CATALOG, Catalog
from mentorship_contracts.envelope import Envelope, IntegrationEvent, wrap
from mentorship_contracts.topics import Topic

CLOUDEVENTS_SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class EncodedEvent:
    """An event ready to publish: topic, key, value and headers."""

    topic: Topic
    key: str
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)
    event_type: str = ""
    event_id: str = ""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One reason a message is invalid, located by its dotted path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InvalidEventError(ValueError):
    """A message that is not a valid event of a known type; it can never be processed."""

    def __init__(self, summary: str, errors: tuple[FieldError, ...] = ()) -> None:
        self.summary = summary
        self.errors = errors
        details = "; ".join(str(error) for error in errors)
        super().__init__(f"{summary}: {details}" if details else summary)


def field_errors(error: ValidationError) -> tuple[FieldError, ...]:
    """Flatten a pydantic error into dotted paths and messages."""
    return tuple(
        FieldError(".".join(str(part) for part in item["loc"]), item["msg"])
        for item in error.errors(include_url=False)
    )


def seal[E: IntegrationEvent](
    event: E,
    *,
    source: str,
    correlation_id: str | None = None,
    causation_id: UUID | None = None,
    catalog: Catalog = CATALOG,
    event_id: UUID | None = None,
) -> Envelope[E]:
    """Wrap ``event`` in an envelope whose aggregate id is the event's message key."""
    route = catalog.route(event)
    return wrap(
        event,
        source=source,
        aggregate_id=route.key_of(event),
        correlation_id=correlation_id,
        causation_id=causation_id,
        event_id=event_id,
    )


def cloudevents_headers(envelope: Envelope[Any]) -> dict[str, str]:
    """The CloudEvents binary-mode attributes of ``envelope`` as Kafka headers."""
    headers = {
        "ce_specversion": CLOUDEVENTS_SPEC_VERSION,
        "ce_id": str(envelope.event_id),
        "ce_type": envelope.event_type,
        "ce_source": f"/mentorship/{envelope.source}",
        "ce_time": envelope.occurred_at.isoformat().replace("+00:00", "Z"),
        "ce_subject": envelope.aggregate_id,
        "ce_dataschema": schema_urn(envelope.event_type, envelope.schema_version),
        "ce_correlationid": envelope.correlation_id,
        "content-type": CONTENT_TYPE,
    }
    if envelope.causation_id is not None:
        headers["ce_causationid"] = str(envelope.causation_id)
    return headers


def schema_urn(event_type: str, schema_version: int) -> str:
    """The identifier of an event schema, also the ``$id`` of its JSON Schema file."""
    return f"urn:mentorship:event:{event_type}:v{schema_version}"


def encode(envelope: Envelope[Any], catalog: Catalog = CATALOG) -> EncodedEvent:
    """Serialise ``envelope`` for its topic."""
    route = catalog.route(type(envelope.data))
    return EncodedEvent(
        topic=route.topic,
        key=envelope.aggregate_id,
        value=envelope.model_dump_json().encode(),
        headers=cloudevents_headers(envelope),
        event_type=envelope.event_type,
        event_id=str(envelope.event_id),
    )


def peek_type(value: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, int] | None:
    """The (event_type, schema_version) of a record, from headers or else the body."""
    if headers and "ce_type" in headers and "ce_dataschema" in headers:
        declared = headers["ce_dataschema"].rpartition(":v")[2]
        if declared.isdigit():
            return headers["ce_type"], int(declared)
    try:
        raw = from_json(value)
    except ValueError:
        return None
    if isinstance(raw, dict):
        event_type: object = raw.get("event_type")
        version: object = raw.get("schema_version")
        if isinstance(event_type, str) and isinstance(version, int):
            return event_type, version
    return None


def decode(value: bytes, catalog: Catalog = CATALOG) -> Envelope[IntegrationEvent]:
    """Parse and validate a record value into its typed envelope.

    Raises:
        InvalidEventError: the value is not a well-formed event of its declared type.
        UnknownEventTypeError: the event type or version is not in ``catalog`` (a newer
            producer; subscribers usually skip these rather than dead-letter them).
    """
    try:
        raw = from_json(value)
    except ValueError as error:
        msg = "message value is not JSON"
        raise InvalidEventError(msg, (FieldError("", str(error)),)) from error
    if not isinstance(raw, dict):
        msg = "message value is not a JSON object"
        raise InvalidEventError(msg)
    event_type: object = raw.get("event_type")
    version: object = raw.get("schema_version")
    if not isinstance(event_type, str) or not isinstance(version, int):
        msg = "envelope lacks a string event_type and an integer schema_version"
        raise InvalidEventError(msg)
    route = catalog.resolve(event_type, version)
    try:
        envelope: Envelope[IntegrationEvent] = Envelope[route.event].model_validate(raw)  # type: ignore[name-defined]
    except ValidationError as error:
        msg = f"invalid {event_type} v{version}"
        raise InvalidEventError(msg, field_errors(error)) from error
    if envelope.aggregate_id != route.key_of(envelope.data):
        msg = f"aggregate_id does not match data.{route.key_field}"
        raise InvalidEventError(msg)
    return envelope
