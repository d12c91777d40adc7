"""Real Kafka and MongoDB in containers, for machines with a Docker engine.

Enabled with ``MENTORSHIP_TESTCONTAINERS=1``. MongoDB runs as a one-node replica set,
because the outbox relies on multi-document transactions.
"""

from __future__ import annotations

import time
from typing import Any

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from mentorship_devstack.infrastructure import Infrastructure

KAFKA_IMAGE = "confluentinc/cp-kafka:7.9.0"
MONGODB_IMAGE = "mongo:8.0"
REPLICA_SET_TIMEOUT_S = 60.0


class ContainerStack:
    """A Kafka and a MongoDB container, started on construction."""

    def __init__(self) -> None:
        from testcontainers.community.kafka import KafkaContainer
        from testcontainers.core.container import DockerContainer

        self._kafka: Any = KafkaContainer(KAFKA_IMAGE).with_kraft()
        self._kafka.start()
        self._mongo: Any = (
            DockerContainer(MONGODB_IMAGE)
            .with_command("--replSet rs0 --bind_ip_all")
            .with_exposed_ports(27017)
        )
        self._mongo.start()
        host = self._mongo.get_container_host_ip()
        port = self._mongo.get_exposed_port(27017)
        url = f"mongodb://{host}:{port}/?directConnection=true&retryWrites=false"
        _initiate_replica_set(url)
        self.infrastructure = Infrastructure(self._kafka.get_bootstrap_server(), url)

    def stop(self) -> None:
        """Remove both containers."""
        self._mongo.stop()
        self._kafka.stop()


def _initiate_replica_set(url: str) -> None:
    deadline = time.monotonic() + REPLICA_SET_TIMEOUT_S
    client: MongoClient[dict[str, Any]] = MongoClient(url, serverSelectionTimeoutMS=2000)
    try:
        while True:
            try:
                client.admin.command(
                    "replSetInitiate",
                    {"_id": "rs0", "members": [{"_id": 0, "host": "localhost:27017"}]},
                )
            except PyMongoError as error:
                if "already initialized" not in str(error) and time.monotonic() < deadline:
                    time.sleep(0.5)
                    continue
            if client.admin.command("hello").get("isWritablePrimary"):
                return
            if time.monotonic() > deadline:
                msg = "MongoDB replica set did not elect a primary"
                raise RuntimeError(msg)
            time.sleep(0.5)
    finally:
        client.close()
