"""Schema validation of rendered objects, offline.

Built-in kinds are checked with kubernetes-validate's strict schemas of a fixed Kubernetes
version (unknown fields are errors). Custom resources are checked against the operators' own
CustomResourceDefinitions, read from ``../shared/k8s-crds`` beside the repository (Strimzi 1.2.0,
the MongoDB Community operator, Prometheus Operator 0.93.0; never copied into the repository),
the way an API server with strict field validation treats them:

- only a version the CRD serves is accepted (Strimzi 1.x serves ``kafka.strimzi.io/v1`` only);
- the served version's ``openAPIV3Schema`` applies, with every object of its structural skeleton
  closed to fields it does not list (``additionalProperties: false``) unless the node itself says
  ``x-kubernetes-preserve-unknown-fields``; that opens the node only, never its listed children
  (an API server prunes them by their own schema), and value validations under ``anyOf`` /
  ``oneOf`` / ``allOf`` / ``not`` are left as written (they never declare fields);
- ``nullable`` admits null, ``x-kubernetes-int-or-string`` an integer or a string;
- ``metadata`` is a Kubernetes ObjectMeta, checked with kubernetes-validate's strict schema;
- what a resource puts into a region that preserves unknown fields is listed (`open_values`), so
  the tests see every value no schema checks; the one such region that has a schema elsewhere,
  MongoDBCommunity's ``spec.statefulSet.spec`` (a StatefulSetSpec the operator merges into its
  own), is checked against Kubernetes' StatefulSetSpec, strictly, all but its required fields.

Not evaluated: the CRDs' CEL rules (``x-kubernetes-validations``) and ``format``.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate  # type: ignore[import-untyped]
import referencing
import referencing.jsonschema
import yaml

from .manifests import ROOT, Manifest

KUBERNETES_VERSION = "1.30.0"
"""The oldest Kubernetes the manifests support (the preStop `sleep` action is on from 1.30)."""
CRDS_ENV = "MENTORSHIP_K8S_CRDS"
"""Points at the operators' CRD folder when it is not ``../shared/k8s-crds`` (a git worktree)."""
CRDS_DEFAULT = ROOT.parent / "shared" / "k8s-crds"
"""Where the operators' CRDs are: ``../shared/k8s-crds`` seen from the repository's root."""
OPERATORS = {
    "kafka.strimzi.io": "Strimzi 1.2.0",
    "mongodbcommunity.mongodb.com": "the MongoDB Community operator",
    "monitoring.coreos.com": "Prometheus Operator 0.93.0",
}
"""The API groups of the custom resources the overlays render, and whose CRDs define them."""

HANDLED_KEYWORDS = frozenset(
    {
        # JSON Schema, as jsonschema applies it
        "type",
        "properties",
        "items",
        "additionalProperties",
        "required",
        "enum",
        "pattern",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "anyOf",
        "oneOf",
        "allOf",
        "not",
        # annotations, no constraint
        "description",
        "default",
        "example",
        "x-kubernetes-map-type",
        "x-kubernetes-list-type",
        "x-kubernetes-list-map-keys",
        # Kubernetes' extensions, translated by `_closed`
        "nullable",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-int-or-string",
        # known and NOT evaluated (see the module's docstring)
        "format",
        "x-kubernetes-validations",
    }
)
"""Every schema keyword this validator knows; a test fails when a CRD uses another."""

type Schema = dict[str, Any]

_JUNCTORS = ("anyOf", "oneOf", "allOf")
_KUBERNETES_DEFS = f"kubernetes-json-schema/v{KUBERNETES_VERSION}-local-strict/_definitions.json"
_KUBERNETES_DEFS_ID = "https://kubernetes.io/api/_definitions.json"


def crds_folder() -> Path:
    """The folder of the operators' CRD files (it may be absent, as on a user's clone)."""
    return Path(os.environ.get(CRDS_ENV) or CRDS_DEFAULT)


def missing_crds(folder: Path) -> str | None:
    """Why the custom resources cannot be checked against ``folder``'s CRDs, or None."""
    if folder.is_dir():
        return None
    return (
        f"the operators' CRDs are not at {folder} (../shared/k8s-crds beside the repository, "
        f"absent from a plain clone; {CRDS_ENV}=<folder> points elsewhere): custom resources "
        "are not validated"
    )


