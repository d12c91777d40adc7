"""Network policies: deny by default, then only what each service needs; the dead-letter
re-drive Job (deploy/k8s/ops) reaches Kafka only."""

from __future__ import annotations

import copy

import pytest

from .checks.network import network_problems
from .manifests import DELETE, OVERLAYS, PROD, Manifest, Overlays, damage, with_ops


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_reaches_only_what_it_needs(overlays: Overlays, overlay: str) -> None:
    assert network_problems(with_ops(overlays[overlay])) == []


BREAKS = [
    pytest.param("NetworkPolicy/default-deny", "", DELETE, id="no default deny"),
    pytest.param("NetworkPolicy/allow-dns", "", DELETE, id="no DNS"),
    pytest.param("NetworkPolicy/matching", "spec/ingress", DELETE, id="no way in"),
    pytest.param("NetworkPolicy/feedback", "spec/egress/0", DELETE, id="no Kafka"),
    pytest.param(
        "NetworkPolicy/registration",
        "spec/egress/0/ports/0/port",
        9092,
        id="Kafka's old plain-text port",
    ),
    pytest.param(
        "Kafka/mentorship", "spec/kafka/listeners/0/port", 9094, id="no listener on the port"
    ),
    pytest.param(
        "NetworkPolicy/analytics", "spec/egress/1/ports/0/port", 27018, id="wrong MongoDB port"
    ),
    pytest.param("Kafka/mentorship", "metadata/name", "events", id="Kafka cluster renamed"),
    pytest.param(
        "Kafka/mentorship",
        "spec/kafka/listeners/0/networkPolicyPeers/0/podSelector/matchLabels/app.kubernetes.io~1component",
        "api",
        id="Kafka listener admits other pods",
    ),
    pytest.param(
        "NetworkPolicy/mongodb",
        "spec/ingress/0/from/1",
        DELETE,
        id="MongoDB shuts the services out",
    ),
    pytest.param(
        "MongoDBCommunity/mentorship-mongodb", "metadata/name", "db", id="replica set renamed"
    ),
    # the re-drive Job
    pytest.param("NetworkPolicy/redrive", "", DELETE, id="the Job cannot reach Kafka"),
    pytest.param(
        "Job/redrive-",
        "spec/template/metadata/labels/app.kubernetes.io~1name",
        "reports",
        id="no policy selects the Job's pods",
    ),
    pytest.param(
        "Kafka/mentorship",
        "spec/kafka/listeners/0/networkPolicyPeers/1",
        DELETE,
        id="the Kafka listener shuts the Job out",
    ),
    pytest.param(
        "NetworkPolicy/redrive",
        "spec/ingress",
        [{"from": [{"podSelector": {}}], "ports": [{"port": 8000}]}],
        id="the Job lets traffic in",
    ),
    pytest.param(
        "NetworkPolicy/redrive",
        "spec/egress",
        [
            {
                "to": [{"podSelector": {"matchLabels": {"strimzi.io/cluster": "mentorship"}}}],
                "ports": [{"port": 9093, "protocol": "TCP"}],
            },
            {
                "to": [{"podSelector": {"matchLabels": {"app": "mentorship-mongodb-svc"}}}],
                "ports": [{"port": 27017, "protocol": "TCP"}],
            },
        ],
        id="the Job reaches MongoDB",
    ),
    pytest.param("NetworkPolicy/redrive", "spec/egress/0/to", DELETE, id="the Job reaches anyone"),
    pytest.param(
        "NetworkPolicy/redrive", "spec/egress/0/ports", DELETE, id="the Job goes out on any port"
    ),
]


@pytest.mark.parametrize(("target", "pointer", "value"), BREAKS)
def test_the_network_check_notices_a_break(
    overlays: Overlays, target: str, pointer: str, value: object
) -> None:
    docs: list[Manifest] = copy.deepcopy(with_ops(overlays[PROD]))
    assert network_problems(docs) == []
    damage(docs, target, pointer, value)
    assert network_problems(docs)
