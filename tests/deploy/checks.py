"""What every rendered overlay must get right, as functions returning the problems they find.

Each check takes the objects of one overlay (and what the code says: settings, topics, consumed
topics) and returns a list of human-readable problems, empty when all is well, so a test can
both assert a clean overlay and prove, on a deliberately broken copy, that the check notices.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from mentorship_contracts.topics import Topic, dead_letter_topic

from .manifests import (
    Manifest,
    app_container,
    config_maps_of,
    environment,
    labels,
    matches,
    name_of,
    named,
    of_kind,
)
from .promql import dashboard_queries, metric_names

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


# ------------------------------------------------------------------------------ workloads


def _probe_problems(container: Manifest) -> list[str]:
    wanted = {"startupProbe": "/healthz", "livenessProbe": "/healthz", "readinessProbe": "/readyz"}
    problems = []
    for probe, path in wanted.items():
        http = container.get(probe, {}).get("httpGet", {})
        if (http.get("path"), http.get("port")) != (path, "http"):
            problems.append(f"{probe} must GET {path} on the http port")
    return problems


def _security_problems(deployment: Manifest) -> list[str]:
    pod = deployment["spec"]["template"]["spec"]
    context = pod.get("securityContext", {})
    container = app_container(deployment).get("securityContext", {})
    wanted = {
        "pod runAsNonRoot": context.get("runAsNonRoot") is True,
        "pod runAsUser 10001": context.get("runAsUser") == 10001,
        "pod seccompProfile RuntimeDefault": context.get("seccompProfile", {}).get("type")
        == "RuntimeDefault",
        "container allowPrivilegeEscalation false": container.get("allowPrivilegeEscalation")
        is False,
        "container readOnlyRootFilesystem": container.get("readOnlyRootFilesystem") is True,
        "container drops ALL capabilities": container.get("capabilities", {}).get("drop")
        == ["ALL"],
        "no service account token": pod.get("automountServiceAccountToken") is False,
    }
    return [f"needs {what}" for what, ok in wanted.items() if not ok]


def _resource_problems(container: Manifest) -> list[str]:
    resources = container.get("resources", {})
    requests, limits = resources.get("requests", {}), resources.get("limits", {})
    problems = []
    for resource in ("cpu", "memory"):
        if resource not in requests or resource not in limits:
            problems.append(f"needs a {resource} request and limit")
        elif quantity(requests[resource]) > quantity(limits[resource]):
            problems.append(f"{resource} request above its limit")
    return problems


def _tmp_problems(deployment: Manifest) -> list[str]:
    pod = deployment["spec"]["template"]["spec"]
    mounts = {m["mountPath"]: m["name"] for m in app_container(deployment).get("volumeMounts", [])}
    volume: Manifest = next(
        (v for v in pod.get("volumes", []) if v["name"] == mounts.get("/tmp")), {}
    )
    return [] if "emptyDir" in volume else ["needs an emptyDir at /tmp (read-only root)"]


def _port_problems(container: Manifest) -> list[str]:
    ports = {port.get("name"): port["containerPort"] for port in container.get("ports", [])}
    env = {item["name"]: item.get("value") for item in container.get("env", [])}
    problems = []
    if ports.get("http") != HTTP_PORT or env.get("HTTP_PORT") != str(HTTP_PORT):
        problems.append(f"must serve HTTP_PORT={HTTP_PORT} as the container port named http")
    if env.get("HTTP_HOST") != "0.0.0.0":
        problems.append("must bind HTTP_HOST=0.0.0.0")
    return problems


def _label_problems(deployment: Manifest) -> list[str]:
    name = deployment["metadata"]["name"]
    problems = []
    for where, found in (
        ("metadata", labels(deployment)),
        ("pod template", deployment["spec"]["template"]["metadata"].get("labels", {})),
    ):
        missing = [key for key in RECOMMENDED_LABELS if not found.get(key)]
        if missing:
            problems.append(f"{where} lacks {', '.join(missing)}")
        if found.get("app.kubernetes.io/name") != name:
            problems.append(f"{where} app.kubernetes.io/name is not {name!r}")
    selector = deployment["spec"]["selector"]["matchLabels"]
    if "app.kubernetes.io/version" in selector:
        problems.append("the selector must not include the version (it is immutable)")
    return problems


def _image_problems(deployment: Manifest) -> list[str]:
    image = app_container(deployment)["image"]
    name = deployment["metadata"]["name"]
    version = labels(deployment).get("app.kubernetes.io/version")
    if not image.endswith(f"/{name}:{version}"):
        return [f"image {image!r} is not <registry>/{name}:<version label {version!r}>"]
    return []


def deployment_problems(docs: Sequence[Manifest]) -> list[str]:
    """Probes, hardening, resources, /tmp, ports, recommended labels and the image per service."""
    problems = []
    for deployment in of_kind(docs, "Deployment"):
        container = app_container(deployment)
        found = [
            *_probe_problems(container),
            *_security_problems(deployment),
            *_resource_problems(container),
            *_tmp_problems(deployment),
            *_port_problems(container),
            *_label_problems(deployment),
            *_image_problems(deployment),
        ]
        problems += [f"Deployment {deployment['metadata']['name']}: {p}" for p in found]
    return problems


def version_problems(docs: Sequence[Manifest]) -> list[str]:
    """Every object of the platform carries the same version label."""
    versions = {
        f"{doc['kind']} {doc['metadata']['name']}": labels(doc).get("app.kubernetes.io/version")
        for doc in docs
        if labels(doc).get("app.kubernetes.io/part-of") == "mentorship"
    }
    if len(set(versions.values())) == 1 and None not in versions.values():
        return []
    return [f"mixed or missing app.kubernetes.io/version labels: {versions}"]


def runs_redrive(job: Manifest) -> bool:
    """Whether a Job runs the dead-letter re-drive."""
    return app_container(job).get("command") == REDRIVE_COMMAND


def _run_problems(job: Manifest) -> list[str]:
    spec = job["spec"]
    wanted = {
        "backoffLimit 0 (a failed run is looked at, not repeated)": spec.get("backoffLimit") == 0,
        "ttlSecondsAfterFinished (finished Jobs pile up)": bool(
            spec.get("ttlSecondsAfterFinished")
        ),
        "activeDeadlineSeconds (a hung run must end)": bool(spec.get("activeDeadlineSeconds")),
        "restartPolicy Never (no retry in place)": spec["template"]["spec"].get("restartPolicy")
        == "Never",
        f"to run {' '.join(REDRIVE_COMMAND)}": runs_redrive(job),
    }
    return [f"needs {what}" for what, ok in wanted.items() if not ok]


def _job_label_problems(job: Manifest) -> list[str]:
    """The recommended labels but the version (the Job belongs to no rendered release)."""
    problems = []
    for where, found in (
        ("metadata", labels(job)),
        ("pod template", job["spec"]["template"]["metadata"].get("labels", {})),
    ):
        missing = [key for key in JOB_LABELS if not found.get(key)]
        if missing:
            problems.append(f"{where} lacks {', '.join(missing)}")
    return problems


def _job_settings_problems(
    job: Manifest, docs: Sequence[Manifest], known: set[str], secret: set[str]
) -> list[str]:
    container = app_container(job)
    problems = []
    if container.get("envFrom"):
        problems.append("envFrom: the overlay's ConfigMaps get generated names; set env instead")
    env = {item["name"]: item for item in container.get("env", [])}
    for key, item in env.items():
        if key not in known:
            problems.append(f"{key} (env) is not one of the kit's settings")
        elif key in secret and "secretKeyRef" not in item.get("valueFrom", {}):
            problems.append(f"{key} must come from a Secret")
    for key in SHARED_KAFKA_SETTINGS:
        services = {
            _value(environment(deployment, docs), key) for deployment in of_kind(docs, "Deployment")
        }
        if key not in env:
            problems.append(f"needs {key}, as the services set it ({', '.join(sorted(services))})")
        elif {_value(env, key)} != services:
            problems.append(f"{key} is {_value(env, key)!r}, the services' {sorted(services)}")
    return problems


def job_problems(docs: Sequence[Manifest], known: set[str], secret: set[str]) -> list[str]:
    """Jobs run once, hardened and sized like the services, from a service image of the release,
    with settings of the kit (``known``; ``secret`` from Secrets), on the services' Kafka."""
    images = {app_container(deployment)["image"] for deployment in of_kind(docs, "Deployment")}
    problems = []
    for job in of_kind(docs, "Job"):
        container = app_container(job)
        found = [
            *_run_problems(job),
            *_security_problems(job),
            *_resource_problems(container),
            *_tmp_problems(job),
            *_job_label_problems(job),
            *_job_settings_problems(job, docs, known, secret),
        ]
        if container["image"] not in images:
            found.append(f"image {container['image']!r} is no service image of the release")
        problems += [f"Job {name_of(job)}: {problem}" for problem in found]
    return problems


