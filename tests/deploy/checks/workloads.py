"""Checks of the workloads and what they are wired to (test_workloads): the Deployments and
their companions (Service, PodDisruptionBudget, ServiceMonitor, autoscaler), Jobs, settings,
MongoDB users, topics and the Kafka cluster's size."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from tests.deploy.manifests import (
    PORTAL,
    Manifest,
    app_container,
    backends,
    config_maps_of,
    environment,
    labels,
    matches,
    name_of,
    named,
    of_kind,
)

from mentorship_contracts.topics import Topic, dead_letter_topic

from .common import (
    HTTP_PORT,
    JOB,
    JOB_LABELS,
    RECOMMENDED_LABELS,
    REDRIVE_COMMAND,
    SHARED_CONFIG,
    SHARED_KAFKA_SETTINGS,
    env_value,
    is_secure,
    quantity,
    runs_redrive,
)


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
        services = {env_value(environment(deployment, docs), key) for deployment in backends(docs)}
        if key not in env:
            problems.append(f"needs {key}, as the services set it ({', '.join(sorted(services))})")
        elif {env_value(env, key)} != services:
            problems.append(f"{key} is {env_value(env, key)!r}, the services' {sorted(services)}")
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
        topics = consumed.get(service, ())  # the web app consumes nothing
        if topics and high > (bound := min(topic.partitions for topic in topics)):
            problems.append(
                f"{service}: maxReplicas {high} exceeds {bound}, the partitions of the smallest "
                f"topic it consumes ({', '.join(topic.name for topic in topics)})"
            )
    return problems


def settings_problems(
    docs: Sequence[Manifest],
    settings: Mapping[str, set[str]],
    secret: set[str],
    shared_readers: Collection[str] = (PORTAL,),
) -> list[str]:
    """Every environment variable is a setting of its service, and secrets come from Secrets.

    ``settings`` maps each service to its environment variable names, ``secret`` names the
    settings that hold credentials. ``shared_readers`` (the web app) read the services' shared
    ConfigMap (mentorship-shared) for the few settings they share (AUTH_ADMIN_ROLE, LOG_*) and
    ignore its others: its keys are checked against the services' settings, not theirs.
    """
    problems = [
        f"a Secret is committed: {doc['metadata']['name']}" for doc in of_kind(docs, "Secret")
    ]
    for deployment in of_kind(docs, "Deployment"):
        service = deployment["metadata"]["name"]
        known = settings[service]
        for config_map in config_maps_of(deployment, docs):
            shared = config_map["metadata"]["name"].startswith(f"{SHARED_CONFIG}-")
            for key in config_map.get("data", {}):
                if shared and service in shared_readers:
                    if key in secret:
                        problems.append(f"{service}: {key} is a secret, not ConfigMap data")
                elif key not in known:
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


OFFSETS_KEPT_MINUTES = 365 * 24 * 60
"""How long, at least, a group without members keeps its committed offsets (README "Marker
retention": a group whose offsets expired reads the forever-kept topics from the start, and
handles again what is older than its markers)."""


def kafka_problems(docs: Sequence[Manifest]) -> list[str]:
    """Topics belong to the cluster, fit on its brokers and survive the loss of one of them
    (where there are several); the services' bootstrap address is the cluster's; a group's
    committed offsets outlive a long absence of its members."""
    clusters = of_kind(docs, "Kafka")
    if not clusters:
        return []
    cluster = clusters[0]["metadata"]["name"]
    kept = int(clusters[0]["spec"]["kafka"].get("config", {}).get("offsets.retention.minutes", 0))
    brokers = sum(
        pool["spec"]["replicas"]
        for pool in of_kind(docs, "KafkaNodePool")
        if labels(pool).get("strimzi.io/cluster") == cluster and "broker" in pool["spec"]["roles"]
    )
    problems = []
    if kept < OFFSETS_KEPT_MINUTES:
        problems.append(
            f"Kafka {cluster}: offsets.retention.minutes is {kept or 'the default (7 days)'}, "
            f"not at least {OFFSETS_KEPT_MINUTES} (a year)"
        )
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
        if is_secure(listener)
    }
    shared = [cm for cm in of_kind(docs, "ConfigMap") if "KAFKA_BOOTSTRAP" in cm.get("data", {})]
    problems += [
        f"{cm['metadata']['name']}: KAFKA_BOOTSTRAP is not the bootstrap address of a TLS and "
        f"SCRAM listener ({', '.join(sorted(bootstraps)) or 'there is none'})"
        for cm in shared
        if cm["data"]["KAFKA_BOOTSTRAP"] not in bootstraps
    ]
    return problems
