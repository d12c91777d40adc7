"""Every Kafka topic of the platform, in one place.

Naming: ``mentorship.<aggregate>.v<major>`` for event topics and
``mentorship.deadletter.<consumer-group>.v1`` for each consumer group's dead letters. A
breaking change to a topic's events is published side by side on ``...v<major + 1>``.
Deployments that share a cluster may prefix every name (see the kit's ``KAFKA_TOPIC_PREFIX``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic and the settings it is created with."""

    name: str
    partitions: int
    description: str
    retention_ms: int = -1
    """-1 keeps events forever: analytics can rebuild its reports from the beginning."""


PROGRAMS = Topic("mentorship.program.v1", 3, "Program lifecycle, keyed by program_id.")
PARTICIPANTS = Topic(
    "mentorship.participant.v1", 6, "Registrations and their changes, keyed by participant_id."
)
MATCHING_RUNS = Topic(
    "mentorship.matching-run.v1", 3, "Matching proposals and approvals, keyed by program_id."
)
PAIRS = Topic("mentorship.pair.v1", 6, "Pairs created and ended, keyed by pair_id.")
SESSIONS = Topic(
    "mentorship.session.v1",
    6,
    "Session series, changes and reminders, keyed by pair_id: the series, a pair's pair_id or, "
    "in a group program, the group's group_id.",
)
FEEDBACK = Topic("mentorship.feedback.v1", 6, "Session ratings and pairing fit, keyed by pair_id.")
DEVELOPMENT = Topic(
    "mentorship.development.v1",
    6,
    "Goal progress and skills assessments, keyed by the mentee's participant_id; mentor "
    "recognitions, keyed by the "
    "mentor's participant_id; HRIS outcomes and their erasure, keyed by person_id.",
)
SURVEYS = Topic("mentorship.survey.v1", 3, "Program survey responses, keyed by participant_id.")
DIRECTORY = Topic(
    "mentorship.directory.v1",
    6,
    "The organisation's people as pseudonymous ids (manager, department), keyed by person_id.",
)
INVITATIONS = Topic(
    "mentorship.invitation.v1",
    3,
    "Invitations to register and their reminders, keyed by program_id.",
)

EVENT_TOPICS: tuple[Topic, ...] = (
    PROGRAMS,
    PARTICIPANTS,
    MATCHING_RUNS,
    PAIRS,
    SESSIONS,
    FEEDBACK,
    DEVELOPMENT,
    SURVEYS,
    DIRECTORY,
    INVITATIONS,
)

CONSUMER_GROUPS: tuple[str, ...] = (
    "registration",
    "matching",
    "scheduling",
    "feedback",
    "analytics",
    "notifications",
)
"""The consumer group of each service; each has its own dead-letter topic."""

SUBSCRIPTIONS: dict[str, tuple[Topic, ...]] = {
    "registration": (PAIRS,),
    "matching": (PROGRAMS, PARTICIPANTS, FEEDBACK, DIRECTORY),
    "scheduling": (PROGRAMS, PARTICIPANTS, PAIRS),
    "feedback": (PROGRAMS, PARTICIPANTS, PAIRS, SESSIONS, DIRECTORY),
    "analytics": EVENT_TOPICS,
    "notifications": (
        PROGRAMS,
        PARTICIPANTS,
        MATCHING_RUNS,
        PAIRS,
        SESSIONS,
        DIRECTORY,
        INVITATIONS,
        DEVELOPMENT,
    ),
}
"""The event topics each consumer group subscribes to; a group not listed consumes nothing, so
nothing ever writes its dead-letter topic. tests/deploy checks this against
the topics every service's consumer really subscribes to."""

_GROUP_NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")


def dead_letter_topic(consumer_group: str) -> Topic:
    """The topic where ``consumer_group`` parks messages it can never process."""
    if not _GROUP_NAME.match(consumer_group):
        msg = f"consumer group {consumer_group!r} must be lower-case letters, digits and -"
        raise ValueError(msg)
    return Topic(
        f"mentorship.deadletter.{consumer_group}.v1",
        1,
        f"Messages the {consumer_group} consumers could not process, with the error.",
        retention_ms=30 * DAY_MS,
    )


def all_topics() -> tuple[Topic, ...]:
    """Event topics followed by every consumer group's dead-letter topic."""
    return EVENT_TOPICS + tuple(dead_letter_topic(group) for group in CONSUMER_GROUPS)