# ------------------------------------------------------------------------------ wiring


def companion_problems(docs: Sequence[Manifest], *, autoscaled: bool) -> list[str]:
    """Each Deployment's Service, PodDisruptionBudget, ServiceMonitor, and HPA if ``autoscaled``."""
    problems = []
    for deployment in of_kind(docs, "Deployment"):
        name = deployment["metadata"]["name"]
        pods = deployment["spec"]["template"]["metadata"]["labels"]
        budgets = [
            pdb
            for pdb in of_kind(docs, "PodDisruptionBudget")
            if matches(pdb["spec"]["selector"].get("matchLabels", {}), pods)
        ]
        if len(budgets) != 1:
            problems.append(f"{name}: needs exactly one PodDisruptionBudget selecting its pods")
        services = [s for s in of_kind(docs, "Service") if matches(s["spec"]["selector"], pods)]
        if len(services) == 1:
            problems += _monitor_problems(docs, name, services[0])
        else:
            problems.append(f"{name}: needs exactly one Service selecting its pods")
        targets = [
            hpa
            for hpa in of_kind(docs, "HorizontalPodAutoscaler")
            if hpa["spec"]["scaleTargetRef"]
            == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        ]
        if len(targets) != int(autoscaled):
            problems.append(f"{name}: expected {int(autoscaled)} autoscaler, found {len(targets)}")
        if autoscaled and "replicas" in deployment["spec"]:
            problems.append(f"{name}: `replicas` fights the autoscaler on every apply")
    return problems


