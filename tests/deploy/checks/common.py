"""What several groups of checks share: the platform's conventions (labels, ports, how it talks
to Kafka), resource quantities, and small readers of rendered objects."""

from __future__ import annotations

import re
from collections.abc import Mapping

from tests.deploy.manifests import (
    Manifest,
    app_container,
)

RECOMMENDED_LABELS = tuple(
    f"app.kubernetes.io/{key}"
    for key in ("name", "instance", "component", "part-of", "version", "managed-by")
)
JOB_LABELS = tuple(key for key in RECOMMENDED_LABELS if key != "app.kubernetes.io/version")
"""A Job's: it belongs to no rendered release (the version label is the overlay's)."""
HTTP_PORT = 8000
JOB = "mentorship"
"""The `job` label of every scraped service (ServiceMonitor jobLabel: app.kubernetes.io/part-of)."""
MONGODB_PORT = 27017
KAFKA_PROTOCOL = "SASL_SSL"
"""How the services talk to the bundled Kafka cluster: TLS, and SASL logins."""
KAFKA_MECHANISMS = {"scram-sha-512": "SCRAM-SHA-512"}
"""The client's KAFKA_SASL_MECHANISM for a Strimzi listener's (and KafkaUser's) authentication."""
REDRIVE_COMMAND = ["python", "-m", "mentorship_kit.redrive"]
"""What the dead-letter re-drive Job runs (its arguments: the group, then options)."""
SHARED_CONFIG = "mentorship-shared"
"""The ConfigMap of the settings every service reads (base/shared.env), before its hash suffix."""
SHARED_KAFKA_SETTINGS = (
    "KAFKA_BOOTSTRAP",
    "KAFKA_TOPIC_PREFIX",
    "KAFKA_SECURITY_PROTOCOL",
    "KAFKA_SASL_MECHANISM",
)
"""Where the services' Kafka is and how its topics are named: a Job that works on their topics
sets them as they do."""

_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")
_FACTORS = {
    None: 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
}


def quantity(value: str | int | float) -> float:
    """A Kubernetes resource quantity ("250m", "1Gi", 2) as a number."""
    match = _QUANTITY.match(str(value))
    if not match:
        msg = f"not a quantity: {value!r}"
        raise ValueError(msg)
    return float(match.group(1)) * _FACTORS[match.group(2)]


def runs_redrive(job: Manifest) -> bool:
    """Whether a Job runs the dead-letter re-drive."""
    return app_container(job).get("command") == REDRIVE_COMMAND


def is_secure(listener: Manifest) -> bool:
    """Whether a Strimzi listener encrypts and logs clients in with a SCRAM password."""
    authentication = listener.get("authentication", {}).get("type")
    return listener.get("tls") is True and authentication in KAFKA_MECHANISMS


def env_value(env: Mapping[str, Manifest], key: str) -> str:
    """A variable's literal (or ConfigMap) value; empty when unset or read from elsewhere."""
    return str(env.get(key, {}).get("value", ""))
