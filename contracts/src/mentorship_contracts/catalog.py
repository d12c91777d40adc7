"""Which topic each event lives on and which field is its message key."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mentorship_contracts import topics
from mentorship_contracts.envelope import IntegrationEvent
from mentorship_contracts.events.directory import (
    DirectoryPersonChanged,
    DirectoryPersonErased,
    ErasureRequested,
)
from mentorship_contracts.events.feedback import (
    GoalProgressUpdated,
    MentorRecognized,
    OutcomeRecorded,
    OutcomesErased,
    PairingFitReported,
    RaterInvited,
    SessionFeedbackSubmitted,
    SkillsAssessed,
    SurveyResponseSubmitted,
)
from mentorship_contracts.events.invitation import InvitationReminderSent, InvitationSent
from mentorship_contracts.events.matching import (
    MatchingRunApproved,
    MatchingRunProposed,
    PairCreated,
    PairEnded,
)
from mentorship_contracts.events.participant import (
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrew,
)
from mentorship_contracts.events.program import ProgramCreated, ProgramUpdated
from mentorship_contracts.events.session import (
    SessionCancelled,
    SessionCompleted,
    SessionMissed,
    SessionReminderDue,
    SessionRescheduled,
    SessionScheduled,
)


@dataclass(frozen=True, slots=True)
class EventRoute:
    """Where an event type is published and how it is keyed."""

    event: type[IntegrationEvent]
    topic: topics.Topic
    key_field: str
    """The event field holding the aggregate id: the message key and the envelope's
    ``aggregate_id``. Messages with one key keep their order."""

    def key_of(self, event: IntegrationEvent) -> str:
        """The aggregate id of ``event``."""
        key = getattr(event, self.key_field)
        if not isinstance(key, str):  # pragma: no cover - guarded by the catalog test
            msg = f"{self.event.event_type}.{self.key_field} is not a string"
            raise TypeError(msg)
        return key


class UnknownEventTypeError(LookupError):
    """An event type (or version) this catalog does not know."""


class Catalog:
    """Lookups over a set of routes."""

    def __init__(self, routes: Iterable[EventRoute]) -> None:
        self._routes = tuple(routes)
        self._by_class = {route.event: route for route in self._routes}
        self._by_name = {
            (route.event.event_type, route.event.schema_version): route for route in self._routes
        }
        if len(self._by_name) != len(self._routes):
            msg = "two routes share an event type and version"
            raise ValueError(msg)

    def __iter__(self) -> Iterator[EventRoute]:
        return iter(self._routes)

    def route(self, event: type[IntegrationEvent] | IntegrationEvent) -> EventRoute:
        """The route of an event class or instance."""
        event_class = event if isinstance(event, type) else type(event)
        try:
            return self._by_class[event_class]
        except KeyError:
            msg = f"{event_class.__name__} is not a published integration event"
            raise UnknownEventTypeError(msg) from None

    def resolve(self, event_type: str, schema_version: int) -> EventRoute:
        """The route of a wire name and version, as read from a message."""
        try:
            return self._by_name[(event_type, schema_version)]
        except KeyError:
            msg = f"unknown event type {event_type!r} version {schema_version}"
            raise UnknownEventTypeError(msg) from None

    def on_topic(self, topic: topics.Topic) -> tuple[EventRoute, ...]:
        """The routes of every event published on ``topic``."""
        return tuple(route for route in self._routes if route.topic == topic)


CATALOG = Catalog(
    [
        EventRoute(ProgramCreated, topics.PROGRAMS, "program_id"),
        EventRoute(ProgramUpdated, topics.PROGRAMS, "program_id"),
        EventRoute(ParticipantRegistered, topics.PARTICIPANTS, "participant_id"),
        EventRoute(ParticipantUpdated, topics.PARTICIPANTS, "participant_id"),
        EventRoute(ParticipantWithdrew, topics.PARTICIPANTS, "participant_id"),
        EventRoute(ParticipantErased, topics.PARTICIPANTS, "participant_id"),
        EventRoute(MatchingRunProposed, topics.MATCHING_RUNS, "program_id"),
        EventRoute(MatchingRunApproved, topics.MATCHING_RUNS, "program_id"),
        EventRoute(PairCreated, topics.PAIRS, "pair_id"),
        EventRoute(PairEnded, topics.PAIRS, "pair_id"),
        EventRoute(SessionScheduled, topics.SESSIONS, "pair_id"),
        EventRoute(SessionRescheduled, topics.SESSIONS, "pair_id"),
        EventRoute(SessionCancelled, topics.SESSIONS, "pair_id"),
        EventRoute(SessionCompleted, topics.SESSIONS, "pair_id"),
        EventRoute(SessionMissed, topics.SESSIONS, "pair_id"),
        EventRoute(SessionReminderDue, topics.SESSIONS, "pair_id"),
        EventRoute(SessionFeedbackSubmitted, topics.FEEDBACK, "pair_id"),
        EventRoute(PairingFitReported, topics.FEEDBACK, "pair_id"),
        EventRoute(GoalProgressUpdated, topics.DEVELOPMENT, "participant_id"),
        EventRoute(OutcomeRecorded, topics.DEVELOPMENT, "person_id"),
        EventRoute(OutcomesErased, topics.DEVELOPMENT, "person_id"),
        EventRoute(MentorRecognized, topics.DEVELOPMENT, "participant_id"),
        EventRoute(SkillsAssessed, topics.DEVELOPMENT, "participant_id"),
        EventRoute(RaterInvited, topics.DEVELOPMENT, "participant_id"),
        EventRoute(SurveyResponseSubmitted, topics.SURVEYS, "participant_id"),
        EventRoute(DirectoryPersonChanged, topics.DIRECTORY, "person_id"),
        EventRoute(DirectoryPersonErased, topics.DIRECTORY, "person_id"),
        EventRoute(ErasureRequested, topics.DIRECTORY, "person_id"),
        EventRoute(InvitationSent, topics.INVITATIONS, "program_id"),
        EventRoute(InvitationReminderSent, topics.INVITATIONS, "program_id"),
    ]
)
"""Every integration event of the platform."""