def _monitor_problems(docs: Sequence[Manifest], name: str, service: Manifest) -> list[str]:
    if service["spec"]["ports"][0].get("targetPort") != "http":
        return [f"{name}: the Service must target the http port"]
    monitors = [
        monitor
        for monitor in of_kind(docs, "ServiceMonitor")
        if matches(monitor["spec"]["selector"].get("matchLabels", {}), labels(service))
    ]
    if len(monitors) != 1:
        return [f"{name}: needs exactly one ServiceMonitor selecting its Service"]
    spec = monitors[0]["spec"]
    endpoints = [(e.get("port"), e.get("path")) for e in spec.get("endpoints", [])]
    problems = []
    if endpoints != [("http", "/metrics")]:
        problems.append(f"{name}: the ServiceMonitor must scrape /metrics on the http port")
    if labels(service).get(spec.get("jobLabel", "")) != JOB:
        problems.append(f"{name}: the alerts expect job={JOB!r} (ServiceMonitor jobLabel)")
    return problems


def autoscaling_problems(
    docs: Sequence[Manifest], consumed: Mapping[str, Sequence[Topic]], *, min_replicas: int
) -> list[str]:
    """Autoscalers stay within [min_replicas, partitions of the smallest consumed topic]."""
    problems = []
    for hpa in of_kind(docs, "HorizontalPodAutoscaler"):
        service = hpa["spec"]["scaleTargetRef"]["name"]
        low, high = hpa["spec"].get("minReplicas", 1), hpa["spec"]["maxReplicas"]
        if not min_replicas <= low <= high:
            problems.append(f"{service}: replicas {low}..{high}, at least {min_replicas} wanted")
        topics = consumed[service]
        if topics and high > (bound := min(topic.partitions for topic in topics)):
            problems.append(
                f"{service}: maxReplicas {high} exceeds {bound}, the partitions of the smallest "
                f"topic it consumes ({', '.join(topic.name for topic in topics)})"
            )
    return problems


def settings_problems(
    docs: Sequence[Manifest], settings: Mapping[str, set[str]], secret: set[str]
) -> list[str]:
    """Every environment variable is a setting of its service, and secrets come from Secrets.

    ``settings`` maps each service to its environment variable names, ``secret`` names the
    settings that hold credentials.
    """
    problems = [
        f"a Secret is committed: {doc['metadata']['name']}" for doc in of_kind(docs, "Secret")
    ]
    for deployment in of_kind(docs, "Deployment"):
        service = deployment["metadata"]["name"]
        known = settings[service]
        for config_map in config_maps_of(deployment, docs):
            for key in config_map.get("data", {}):
                if key not in known:
                    problems.append(f"{service}: {key} (ConfigMap) is not one of its settings")
                elif key in secret:
                    problems.append(f"{service}: {key} is a secret, not ConfigMap data")
        for item in app_container(deployment).get("env", []):
            key = item["name"]
            if key not in known:
                problems.append(f"{service}: {key} (env) is not one of its settings")
            elif key in secret and "secretKeyRef" not in item.get("valueFrom", {}):
                problems.append(f"{service}: {key} must come from a Secret")
    return problems


def mongodb_problems(docs: Sequence[Manifest], services: Iterable[str]) -> list[str]:
    """A MongoDB user per service, owning the database the service uses, whose connection
    string Secret is the one the service reads."""
    problems = []
    replica_sets = of_kind(docs, "MongoDBCommunity")
    users = {user["name"]: user for rs in replica_sets for user in rs["spec"]["users"]}
    for service in services:
        deployment = named(docs, "Deployment", service)
        env = {item["name"]: item for item in app_container(deployment).get("env", [])}
        reference = env["MONGODB_URL"]["valueFrom"]["secretKeyRef"]
        data = {k: v for cm in config_maps_of(deployment, docs) for k, v in cm["data"].items()}
        database = data.get("MONGODB_DATABASE")
        if database != f"mentorship_{service}":
            problems.append(f"{service}: MONGODB_DATABASE is {database!r}")
        if not replica_sets:
            continue
        user = users.get(service)
        if user is None:
            problems.append(f"{service}: no MongoDB user")
            continue
        if {"name": "readWrite", "db": database} not in user["roles"]:
            problems.append(f"{service}: its MongoDB user cannot write {database}")
        if (reference["name"], reference["key"]) != (
            user.get("connectionStringSecretName"),
            "connectionString.standard",
        ):
            problems.append(f"{service}: MONGODB_URL is not its user's connection string")
    return problems


