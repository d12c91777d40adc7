"""Network policies: deny by default, then only what each service needs."""

from __future__ import annotations

import copy

import pytest

from .checks import network_problems
from .manifests import DELETE, OVERLAYS, PROD, Manifest, Overlays, damage


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_reaches_only_what_it_needs(overlays: Overlays, overlay: str) -> None:
    assert network_problems(overlays[overlay]) == []


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
]


@pytest.mark.parametrize(("target", "pointer", "value"), BREAKS)
def test_the_network_check_notices_a_break(
    overlays: Overlays, target: str, pointer: str, value: object
) -> None:
    docs: list[Manifest] = copy.deepcopy(overlays[PROD])
    damage(docs, target, pointer, value)
    assert network_problems(docs)
