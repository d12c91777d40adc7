"""Create the platform's topics explicitly, with their partition counts.

Works against any Kafka (tansu locally, a real cluster in CI elsewhere); on Kubernetes the
Strimzi ``KafkaTopic`` resources do the same job.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from mentorship_contracts.topics import Topic, all_topics

TOPIC_ALREADY_EXISTS = 36


class TopicCreationError(RuntimeError):
    """The broker refused to create a topic."""


async def create_topics(
    bootstrap: str, *, prefix: str = "", topics: Iterable[Topic] | None = None
) -> list[str]:
    """Create every missing topic (with ``prefix``); returns the names created."""
    wanted = list(all_topics() if topics is None else topics)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="devstack")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=f"{prefix}{topic.name}",
                num_partitions=topic.partitions,
                replication_factor=1,
            )
            for topic in wanted
            if f"{prefix}{topic.name}" not in existing
        ]
        if not missing:
            return []
        response = await admin.create_topics(missing)
        errors = [
            f"{name}: {message or code}"
            for name, code, message in response.topic_errors
            if code not in (0, TOPIC_ALREADY_EXISTS)
        ]
        if errors:
            raise TopicCreationError("; ".join(errors))
        return [topic.name for topic in missing]
    finally:
        await admin.close()