def topic_problems(
    docs: Sequence[Manifest], topics: Sequence[Topic], groups: Sequence[str]
) -> list[str]:
    """A KafkaTopic per event topic and per consumer group's dead letters, as topics.py says."""
    declared = {doc["metadata"]["name"]: doc for doc in of_kind(docs, "KafkaTopic")}
    wanted = [*topics, *(dead_letter_topic(group) for group in groups)]
    problems = [
        f"KafkaTopic {name} is not in topics.py"
        for name in declared.keys() - {t.name for t in wanted}
    ]
    for topic in wanted:
        doc = declared.get(topic.name)
        if doc is None:
            problems.append(f"no KafkaTopic for {topic.name}")
            continue
        spec = doc["spec"]
        if spec.get("partitions") != topic.partitions:
            problems.append(
                f"{topic.name}: {spec.get('partitions')} partitions, not {topic.partitions}"
            )
        if int(spec.get("config", {}).get("retention.ms", 0)) != topic.retention_ms:
            problems.append(f"{topic.name}: retention.ms is not {topic.retention_ms}")
    return problems


def kafka_problems(docs: Sequence[Manifest]) -> list[str]:
    """Topics belong to the cluster, fit on its brokers and survive the loss of one of them
    (where there are several); the services' bootstrap address is the cluster's."""
    clusters = of_kind(docs, "Kafka")
    if not clusters:
        return []
    cluster = clusters[0]["metadata"]["name"]
    brokers = sum(
        pool["spec"]["replicas"]
        for pool in of_kind(docs, "KafkaNodePool")
        if labels(pool).get("strimzi.io/cluster") == cluster and "broker" in pool["spec"]["roles"]
    )
    problems = []
    for topic in of_kind(docs, "KafkaTopic"):
        name, spec = topic["metadata"]["name"], topic["spec"]
        replicas = spec.get("replicas", 0)
        min_isr = int(spec.get("config", {}).get("min.insync.replicas", 1))
        if labels(topic).get("strimzi.io/cluster") != cluster:
            problems.append(f"{name}: not labelled strimzi.io/cluster={cluster}")
        if not 1 <= replicas <= brokers:
            problems.append(f"{name}: {replicas} replicas on {brokers} brokers")
        if brokers > 1 and not 1 <= min_isr < replicas:
            problems.append(f"{name}: min.insync.replicas {min_isr} of {replicas} replicas")
    bootstraps = {
        f"{cluster}-kafka-bootstrap:{listener['port']}"
        for listener in clusters[0]["spec"]["kafka"]["listeners"]
        if _is_secure(listener)
    }
    shared = [cm for cm in of_kind(docs, "ConfigMap") if "KAFKA_BOOTSTRAP" in cm.get("data", {})]
    problems += [
        f"{cm['metadata']['name']}: KAFKA_BOOTSTRAP is not the bootstrap address of a TLS and "
        f"SCRAM listener ({', '.join(sorted(bootstraps)) or 'there is none'})"
        for cm in shared
        if cm["data"]["KAFKA_BOOTSTRAP"] not in bootstraps
    ]
    return problems


# ------------------------------------------------------------------------------ Kafka security


def _is_secure(listener: Manifest) -> bool:
    """Whether a Strimzi listener encrypts and logs clients in with a SCRAM password."""
    authentication = listener.get("authentication", {}).get("type")
    return listener.get("tls") is True and authentication in KAFKA_MECHANISMS


def _value(env: Mapping[str, Manifest], key: str) -> str:
    """A variable's literal (or ConfigMap) value; empty when unset or read from elsewhere."""
    return str(env.get(key, {}).get("value", ""))


def _secret_reference(env: Mapping[str, Manifest], key: str) -> tuple[str, str] | None:
    """The (Secret, key) a variable is read from, or None when it is not read from a Secret."""
    reference = env.get(key, {}).get("valueFrom", {}).get("secretKeyRef")
    return (reference["name"], reference["key"]) if reference else None


def secret_file(deployment: Manifest, path: str) -> tuple[str, str]:
    """The (Secret, key) whose value the service container reads at ``path``.

    Raises:
        ValueError: the file is not on a read-only mount of a Secret volume (the message says
            why).
    """
    pod = deployment["spec"]["template"]["spec"]
    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    for mount in app_container(deployment).get("volumeMounts", []):
        directory = mount["mountPath"].rstrip("/")
        if mount.get("subPath") and path == directory:
            name = mount["subPath"]
        elif not mount.get("subPath") and path.startswith(f"{directory}/"):
            name = path.removeprefix(f"{directory}/")
        else:
            continue
        secret = volumes.get(mount["name"], {}).get("secret")
        if secret is None:
            msg = f"{path} is not on a Secret volume"
            raise ValueError(msg)
        if mount.get("readOnly") is not True:
            msg = f"{path} is on a writable mount"
            raise ValueError(msg)
        keys = {item["path"]: item["key"] for item in secret.get("items", [])}
        if secret.get("items") and name not in keys:
            msg = f"{path} is no item of Secret {secret['secretName']}"
            raise ValueError(msg)
        return secret["secretName"], keys.get(name, name)
    msg = f"{path} is on no volume"
    raise ValueError(msg)


def _cluster_problems(cluster: Manifest) -> list[str]:
    name, spec = cluster["metadata"]["name"], cluster["spec"]
    problems = [
        f"Kafka {name}: listener {listener['name']} must use TLS and SCRAM-SHA-512 logins"
        for listener in spec["kafka"]["listeners"]
        if not _is_secure(listener)
    ]
    if spec["kafka"].get("authorization", {}).get("type") != "simple":
        problems.append(f"Kafka {name}: needs simple authorization, the KafkaUsers' ACLs")
    if "userOperator" not in spec.get("entityOperator", {}):
        problems.append(f"Kafka {name}: no user operator, so no KafkaUser gets its password")
    return problems


