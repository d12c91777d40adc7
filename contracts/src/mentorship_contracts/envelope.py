"""The envelope every integration event travels in.

An event on the wire is a JSON object: the envelope's metadata next to ``data``, the event
itself. The same metadata is repeated as CloudEvents binary-mode Kafka headers (see
`mentorship_contracts.codec`) so a subscriber can route without parsing the body.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar, override
from uuid import UUID, uuid4

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from mentorship_contracts.types import Identifier, UtcDatetime, utc_now

CorrelationId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
ServiceName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,62}$")]


class IntegrationEvent(BaseModel):
    """Base of every integration event: an immutable fact, named in the past tense.

    Subscribers ignore fields they do not know, so adding an optional field keeps the
    schema version; removing or changing a field is a new version on a new topic.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)

    event_type: ClassVar[str]
    """The wire name of the event: its class name."""
    schema_version: ClassVar[int] = 1
    """The major version of the schema; bumped only by a breaking change."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.event_type = cls.__name__


EventT_co = TypeVar("EventT_co", bound=IntegrationEvent, covariant=True)


class Envelope(BaseModel, Generic[EventT_co]):  # noqa: UP046 - PEP 695 cannot declare covariance
    """Metadata that travels with every event, wrapping the event itself in ``data``.

    Frozen, hence covariant: an ``Envelope[PairCreated]`` is an ``Envelope[IntegrationEvent]``.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: UUID = Field(description="Unique per event; subscribers deduplicate on it.")
    event_type: str = Field(description="The event's name, e.g. ParticipantRegistered.")
    schema_version: int = Field(ge=1, description="Major version of the event's schema.")
    occurred_at: UtcDatetime = Field(description="When the fact happened (UTC).")
    source: ServiceName = Field(description="The service that emitted the event.")
    aggregate_id: Identifier = Field(
        description="Id of the aggregate the event is about; also the Kafka message key."
    )
    correlation_id: CorrelationId = Field(
        description="Shared by every event and request of one business flow."
    )
    causation_id: UUID | None = Field(
        default=None, description="The event_id of the event that caused this one, if any."
    )
    data: EventT_co

    @classmethod
    @override
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return f"{params[0].__name__}Envelope"

    @model_validator(mode="after")
    def _names_its_event(self) -> Self:
        data_type = type(self.data)
        if data_type is not IntegrationEvent and (
            self.event_type != data_type.event_type
            or self.schema_version != data_type.schema_version
        ):
            msg = (
                f"envelope says {self.event_type} v{self.schema_version} but data is "
                f"{data_type.event_type} v{data_type.schema_version}"
            )
            raise ValueError(msg)
        return self

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        args = cls.__pydantic_generic_metadata__["args"]
        if args and isinstance(args[0], type) and issubclass(args[0], IntegrationEvent):
            event = args[0]
            properties = handler.resolve_ref_schema(schema)["properties"]
            properties["event_type"]["const"] = event.event_type
            properties["schema_version"]["const"] = event.schema_version
            handler.resolve_ref_schema(schema)["description"] = (
                f"{event.event_type} (schema v{event.schema_version}) in its envelope.\n\n"
                f"{(event.__doc__ or '').strip()}"
            )
        return schema


def wrap[EventT: IntegrationEvent](
    event: EventT,
    *,
    source: str,
    aggregate_id: str,
    correlation_id: str | None = None,
    causation_id: UUID | None = None,
    occurred_at: UtcDatetime | None = None,
    event_id: UUID | None = None,
) -> Envelope[EventT]:
    """Put ``event`` in a new envelope with ``event_id``, or a fresh one.

    A caller passes its own ``event_id`` when the event must be recognisable as the same one
    however often it is produced (e.g. a reminder derived from a session and its time).
    """
    event_id = event_id or uuid4()
    parametrized: Any = Envelope[type(event)]  # type: ignore[misc]
    envelope: Envelope[EventT] = parametrized(
        event_id=event_id,
        event_type=event.event_type,
        schema_version=event.schema_version,
        occurred_at=occurred_at or utc_now(),
        source=source,
        aggregate_id=aggregate_id,
        correlation_id=correlation_id or str(event_id),
        causation_id=causation_id,
        data=event,
    )
    return envelope
