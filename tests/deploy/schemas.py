"""Schema validation of rendered objects, offline.

Built-in kinds are checked with kubernetes-validate's strict schemas of a fixed Kubernetes
version (unknown fields are errors). Custom resources are checked against the hand-written CRD
subsets in deploy/k8s/crds with jsonschema, the way an API server with strict field validation
treats them: a field an object schema does not list is an error, unless the schema preserves
unknown fields.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema
import kubernetes_validate  # type: ignore[import-untyped]
import yaml

from .manifests import K8S, Manifest

KUBERNETES_VERSION = "1.30.0"
"""The oldest Kubernetes the manifests support (the preStop `sleep` action is on from 1.30)."""
CRDS = K8S / "crds"

type Schema = dict[str, Any]


def crd_documents() -> list[Manifest]:
    """Every CustomResourceDefinition committed under deploy/k8s/crds."""
    return [
        doc
        for path in sorted(CRDS.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


@cache
def _crd_schemas() -> dict[tuple[str, str], Schema]:
    schemas = {}
    for crd in crd_documents():
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if version["served"]:
                api_version = f"{group}/{version['name']}"
                schemas[api_version, kind] = version["schema"]["openAPIV3Schema"]
    return schemas


def is_custom(doc: Manifest) -> bool:
    """Whether the object's API group is one of the committed CRDs'."""
    group = doc["apiVersion"].rpartition("/")[0]
    return any(api.rpartition("/")[0] == group for api, _ in _crd_schemas())


def _closed(schema: Schema) -> Schema:
    """``schema`` with every listed-fields object closed to unknown fields, recursively."""
    closed = copy.copy(schema)
    if "properties" in closed:
        closed["properties"] = {key: _closed(value) for key, value in closed["properties"].items()}
        if not closed.get("x-kubernetes-preserve-unknown-fields"):
            closed.setdefault("additionalProperties", False)
    if isinstance(closed.get("additionalProperties"), dict):
        closed["additionalProperties"] = _closed(closed["additionalProperties"])
    if isinstance(closed.get("items"), dict):
        closed["items"] = _closed(closed["items"])
    for keyword in ("anyOf", "allOf", "oneOf"):
        if keyword in closed:
            closed[keyword] = [_closed(item) for item in closed[keyword]]
    return closed


def custom_resource_errors(doc: Manifest) -> list[str]:
    """Why a custom resource does not match its committed CRD (empty when it does)."""
    schema = _crd_schemas().get((doc["apiVersion"], doc["kind"]))
    if schema is None:
        return [f"no CRD in deploy/k8s/crds serves {doc['apiVersion']} {doc['kind']}"]
    validator = jsonschema.Draft7Validator(_closed(schema))
    return [
        f"{'.'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(doc), key=lambda error: list(error.path))
    ]


def builtin_errors(doc: Manifest) -> list[str]:
    """Why a built-in object does not match Kubernetes' strict schema (empty when it does)."""
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(map(str, error.path)) or "<root>"
        return [f"{path}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError as error:
        return [str(error.message)]
    return []


def errors(doc: Manifest) -> list[str]:
    """Why an object is invalid, as a custom resource or a built-in one."""
    return custom_resource_errors(doc) if is_custom(doc) else builtin_errors(doc)


def structural_problems(schema: Schema, path: str = "") -> Iterator[str]:
    """Where an openAPIV3Schema breaks the rules Kubernetes sets for CRD schemas.

    Every node has a type (or is int-or-string), and ``properties`` and ``additionalProperties``
    are never set together (the API server rejects such a CRD).
    """
    if "type" not in schema and not schema.get("x-kubernetes-int-or-string"):
        yield f"{path or '<root>'}: no type"
    if "properties" in schema and "additionalProperties" in schema:
        yield f"{path or '<root>'}: both properties and additionalProperties"
    for key, value in schema.get("properties", {}).items():
        yield from structural_problems(value, f"{path}.{key}")
    for keyword in ("items", "additionalProperties"):
        if isinstance(schema.get(keyword), dict):
            yield from structural_problems(schema[keyword], f"{path}.{keyword}")