def _client_problems(
    deployment: Manifest, docs: Sequence[Manifest], cluster: Manifest | None
) -> list[str]:
    """How a service logs in to Kafka: TLS, its password from a Secret, the brokers' CA from a
    read-only Secret volume; with a Strimzi ``cluster``, as a KafkaUser of it, whose Secret holds
    that password, trusting that cluster's CA."""
    env = environment(deployment, docs)
    protocol = _value(env, "KAFKA_SECURITY_PROTOCOL") or "PLAINTEXT"
    username = _value(env, "KAFKA_SASL_USERNAME")
    password = _secret_reference(env, "KAFKA_SASL_PASSWORD")
    problems = []
    if protocol not in {"SSL", "SASL_SSL"}:
        problems.append(f"KAFKA_SECURITY_PROTOCOL {protocol} does not encrypt")
    if protocol.startswith("SASL") and not username:
        problems.append("no KAFKA_SASL_USERNAME")
    if protocol.startswith("SASL") and password is None:
        problems.append("KAFKA_SASL_PASSWORD must come from a Secret")
    ca_file, ca = _value(env, "KAFKA_SSL_CA_FILE"), None
    if ca_file:
        try:
            ca = secret_file(deployment, ca_file)
        except ValueError as error:
            problems.append(f"KAFKA_SSL_CA_FILE: {error}")
    if cluster is None:
        return problems
    name = cluster["metadata"]["name"]
    listeners = [item for item in cluster["spec"]["kafka"]["listeners"] if _is_secure(item)]
    mechanisms = {KAFKA_MECHANISMS[item["authentication"]["type"]] for item in listeners}
    if protocol != KAFKA_PROTOCOL:
        problems.append(f"KAFKA_SECURITY_PROTOCOL must be {KAFKA_PROTOCOL}, not {protocol}")
    mechanism = _value(env, "KAFKA_SASL_MECHANISM")
    if mechanisms and mechanism not in mechanisms:
        problems.append(f"KAFKA_SASL_MECHANISM {mechanism!r} is not the listener's")
    users = {
        user["metadata"]["name"]: user
        for user in of_kind(docs, "KafkaUser")
        if labels(user).get("strimzi.io/cluster") == name
    }
    user = users.get(username)
    if user is None:
        problems.append(f"KAFKA_SASL_USERNAME {username!r} is no KafkaUser of {name}")
    elif mechanism in mechanisms and mechanism != KAFKA_MECHANISMS.get(
        user["spec"].get("authentication", {}).get("type")
    ):
        problems.append(f"KafkaUser {username} has no {mechanism} password")
    if password is not None and password != (username, "password"):
        problems.append(
            f"KAFKA_SASL_PASSWORD is {password}, not the password the user operator writes for "
            f"KafkaUser {username!r} (its Secret, key password)"
        )
    if ca != (f"{name}-cluster-ca-cert", "ca.crt"):
        found = f"key {ca[1]} of Secret {ca[0]}" if ca else "no Secret's key"
        problems.append(
            f"KAFKA_SSL_CA_FILE must be key ca.crt of Secret {name}-cluster-ca-cert (the cluster "
            f"CA the brokers' certificates chain to), not {found}"
        )
    return problems


def kafka_security_problems(docs: Sequence[Manifest]) -> list[str]:
    """The Strimzi cluster, if any, takes only TLS connections of SCRAM users and enforces ACLs;
    every service connects over TLS, with a password and a CA certificate from Secrets (with the
    cluster: as its own KafkaUser, trusting the cluster's CA)."""
    clusters = of_kind(docs, "Kafka")
    problems = [problem for cluster in clusters for problem in _cluster_problems(cluster)]
    for workload in _kafka_clients(docs):
        found = _client_problems(workload, docs, clusters[0] if clusters else None)
        problems += [f"{_who(workload)}: {problem}" for problem in found]
    return problems


def _kafka_clients(docs: Sequence[Manifest]) -> list[Manifest]:
    """What logs in to Kafka: the services' Deployments and the operators' Jobs."""
    return [*of_kind(docs, "Deployment"), *of_kind(docs, "Job")]


def _who(workload: Manifest) -> str:
    """A Deployment by its service's name, any other workload by kind and name."""
    if workload["kind"] == "Deployment":
        return str(workload["metadata"]["name"])
    return f"{workload['kind']} {name_of(workload)}"


type Acl = tuple[str, str, str, str]
"""An ACL entry: resource type, resource name, pattern type, operation."""


def granted_acls(user: Manifest) -> set[Acl]:
    """Every (resource type, name, pattern type, operation) a KafkaUser's ACLs allow."""
    return {
        (
            rule["resource"]["type"],
            rule["resource"].get("name", ""),
            rule["resource"].get("patternType", "literal"),
            operation,
        )
        for rule in user["spec"].get("authorization", {}).get("acls", [])
        if rule.get("type", "allow") == "allow"
        for operation in rule.get("operations", [])
    }