def crd_documents(folder: Path) -> list[Manifest]:
    """Every CustomResourceDefinition in ``folder``'s YAML files, as the operators ship them."""
    return [
        doc
        for path in sorted(folder.rglob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc and doc.get("kind") == "CustomResourceDefinition"
    ]


def is_custom(doc: Manifest) -> bool:
    """Whether an object is a custom resource: Kubernetes' own API groups are either one word
    (``apps``, ``policy``, the core group) or end in ``.k8s.io``."""
    group = doc["apiVersion"].rpartition("/")[0]
    return "." in group and not group.endswith(".k8s.io")


# ------------------------------------------------------------------------------ closing


def _closed(schema: Schema) -> Schema:
    """``schema``, an API server's view of it as JSON Schema: every object node of the skeleton
    closed to unlisted fields unless that node preserves them; null and int-or-string spelt out."""
    closed = copy.copy(schema)
    if closed.pop("nullable", False) and "type" in closed:
        closed["type"] = [closed["type"], "null"]
    if closed.get("x-kubernetes-int-or-string") and not any(j in closed for j in _JUNCTORS):
        closed["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if "properties" in closed:
        closed["properties"] = {key: _closed(value) for key, value in closed["properties"].items()}
    if isinstance(closed.get("additionalProperties"), dict):
        closed["additionalProperties"] = _closed(closed["additionalProperties"])
    elif _is_object(closed) and not closed.get("x-kubernetes-preserve-unknown-fields"):
        closed.setdefault("additionalProperties", False)
    if isinstance(closed.get("items"), dict):
        closed["items"] = _closed(closed["items"])
    return closed


def _is_object(schema: Schema) -> bool:
    kind = schema.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


@dataclass(frozen=True)
class ServedVersion:
    """One version a CRD serves: what the API server checks an object of it against."""

    crd: str
    schema: Schema
    closed: Schema


class CustomResourceDefinitions:
    """The CRDs of one folder, by the (apiVersion, kind) they serve."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.documents = crd_documents(folder)
        self.served: dict[tuple[str, str], ServedVersion] = {}
        for crd in self.documents:
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if version["served"]:
                    schema = version["schema"]["openAPIV3Schema"]
                    self.served[f"{group}/{version['name']}", kind] = ServedVersion(
                        crd["metadata"]["name"], schema, _root_closed(schema)
                    )

    def errors(self, doc: Manifest) -> list[str]:
        """Why a custom resource does not match its operator's CRD (empty when it does)."""
        served = self.served.get((doc["apiVersion"], doc["kind"]))
        if served is None:
            versions = sorted(api for api, kind in self.served if kind == doc["kind"])
            served_ones = ", ".join(versions) or "none"
            return [
                (
                    f"no CRD in {self.folder} serves {doc['apiVersion']} {doc['kind']}"
                    f" (served: {served_ones})"
                )
            ]
        validator = jsonschema.Draft7Validator(served.closed)
        found = [
            f"{_path(error.absolute_path)}: {error.message}"
            for error in sorted(validator.iter_errors(doc), key=lambda error: list(error.path))
        ]
        found += metadata_errors(doc.get("metadata", {}))
        if doc["kind"] == "MongoDBCommunity":
            found += statefulset_override_errors(doc)
        return found

    def open_values(self, doc: Manifest) -> list[str]:
        """Where ``doc`` sets a value that no schema checks: a field of a region preserving
        unknown fields (the region's path, then the field)."""
        served = self.served.get((doc["apiVersion"], doc["kind"]))
        return [] if served is None else sorted(set(_open_values(doc, served.schema, "")))


def _root_closed(schema: Schema) -> Schema:
    """The closed schema of a whole object; its ``metadata`` is checked as ObjectMeta instead."""
    closed = _closed(schema)
    closed["properties"]["metadata"] = {"type": "object"}
    return closed


def _path(path: Any) -> str:
    return ".".join(map(str, path)) or "<root>"


def _open_values(value: object, schema: Schema, path: str) -> Iterator[str]:
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        additional = schema.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                yield from _open_values(item, properties[key], f"{path}.{key}")
            elif isinstance(additional, dict):
                yield from _open_values(item, additional, f"{path}.{key}")
            elif schema.get("x-kubernetes-preserve-unknown-fields"):
                yield f"{path.lstrip('.')}: {key}"
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            yield from _open_values(item, schema["items"], f"{path}[]")


# ------------------------------------------------------------------------------ Kubernetes' own


@cache
def _kubernetes_registry() -> referencing.Registry[Any]:
    path = resources.files(kubernetes_validate).joinpath(_KUBERNETES_DEFS)
    definitions = referencing.Resource.from_contents(
        json.loads(path.read_text()), default_specification=referencing.jsonschema.DRAFT202012
    )
    return definitions @ referencing.Registry()


def definition_errors(
    value: object, definition: str, *, at: str, partial: bool = False
) -> list[str]:
    """Why ``value``, found at ``at``, is not a valid Kubernetes ``definition`` (e.g.
    ``io.k8s.api.apps.v1.StatefulSetSpec``) of the supported version, strictly (unknown fields
    are errors); with ``partial``, missing required fields are not."""
    schema = {"$ref": f"{_KUBERNETES_DEFS_ID}#/$defs/{definition}"}
    validator = jsonschema.Draft202012Validator(schema, registry=_kubernetes_registry())
    return [
        f"{_path((at, *error.absolute_path))}: {error.message}"
        for error in sorted(validator.iter_errors(value), key=lambda error: list(error.path))
        if not (partial and error.validator == "required")
    ]


def metadata_errors(metadata: object) -> list[str]:
    """Why an object's ``metadata`` is not a valid ObjectMeta."""
    return definition_errors(
        metadata, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", at="metadata"
    )


def statefulset_override_errors(doc: Manifest) -> list[str]:
    """Why a MongoDBCommunity's ``spec.statefulSet.spec`` (an open region of its CRD) is not part
    of a StatefulSetSpec: the operator merges it into the StatefulSet it builds, which fills in
    the required fields."""
    override = doc.get("spec", {}).get("statefulSet", {}).get("spec")
    if override is None:
        return []
    return definition_errors(
        override, "io.k8s.api.apps.v1.StatefulSetSpec", at="spec.statefulSet.spec", partial=True
    )


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


# ------------------------------------------------------------------------------ the CRDs


def structural_problems(schema: Schema, path: str = "") -> Iterator[str]:
    """Where an openAPIV3Schema breaks the rules Kubernetes sets for a structural schema.

    Every node of the skeleton has a type (or is int-or-string, or preserves unknown fields);
    ``properties`` and ``additionalProperties`` are never set together; under ``anyOf``,
    ``oneOf``, ``allOf`` and ``not`` no node sets a type (but int-or-string's integer and string),
    ``additionalProperties``, ``default``, ``nullable`` or an ``x-kubernetes-`` extension, nor
    names a field the skeleton does not list. An API server refuses a CRD that breaks them.
    """
    where = path or "<root>"
    if (
        "type" not in schema
        and not schema.get("x-kubernetes-int-or-string")
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        yield f"{where}: no type"
    if "properties" in schema and "additionalProperties" in schema:
        yield f"{where}: both properties and additionalProperties"
    listed = set(schema.get("properties", {}))
    int_or_string = bool(schema.get("x-kubernetes-int-or-string"))
    for keyword in (*_JUNCTORS, "not"):
        branches = schema.get(keyword, [])
        for index, branch in enumerate(branches if isinstance(branches, list) else [branches]):
            yield from _value_validation_problems(
                branch, listed, f"{path}.{keyword}[{index}]", int_or_string=int_or_string
            )
    for key, value in schema.get("properties", {}).items():
        yield from structural_problems(value, f"{path}.{key}")
    for keyword in ("items", "additionalProperties"):
        if isinstance(schema.get(keyword), dict):
            yield from structural_problems(schema[keyword], f"{path}.{keyword}")


_NOT_IN_VALUE_VALIDATIONS = ("additionalProperties", "default", "nullable")


def _value_validation_problems(
    branch: Schema, listed: set[str], path: str, *, int_or_string: bool
) -> Iterator[str]:
    allowed_types = {"integer", "string"} if int_or_string else set()
    if "type" in branch and branch["type"] not in allowed_types:
        yield f"{path}: a type in a value validation"
    for keyword in _NOT_IN_VALUE_VALIDATIONS:
        if keyword in branch:
            yield f"{path}: {keyword} in a value validation"
    if any(keyword.startswith("x-kubernetes-") for keyword in branch):
        yield f"{path}: an x-kubernetes- extension in a value validation"
    if unlisted := sorted(set(branch.get("properties", {})) - listed):
        yield f"{path}: names fields the skeleton does not list: {', '.join(unlisted)}"


def unhandled_keywords(schema: object) -> set[str]:
    """Schema keywords used anywhere in ``schema`` that this validator does not know."""
    if isinstance(schema, list):
        return set().union(*(unhandled_keywords(item) for item in schema))
    if not isinstance(schema, dict):
        return set()
    found = set(schema) - HANDLED_KEYWORDS
    nested: list[object] = list(schema.get("properties", {}).values())
    nested += [schema.get(keyword) for keyword in ("items", "additionalProperties", "not")]
    nested += [schema.get(keyword) for keyword in _JUNCTORS]
    return found.union(*(unhandled_keywords(item) for item in nested))
