"""Every overlay renders with kustomize, into one namespace, without placeholders or leaks."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from .manifests import (
    K8S,
    OVERLAYS,
    PROD,
    BuildError,
    Manifest,
    Overlays,
    app_container,
    build,
    damage,
    labels,
    of_kind,
)

PLACEHOLDERS = {
    "service",
    "mentorship-service",
    "mentorship-mongodb-service",
    "mentorship-kafka-service",
}
"""What base/service writes where a service's name belongs, before its replacements."""


def _names_written_by_the_template(doc: Manifest) -> list[str]:
    found = [doc["metadata"]["name"], *labels(doc).values()]
    if doc["kind"] == "Deployment":
        container = app_container(doc)
        found.append(container["image"].rsplit(":", 1)[0].rsplit("/", 1)[-1])
        found += [
            item["valueFrom"]["secretKeyRef"]["name"]
            for item in container["env"]
            if "secretKeyRef" in item.get("valueFrom", {})
        ]
        found += [item["value"] for item in container["env"] if "value" in item]
        found += [
            volume["secret"]["secretName"]
            for volume in doc["spec"]["template"]["spec"].get("volumes", [])
            if "secret" in volume
        ]
    return found


def test_the_overlay_list_is_complete() -> None:
    found = {path.name for path in (K8S / "overlays").iterdir() if path.is_dir()}
    assert found == set(OVERLAYS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_everything_lands_in_the_overlays_namespace(overlays: Overlays, overlay: str) -> None:
    docs = overlays[overlay]
    (namespace,) = of_kind(docs, "Namespace")
    outside = [
        f"{doc['kind']} {doc['metadata']['name']}"
        for doc in docs
        if doc["kind"] != "Namespace"
        and doc["metadata"].get("namespace") != namespace["metadata"]["name"]
    ]
    assert not outside


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_placeholder_is_left(overlays: Overlays, overlay: str) -> None:
    left = [
        f"{doc['kind']} {doc['metadata']['name']}"
        for doc in overlays[overlay]
        if PLACEHOLDERS & set(_names_written_by_the_template(doc))
    ]
    assert not left


@pytest.mark.parametrize(
    ("variable", "field", "placeholder"),
    [
        ("KAFKA_SASL_USERNAME", "value", "mentorship-kafka-service"),
        ("KAFKA_SASL_PASSWORD", "valueFrom/secretKeyRef/name", "mentorship-kafka-service"),
        ("MONGODB_URL", "valueFrom/secretKeyRef/name", "mentorship-mongodb-service"),
    ],
)
def test_a_left_placeholder_is_found(
    overlays: Overlays, variable: str, field: str, placeholder: str
) -> None:
    docs = copy.deepcopy(overlays[PROD])
    pointer = f"spec/template/spec/containers/0/env/[name={variable}]/{field}"
    damage(docs, "Deployment/matching", pointer, placeholder)
    (deployment,) = [d for d in of_kind(docs, "Deployment") if d["metadata"]["name"] == "matching"]
    assert PLACEHOLDERS & set(_names_written_by_the_template(deployment))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_local_configuration_is_never_rendered(overlays: Overlays, overlay: str) -> None:
    local = [
        f"{doc['kind']} {doc['metadata']['name']}"
        for doc in overlays[overlay]
        if "config.kubernetes.io/local-config" in (doc["metadata"].get("annotations") or {})
    ]
    assert not local


def test_the_topics_build_on_their_own(overlays: Overlays) -> None:
    """For an existing Strimzi cluster, deploy/k8s/kafka/topics is applied by itself."""
    topics = overlays.render(K8S / "kafka" / "topics")
    assert {doc["kind"] for doc in topics} == {"KafkaTopic"}


def test_a_broken_kustomization_fails(kustomize: list[str], tmp_path: Path) -> None:
    tree = tmp_path / "k8s"
    shutil.copytree(K8S, tree)
    deployment = tree / "base" / "service" / "deployment.yaml"
    deployment.write_text(deployment.read_text().replace("spec:\n", "spec:\n  - oops\n", 1))
    with pytest.raises(BuildError):
        build(kustomize, tree / "overlays" / "prod")


def test_a_kustomize_warning_fails(kustomize: list[str], tmp_path: Path) -> None:
    tree = tmp_path / "k8s"
    shutil.copytree(K8S, tree)
    with (tree / "monitoring" / "kustomization.yaml").open("a") as kustomization:
        kustomization.write("commonLabels: {team: platform}\n")  # deprecated in kustomize 5
    with pytest.raises(BuildError, match="deprecated"):
        build(kustomize, tree / "overlays" / "prod")


def test_no_secret_is_committed_anywhere_under_deploy() -> None:
    """Rendered or not: the overlays' checks only see what a kustomization includes."""
    secrets = [
        str(path.relative_to(K8S))
        for path in K8S.rglob("*.yaml")
        for doc in yaml.safe_load_all(path.read_text())
        if isinstance(doc, dict) and doc.get("kind") == "Secret"
    ]
    assert not secrets