def _on(topics: Iterable[str], prefix: str, *operations: str) -> set[Acl]:
    return {("topic", f"{prefix}{topic}", "literal", op) for topic in topics for op in operations}


def needed_acls(
    service: str, produced: Sequence[Topic], consumed: Sequence[Topic], prefix: str = ""
) -> set[Acl]:
    """What a service does on Kafka: its relay writes the topics it produces; its consumer group
    (named after the service) reads the topics it consumes and writes its dead letters."""
    needed = _on((t.name for t in produced), prefix, "Write", "Describe")
    needed |= _on((t.name for t in consumed), prefix, "Read", "Describe")
    if consumed:
        needed |= {("group", f"{prefix}{service}", "literal", "Read")}
        needed |= _on([dead_letter_topic(service).name], prefix, "Write", "Describe")
    return needed


class RedriveClients(NamedTuple):
    """What ``python -m mentorship_kit.redrive <group>`` opens, without a topic prefix."""

    reads: tuple[str, ...]
    """The topics its consumer subscribes to (the group's dead letters)."""
    group: str
    """Its own consumer group."""


def redrive_acls(
    redrives: Mapping[str, RedriveClients],
    consumed: Mapping[str, Sequence[Topic]],
    prefix: str = "",
) -> set[Acl]:
    """What re-driving dead letters does on Kafka, for every consumer group that has dead letters
    (each service that consumes; its group is named after it): read what the tool reads for that
    group (``redrives``), in the tool's own consumer group, and publish back to the topics a dead
    letter can come from, the topics some service consumes."""
    groups = sorted(service for service, topics in consumed.items() if topics)
    needed = _on((topic for g in groups for topic in redrives[g].reads), prefix, "Read", "Describe")
    needed |= {("group", f"{prefix}{redrives[g].group}", "literal", "Read") for g in groups}
    origins = {topic.name for topics in consumed.values() for topic in topics}
    return needed | _on(origins, prefix, "Write", "Describe")


def _rule_problems(user: Manifest) -> list[str]:
    name = user["metadata"]["name"]
    authorization = user["spec"].get("authorization", {})
    problems = [] if authorization.get("type") == "simple" else [f"{name}: no simple ACLs"]
    for rule in authorization.get("acls", []):
        resource = rule["resource"]
        what = f"{name}: {resource['type']} {resource.get('name', '')!r}"
        if "*" in resource.get("name", "") or resource.get("patternType", "literal") != "literal":
            problems.append(f"{what} is not one literal name")
        if rule.get("type", "allow") != "allow":
            problems.append(f"{what}: only allow rules (nothing is allowed unless listed)")
        if rule.get("host", "*") != "*":
            problems.append(f"{what}: host {rule['host']!r} (pod addresses change)")
    return problems


def kafka_user_problems(
    docs: Sequence[Manifest],
    produced: Mapping[str, Sequence[Topic]],
    consumed: Mapping[str, Sequence[Topic]],
    redrives: Mapping[str, RedriveClients],
) -> list[str]:
    """Each service's KafkaUser, a user of the overlay's Strimzi cluster, may do exactly what the
    service does (`needed_acls`, under its KAFKA_TOPIC_PREFIX), by literal names only; so may the
    user of a re-drive Job (`redrive_acls`); every KafkaUser is some service's or Job's."""
    clusters, users = of_kind(docs, "Kafka"), of_kind(docs, "KafkaUser")
    if not clusters:
        return [f"KafkaUser {user['metadata']['name']} of no Kafka cluster" for user in users]
    cluster = clusters[0]["metadata"]["name"]
    by_name = {user["metadata"]["name"]: user for user in users}
    problems, used = [], set()
    for workload in _kafka_clients(docs):
        who, env = _who(workload), environment(workload, docs)
        prefix = _value(env, "KAFKA_TOPIC_PREFIX")
        if workload["kind"] == "Deployment":
            needed = needed_acls(who, produced[who], consumed[who], prefix)
        elif runs_redrive(workload):
            needed = redrive_acls(redrives, consumed, prefix)
        else:
            problems.append(f"{who}: runs no tool whose use of Kafka is known")
            continue
        user = by_name.get(username := _value(env, "KAFKA_SASL_USERNAME"))
        if user is None:
            problems.append(f"{who}: no KafkaUser {username!r}")
            continue
        used.add(username)
        if labels(user).get("strimzi.io/cluster") != cluster:
            problems.append(f"{who}: KafkaUser {username} is not labelled for {cluster}")
        problems += [f"{who}: {problem}" for problem in _rule_problems(user)]
        granted = granted_acls(user)
        problems += [
            f"{who}: KafkaUser {username} lacks {op} on {kind} {name}"
            for kind, name, _, op in sorted(needed - granted)
        ]
        problems += [
            f"{who}: KafkaUser {username} may {op} {kind} {name!r} ({pattern}), which it never does"
            for kind, name, pattern, op in sorted(granted - needed)
        ]
    problems += [
        f"KafkaUser {name}: no service or Job logs in as it" for name in by_name.keys() - used
    ]
    return problems


