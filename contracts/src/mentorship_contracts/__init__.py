"""The mentorship platform's integration events: envelope, schemas, topics and keys.

Services and outside subscribers share this package; it has no I/O of its own.
"""

from mentorship_contracts.catalog import CATALOG, Catalog, EventRoute, UnknownEventTypeError
from mentorship_contracts.codec import (
    EncodedEvent,
    FieldError,
    InvalidEventError,
    cloudevents_headers,
    decode,
    encode,
    peek_type,
    seal,
)
from mentorship_contracts.envelope import Envelope, IntegrationEvent, wrap

__all__ = [
    "CATALOG",
    "Catalog",
    "EncodedEvent",
    "Envelope",
    "EventRoute",
    "FieldError",
    "IntegrationEvent",
    "InvalidEventError",
    "UnknownEventTypeError",
    "cloudevents_headers",
    "decode",
    "encode",
    "peek_type",
    "seal",
    "wrap",
]
