"""Every rendered object is valid: built-in kinds against Kubernetes' strict schemas, custom
resources against the operators' real CRDs from ../shared/k8s-crds (Strimzi 1.2.0, the MongoDB
Community operator, Prometheus Operator 0.93.0), which are themselves structural CRDs whose every
keyword the validator knows."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from .manifests import OVERLAYS, PROD, ROOT, Manifest, Overlays, named, of_kind, with_ops
from .schemas import (
    CRDS_DEFAULT,
    CRDS_ENV,
    OPERATORS,
    CustomResourceDefinitions,
    builtin_errors,
    crds_folder,
    is_custom,
    missing_crds,
    structural_problems,
    unhandled_keywords,
)

CUSTOM_KINDS = {
    "Kafka",
    "KafkaNodePool",
    "KafkaTopic",
    "KafkaUser",
    "MongoDBCommunity",
    "ServiceMonitor",
    "PrometheusRule",
}
STRIMZI_API = "kafka.strimzi.io/v1"
"""The only Strimzi API version Strimzi 1.x serves (0.49 to 0.51 serve it beside v1beta2)."""

OPEN_REGIONS = {
    ("Kafka", "spec.kafka.config"),  # broker settings (Strimzi checks them itself)
    ("KafkaTopic", "spec.config"),  # topic settings (the topic operator checks them)
    ("MongoDBCommunity", "spec.additionalMongodConfig"),  # mongod.conf settings
    ("MongoDBCommunity", "spec.statefulSet.spec"),  # checked as a StatefulSetSpec instead
}
"""The regions of the CRDs that preserve unknown fields and that the overlays put values in."""


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_builtin_object_is_valid(overlays: Overlays, overlay: str) -> None:
    invalid = {
        f"{doc['kind']} {doc['metadata']['name']}": problems
        for doc in overlays[overlay]
        if not is_custom(doc) and (problems := builtin_errors(doc))
    }
    assert not invalid


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_custom_resource_passes_its_operators_crd(
    overlays: Overlays, crds: CustomResourceDefinitions, overlay: str
) -> None:
    invalid = {
        f"{doc['kind']} {doc['metadata']['name']}": problems
        for doc in overlays[overlay]
        if is_custom(doc) and (problems := crds.errors(doc))
    }
    assert not invalid


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_strimzi_objects_use_the_v1_api(overlays: Overlays, overlay: str) -> None:
    versions = {doc["apiVersion"] for doc in overlays[overlay]}
    assert {api for api in versions if api.startswith("kafka.strimzi.io/")} <= {STRIMZI_API}


def test_the_redrive_job_is_valid(overlays: Overlays) -> None:
    """The Job template of deploy/k8s/ops, filled in as the README says: strictly valid."""
    (job,) = of_kind(with_ops(overlays[PROD]), "Job")
    assert builtin_errors(job) == []


@pytest.mark.parametrize(
    ("path", "key", "value"),
    [
        (("spec",), "backoffLimits", 0),  # a typo: unknown field
        (("spec",), "ttlSecondsAfterFinished", "1d"),  # wrong type
        (("spec", "template", "spec", "containers", 0), "args", "matching"),  # not a list
    ],
)
def test_an_invalid_job_is_reported(
    overlays: Overlays, path: tuple[str | int, ...], key: str, value: object
) -> None:
    (job,) = of_kind(with_ops(overlays[PROD]), "Job")
    target: Any = job
    for step in path:
        target = target[step]
    target[key] = value
    assert builtin_errors(job)


def test_the_custom_resources_are_the_operators_kinds(overlays: Overlays) -> None:
    custom = [doc for doc in overlays[PROD] if is_custom(doc)]
    assert {doc["kind"] for doc in custom} == CUSTOM_KINDS
    assert {doc["apiVersion"].rpartition("/")[0] for doc in custom} == set(OPERATORS)


def test_the_crds_serve_every_kind_the_overlays_use(crds: CustomResourceDefinitions) -> None:
    assert {kind for _, kind in crds.served} >= CUSTOM_KINDS
    assert [api for api, kind in crds.served if api.startswith("kafka.strimzi.io/")] == [
        STRIMZI_API
    ] * 4


def test_the_operators_crds_are_structural_and_understood(
    crds: CustomResourceDefinitions,
) -> None:
    """The API server would accept each CRD, and the validator knows every keyword it uses (a
    new one, after an operator upgrade, fails here rather than being silently ignored)."""
    for crd in crds.documents:
        name = crd["metadata"]["name"]
        assert builtin_errors(crd) == [], name
        for version in crd["spec"]["versions"]:
            schema = version["schema"]["openAPIV3Schema"]
            assert list(structural_problems(schema)) == [], name
            assert unhandled_keywords(schema) == set(), name


def test_only_known_open_regions_hold_values(
    overlays: Overlays, crds: CustomResourceDefinitions
) -> None:
    """Where a CRD preserves unknown fields, nothing checks a value's name or type: the overlays
    put values in those regions only, each checked elsewhere or left to its operator."""
    regions = {
        (doc["kind"], value.partition(":")[0])
        for overlay in OVERLAYS
        for doc in overlays[overlay]
        if is_custom(doc)
        for value in crds.open_values(doc)
    }
    assert regions == OPEN_REGIONS


def test_crds_are_read_from_beside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CRDS_ENV, raising=False)
    assert crds_folder() == CRDS_DEFAULT
    assert Path("..", "shared", "k8s-crds") == CRDS_DEFAULT.relative_to(ROOT, walk_up=True)
    monkeypatch.setenv(CRDS_ENV, "/elsewhere/crds")
    assert crds_folder() == Path("/elsewhere/crds")


def test_missing_crds_say_why(tmp_path: Path) -> None:
    assert missing_crds(tmp_path) is None
    reason = missing_crds(tmp_path / "absent")
    assert reason is not None
    assert str(tmp_path / "absent") in reason
    assert "../shared/k8s-crds" in reason
    assert CRDS_ENV in reason


def _broken(docs: list[Manifest], kind: str, name: str) -> Manifest:
    return copy.deepcopy(named(docs, kind, name))


def _set(doc: Manifest, path: tuple[str | int, ...], key: str | int, value: object) -> None:
    target: Any = doc
    for step in path:
        target = target[step]
    target[key] = value


LISTENER = ("spec", "kafka", "listeners", 0)
ACL = ("spec", "authorization", "acls", 0)
MONGOD = ("spec", "statefulSet", "spec", "template", "spec", "containers", 0)


@pytest.mark.parametrize(
    ("kind", "name", "path", "key", "value"),
    [
        ("Deployment", "matching", ("spec",), "replica", 2),  # a typo: unknown field
        ("Service", "registration", ("spec", "ports", 0), "port", "eighty"),  # wrong type
    ],
)
def test_an_invalid_builtin_object_is_reported(
    overlays: Overlays,
    *,
    kind: str,
    name: str,
    path: tuple[str | int, ...],
    key: str,
    value: object,
) -> None:
    doc = _broken(overlays[PROD], kind, name)
    assert builtin_errors(doc) == []
    _set(doc, path, key, value)
    problems = builtin_errors(doc)
    assert any(key in problem or str(value) in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("kind", "name", "path", "key", "value"),
    [
        ("KafkaTopic", "mentorship.pair.v1", ("spec",), "partition", 6),
        ("KafkaTopic", "mentorship.pair.v1", ("spec",), "configs", {"retention.ms": 1}),
        ("KafkaNodePool", "combined", ("spec",), "roles", ["broker", "zookeeper"]),
        ("KafkaNodePool", "combined", ("spec", "storage", "volumes", 0), "kraftMetadata", "own"),
        (
            "Kafka",
            "mentorship",
            (*LISTENER, "authentication"),
            "type",
            "scram-sha-256",  # Strimzi listeners only know SCRAM-SHA-512
        ),
        ("Kafka", "mentorship", (*LISTENER, "authentication"), "type", "oauth"),  # v1beta2 only
        ("Kafka", "mentorship", LISTENER, "name", "tlsscramsha512"),  # v1: at most 11 characters
        ("Kafka", "mentorship", ("spec", "kafka", "authorization"), "superUser", ["admin"]),
        ("Kafka", "mentorship", ("spec", "kafka", "authorization"), "type", "opa"),  # v1beta2 only
        ("Kafka", "mentorship", ("spec",), "zookeeper", {"replicas": 3}),  # gone in v1
        ("Kafka", "mentorship", ("spec", "kafka"), "replicas", 3),  # node pools' in v1
        ("Kafka", "mentorship", ("spec", "entityOperator", "topicOperator"), "watchedNs", "x"),
        ("Kafka", "mentorship", (), "apiVersion", "kafka.strimzi.io/v1beta2"),  # not served
        ("KafkaUser", "mentorship-kafka-matching", ACL, "operations", ["Produce"]),
        ("KafkaUser", "mentorship-kafka-matching", ACL, "operation", "Write"),  # v1beta2 only
        ("KafkaUser", "mentorship-kafka-feedback", (*ACL, "resource"), "type", "topics"),
        ("KafkaUser", "mentorship-kafka-analytics", ("spec", "authentication"), "type", "scram"),
        ("KafkaUser", "mentorship-kafka-analytics", ("metadata",), "lables", {"a": "b"}),
        ("KafkaUser", "mentorship-kafka-analytics", ("metadata", "labels"), "team", 7),
        ("MongoDBCommunity", "mentorship-mongodb", ("spec",), "type", "Sharded"),
        ("MongoDBCommunity", "mentorship-mongodb", MONGOD, "resource", {}),  # in its StatefulSet
        ("MongoDBCommunity", "mentorship-mongodb", MONGOD[:3], "replicas", "3"),
        ("ServiceMonitor", "analytics", ("spec", "endpoints", 0), "intervall", "30s"),
        ("ServiceMonitor", "analytics", ("spec", "endpoints", 0), "targetPort", [8000]),
        ("PrometheusRule", "mentorship", ("spec", "groups", 0, "rules", 0), "for", "5 min"),
    ],
)
def test_an_invalid_custom_resource_is_reported(
    overlays: Overlays,
    crds: CustomResourceDefinitions,
    *,
    kind: str,
    name: str,
    path: tuple[str | int, ...],
    key: str,
    value: object,
) -> None:
    doc = _broken(overlays[PROD], kind, name)
    assert crds.errors(doc) == []
    _set(doc, path, key, value)
    problems = crds.errors(doc)
    assert any(key in problem or str(value) in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("kind", "name", "path", "key", "value"),
    [
        # A value validation (oneOf) names one field of an env var: the others stay allowed.
        (
            "Kafka",
            "mentorship",
            ("spec", "kafka"),
            "template",
            {"kafkaContainer": {"env": [{"name": "TZ", "value": "UTC"}]}},
        ),
        ("Kafka", "mentorship", ("spec", "kafka", "config"), "num.io.threads", 8),  # open region
        ("ServiceMonitor", "analytics", ("spec", "endpoints", 0), "targetPort", "http"),
        ("ServiceMonitor", "analytics", ("spec", "endpoints", 0), "targetPort", 8000),
    ],
)
def test_a_valid_change_is_not_reported(
    overlays: Overlays,
    crds: CustomResourceDefinitions,
    *,
    kind: str,
    name: str,
    path: tuple[str | int, ...],
    key: str,
    value: object,
) -> None:
    doc = _broken(overlays[PROD], kind, name)
    _set(doc, path, key, value)
    assert crds.errors(doc) == []


def _kafka_crd(crds: CustomResourceDefinitions) -> Manifest:
    (crd,) = (crd for crd in crds.documents if crd["spec"]["names"]["kind"] == "Kafka")
    return copy.deepcopy(crd)


def _kafka_schema(crd: Manifest) -> dict[str, Any]:
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def test_a_non_structural_crd_is_reported(crds: CustomResourceDefinitions) -> None:
    crd = _kafka_crd(crds)
    kafka = _kafka_schema(crd)["properties"]["spec"]["properties"]["kafka"]
    kafka["properties"]["listeners"]["items"].pop("type")
    kafka["additionalProperties"] = {"type": "string"}
    env = kafka["properties"]["template"]["properties"]["kafkaContainer"]["properties"]["env"]
    env["items"]["oneOf"][0]["properties"]["valu"] = {}
    env["items"]["oneOf"][1]["type"] = "object"
    assert list(structural_problems(_kafka_schema(crd))) == [
        ".spec.kafka: both properties and additionalProperties",
        ".spec.kafka.listeners.items: no type",
        (
            ".spec.kafka.template.kafkaContainer.env.items.oneOf[0]: names fields the skeleton"
            " does not list: valu"
        ),
        ".spec.kafka.template.kafkaContainer.env.items.oneOf[1]: a type in a value validation",
    ]


def test_an_unknown_schema_keyword_is_reported(crds: CustomResourceDefinitions) -> None:
    crd = _kafka_crd(crds)
    spec = _kafka_schema(crd)["properties"]["spec"]
    spec["properties"]["kafka"]["properties"]["config"]["x-kubernetes-embedded-resource"] = True
    spec["properties"]["kafka"]["maxProperties"] = 20
    assert unhandled_keywords(_kafka_schema(crd)) == {
        "x-kubernetes-embedded-resource",
        "maxProperties",
    }