# ------------------------------------------------------------------------------ network


def _is_default_deny(policy: Manifest) -> bool:
    spec = policy["spec"]
    return (
        spec.get("podSelector") == {}
        and set(spec.get("policyTypes", [])) == {"Ingress", "Egress"}
        and not spec.get("ingress")
        and not spec.get("egress")
    )


def _allows_dns(policy: Manifest) -> bool:
    spec = policy["spec"]
    ports = {
        (port["port"], port.get("protocol", "TCP"))
        for rule in spec.get("egress", [])
        for port in rule.get("ports", [])
    }
    return spec.get("podSelector") == {} and {(53, "UDP"), (53, "TCP")} <= ports


def _allows(
    policies: Iterable[Manifest],
    direction: str,
    pods: dict[str, str],
    peer: dict[str, str] | None,
    port: int | str,
) -> bool:
    """Whether a policy selecting ``pods`` lets ``direction`` ("ingress" or "egress") traffic
    through ``port`` with same-namespace pods labelled ``peer`` (with addresses when None)."""
    side = "from" if direction == "ingress" else "to"
    for policy in policies:
        if not matches(policy["spec"]["podSelector"].get("matchLabels", {}), pods):
            continue
        for rule in policy["spec"].get(direction, []):
            if port not in {item["port"] for item in rule.get("ports", [])}:
                continue
            for other in rule.get(side, []):
                if peer is None and "ipBlock" in other:
                    return True
                selector = other.get("podSelector", {}).get("matchLabels", {})
                if peer and "namespaceSelector" not in other and matches(selector, peer):
                    return True
    return False


def _listener_admits(kafka: Manifest, pods: dict[str, str], port: int) -> bool:
    """Whether Strimzi's own policy for the listener on ``port`` lets these pods in."""
    listener = next(
        (item for item in kafka["spec"]["kafka"]["listeners"] if item["port"] == port), None
    )
    if listener is None:
        return False
    peers = listener.get("networkPolicyPeers", [])
    return not peers or any(
        matches(peer.get("podSelector", {}).get("matchLabels", {}), pods) for peer in peers
    )


def bootstrap_ports(deployment: Manifest, docs: Sequence[Manifest]) -> set[int]:
    """The ports of the Kafka bootstrap servers a service connects to (KAFKA_BOOTSTRAP)."""
    servers = _value(environment(deployment, docs), "KAFKA_BOOTSTRAP")
    return {
        int(port)
        for server in servers.split(",")
        if (port := server.strip().rpartition(":")[2]).isdigit()
    }


def network_problems(docs: Sequence[Manifest]) -> list[str]:
    """Default deny plus DNS; per service, HTTP in, and Kafka and MongoDB both ways: to and from
    the pods the overlay's Strimzi and MongoDB resources create (or to addresses without them)."""
    policies = of_kind(docs, "NetworkPolicy")
    problems = [] if any(map(_is_default_deny, policies)) else ["no default-deny NetworkPolicy"]
    if not any(_allows_dns(policy) for policy in policies):
        problems.append("no NetworkPolicy lets every pod resolve names (DNS, port 53)")
    clusters = of_kind(docs, "Kafka")
    brokers = [
        {"strimzi.io/cluster": k["metadata"]["name"], "strimzi.io/kind": "Kafka"} for k in clusters
    ]
    members = [{"app": f"{m['metadata']['name']}-svc"} for m in of_kind(docs, "MongoDBCommunity")]
    for deployment in of_kind(docs, "Deployment"):
        name = deployment["metadata"]["name"]
        pods = deployment["spec"]["template"]["metadata"]["labels"]
        ingress = {
            port["port"]
            for p in policies
            if matches(p["spec"]["podSelector"].get("matchLabels", {}), pods)
            for rule in p["spec"].get("ingress", [])
            for port in rule.get("ports", [])
        }
        if "http" not in ingress:
            problems.append(f"{name}: no policy lets HTTP in")
        kafka_ports = bootstrap_ports(deployment, docs)
        if not kafka_ports:
            problems.append(f"{name}: no Kafka bootstrap port (KAFKA_BOOTSTRAP host:port)")
        for what, port, peers in (
            *(("Kafka", port, brokers) for port in sorted(kafka_ports)),
            ("MongoDB", MONGODB_PORT, members),
        ):
            if not _allows(policies, "egress", pods, peers[0] if peers else None, port):
                problems.append(f"{name}: no policy lets it reach {what} on {port}")
        if members and not _allows(policies, "ingress", members[0], pods, MONGODB_PORT):
            problems.append(f"{name}: MongoDB's policy does not let it in")
        problems += [
            f"{name}: no Kafka listener on {port} admits it (networkPolicyPeers)"
            for port in sorted(kafka_ports)
            if clusters and not _listener_admits(clusters[0], pods, port)
        ]
    for job in of_kind(docs, "Job"):
        found = _job_network_problems(job, docs, policies, brokers[0] if brokers else None)
        problems += [f"Job {name_of(job)}: {problem}" for problem in found]
    return problems


