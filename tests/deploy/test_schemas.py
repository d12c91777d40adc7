"""Every rendered object is valid: built-in kinds against Kubernetes' strict schemas, custom
resources against the committed CRD subsets (which are themselves valid, structural CRDs)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from .manifests import OVERLAYS, PROD, Manifest, Overlays, named, of_kind, with_ops
from .schemas import (
    builtin_errors,
    crd_documents,
    custom_resource_errors,
    errors,
    is_custom,
    structural_problems,
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


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid(overlays: Overlays, overlay: str) -> None:
    invalid = {
        f"{doc['kind']} {doc['metadata']['name']}": problems
        for doc in overlays[overlay]
        if (problems := errors(doc))
    }
    assert not invalid


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


def test_custom_resources_are_checked_against_their_crds(overlays: Overlays) -> None:
    assert {doc["kind"] for doc in overlays[PROD] if is_custom(doc)} == CUSTOM_KINDS


def test_the_committed_crds_are_valid_structural_crds() -> None:
    crds = crd_documents()
    assert {crd["spec"]["names"]["kind"] for crd in crds} == CUSTOM_KINDS
    for crd in crds:
        assert builtin_errors(crd) == [], crd["metadata"]["name"]
        for version in crd["spec"]["versions"]:
            schema = version["schema"]["openAPIV3Schema"]
            assert list(structural_problems(schema)) == [], crd["metadata"]["name"]


def _broken(docs: list[Manifest], kind: str, name: str) -> Manifest:
    return copy.deepcopy(named(docs, kind, name))


@pytest.mark.parametrize(
    ("kind", "name", "path", "key", "value"),
    [
        ("Deployment", "matching", ("spec",), "replica", 2),  # a typo: unknown field
        ("Service", "registration", ("spec", "ports", 0), "port", "eighty"),  # wrong type
        ("KafkaTopic", "mentorship.pair.v1", ("spec",), "partition", 6),
        ("KafkaNodePool", "combined", ("spec",), "roles", ["broker", "zookeeper"]),
        (
            "Kafka",
            "mentorship",
            ("spec", "kafka", "listeners", 0, "authentication"),
            "type",
            "scram-sha-256",  # Strimzi listeners only know SCRAM-SHA-512
        ),
        ("Kafka", "mentorship", ("spec", "kafka", "authorization"), "superUser", ["admin"]),
        (
            "KafkaUser",
            "mentorship-kafka-matching",
            ("spec", "authorization", "acls", 0),
            "operations",
            ["Produce"],
        ),
        (
            "KafkaUser",
            "mentorship-kafka-feedback",
            ("spec", "authorization", "acls", 0, "resource"),
            "type",
            "topics",
        ),
        ("KafkaUser", "mentorship-kafka-analytics", ("spec", "authentication"), "type", "scram"),
        ("MongoDBCommunity", "mentorship-mongodb", ("spec",), "type", "Sharded"),
        ("ServiceMonitor", "analytics", ("spec", "endpoints", 0), "intervall", "30s"),
        ("PrometheusRule", "mentorship", ("spec", "groups", 0, "rules", 0), "for", "5 min"),
    ],
)
def test_an_invalid_object_is_reported(
    overlays: Overlays,
    *,
    kind: str,
    name: str,
    path: tuple[str | int, ...],
    key: str,
    value: object,
) -> None:
    doc = _broken(overlays[PROD], kind, name)
    target: Any = doc
    for step in path:
        target = target[step]
    target[key] = value
    check = custom_resource_errors if kind in CUSTOM_KINDS else builtin_errors
    assert check(doc)