def _job_network_problems(
    job: Manifest,
    docs: Sequence[Manifest],
    policies: Sequence[Manifest],
    brokers: dict[str, str] | None,
) -> list[str]:
    """A Job reaches the Kafka brokers (and DNS) only, and nothing reaches it."""
    pods = job["spec"]["template"]["metadata"]["labels"]
    kafka_ports = bootstrap_ports(job, docs)
    problems = [] if kafka_ports else ["no Kafka bootstrap port (KAFKA_BOOTSTRAP host:port)"]
    problems += [
        f"no policy lets it reach Kafka on {port}"
        for port in sorted(kafka_ports)
        if not _allows(policies, "egress", pods, brokers, port)
    ]
    clusters = of_kind(docs, "Kafka")
    problems += [
        f"no Kafka listener on {port} admits it (networkPolicyPeers)"
        for port in sorted(kafka_ports)
        if clusters and not _listener_admits(clusters[0], pods, port)
    ]
    for policy in policies:
        if not matches(policy["spec"]["podSelector"].get("matchLabels", {}), pods):
            continue
        name = policy["metadata"]["name"]
        if policy["spec"].get("ingress"):
            problems.append(f"NetworkPolicy {name} lets traffic in")
        for rule in policy["spec"].get("egress", []):
            ports = {port.get("port") for port in rule.get("ports", [])}
            peers = rule.get("to", [])
            if not ports or not ports <= kafka_ports:
                problems.append(f"NetworkPolicy {name} lets it out on {ports or 'any port'}")
            if not peers or not all(_is_broker(peer, brokers) for peer in peers):
                problems.append(f"NetworkPolicy {name} lets it reach other peers than Kafka's")
    return problems


def _is_broker(peer: Manifest, brokers: dict[str, str] | None) -> bool:
    """Whether a policy peer is the brokers: their pods, or addresses when they run elsewhere."""
    if brokers is None:
        return "ipBlock" in peer
    selector = peer.get("podSelector", {}).get("matchLabels", {})
    return "namespaceSelector" not in peer and matches(selector, brokers)


# ------------------------------------------------------------------------------ monitoring


def rule_groups(docs: Sequence[Manifest]) -> list[Manifest]:
    """The rule groups of every PrometheusRule, as promtool reads them."""
    return [group for rule in of_kind(docs, "PrometheusRule") for group in rule["spec"]["groups"]]


def dashboards(docs: Sequence[Manifest]) -> dict[str, Manifest]:
    """Every Grafana dashboard the overlay ships, by file name."""
    return {
        key: json.loads(value)
        for doc in of_kind(docs, "ConfigMap")
        if labels(doc).get("grafana_dashboard") == "1"
        for key, value in doc.get("data", {}).items()
    }


def queries(docs: Sequence[Manifest]) -> dict[str, str]:
    """Every PromQL query of the alerts and dashboards, by where it is used."""
    found = {
        f"alert {rule.get('alert') or rule.get('record')}": str(rule["expr"])
        for group in rule_groups(docs)
        for rule in group["rules"]
    }
    for name, dashboard in dashboards(docs).items():
        found |= {f"{name} query {i}": q for i, q in enumerate(dashboard_queries(dashboard))}
    return found


def metric_problems(docs: Sequence[Manifest], exposed: set[str]) -> list[str]:
    """Alerts and dashboards read only metrics that some service exposes."""
    return [
        f"{where}: no service exposes {name}"
        for where, query in queries(docs).items()
        for name in sorted(metric_names(query) - exposed)
    ]


def _panels(dashboard: Manifest) -> list[Manifest]:
    panels: list[Manifest] = []
    for panel in dashboard.get("panels", []):
        panels += [panel, *panel.get("panels", [])]
    return panels


def dashboard_problems(docs: Sequence[Manifest]) -> list[str]:
    """Dashboards have unique uids, and panels that query the chosen data source with the
    variables the dashboard defines."""
    problems = []
    found = dashboards(docs)
    uids = [dashboard.get("uid") for dashboard in found.values()]
    if not found or len(set(uids)) != len(uids) or None in uids:
        problems.append(f"dashboards need distinct uids: {uids}")
    for name, dashboard in found.items():
        variables = {v["name"] for v in dashboard.get("templating", {}).get("list", [])}
        builtin = {"__rate_interval", "__interval", "__range"}
        ids = [panel["id"] for panel in _panels(dashboard)]
        if len(set(ids)) != len(ids):
            problems.append(f"{name}: duplicate panel ids")
        for panel in _panels(dashboard):
            if panel["type"] == "row":
                continue
            title = f"{name} {panel.get('title')!r}"
            grid = panel.get("gridPos", {})
            if not {"h", "w", "x", "y"} <= grid.keys() or grid["x"] + grid["w"] > 24:
                problems.append(f"{title}: must sit within Grafana's 24-column grid")
            if panel.get("datasource", {}).get("uid") != "${datasource}" or not panel.get(
                "targets"
            ):
                problems.append(f"{title}: must query the $datasource variable")
            for target in panel.get("targets", []):
                used = set(re.findall(r"\$\{?(\w+)", target["expr"])) - builtin
                if missing := used - variables:
                    problems.append(f"{title}: undefined variables {sorted(missing)}")
    return problems
