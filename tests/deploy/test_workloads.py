"""The five services' objects: hardening, probes, resources, labels, companions, autoscaling
bounds, settings, secrets and database users; the dead-letter re-drive Job (deploy/k8s/ops):
hardening, resources, one run, settings; each check is also shown to notice a break."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from mentorship_contracts.topics import CONSUMER_GROUPS, EVENT_TOPICS
from mentorship_devstack.services import SERVICES

from .checks import workloads
from .checks.common import REDRIVE_COMMAND
from .declared import Wiring
from .manifests import (
    DELETE,
    OVERLAYS,
    PORTAL,
    PROD,
    REDRIVE_IMAGE_SERVICE,
    Manifest,
    Overlays,
    app_container,
    damage,
    labels,
    named,
    of_kind,
    redrive_job,
    with_ops,
)

AUTOSCALED = {"dev": False, "prod": True, "prod-external": True}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_is_deployed(overlays: Overlays, overlay: str) -> None:
    deployments = {doc["metadata"]["name"] for doc in of_kind(overlays[overlay], "Deployment")}
    assert deployments == {*SERVICES, PORTAL}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_deployments_are_probed_hardened_sized_and_labelled(
    overlays: Overlays, overlay: str
) -> None:
    assert workloads.deployment_problems(overlays[overlay]) == []
    assert workloads.version_problems(overlays[overlay]) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_its_service_budget_monitor_and_autoscaler(
    overlays: Overlays, overlay: str
) -> None:
    assert workloads.companion_problems(overlays[overlay], autoscaled=AUTOSCALED[overlay]) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscalers_stay_within_the_partitions_of_consumed_topics(
    overlays: Overlays, overlay: str, wirings: dict[str, Wiring]
) -> None:
    consumed = {service: wired.consumed for service, wired in wirings.items()}
    assert workloads.autoscaling_problems(overlays[overlay], consumed, min_replicas=2) == []


def test_the_consumer_services_are_the_ones_with_a_partition_bound(
    wirings: dict[str, Wiring],
) -> None:
    """Guards the bound above: every service consumes (registration only the pairs topic)."""
    assert {service for service, wired in wirings.items() if not wired.consumed} == set()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_variable_is_a_setting_and_no_secret_is_committed(
    overlays: Overlays, overlay: str, settings: dict[str, set[str]], secret_settings: set[str]
) -> None:
    problems = workloads.settings_problems(
        overlays[overlay], settings, secret_settings, shared_readers={PORTAL}
    )
    assert problems == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_logs_in_to_its_own_database(overlays: Overlays, overlay: str) -> None:
    assert workloads.mongodb_problems(overlays[overlay], SERVICES) == []


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_topics_match_the_contracts(overlays: Overlays, overlay: str) -> None:
    assert workloads.topic_problems(overlays[overlay], EVENT_TOPICS, CONSUMER_GROUPS) == []
    assert workloads.kafka_problems(overlays[overlay]) == []


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_the_redrive_job_runs_once_hardened_and_sized_with_the_services_kafka_settings(
    overlays: Overlays, overlay: str, kit_settings: set[str], secret_settings: set[str]
) -> None:
    docs = with_ops(overlays[overlay])
    assert workloads.job_problems(docs, kit_settings, secret_settings) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_jobs_are_created_on_demand_not_applied_with_an_overlay(
    overlays: Overlays, overlay: str
) -> None:
    assert of_kind(overlays[overlay], "Job") == []


def test_the_redrive_job_takes_an_image_and_its_arguments_as_the_readme_says(
    overlays: Overlays,
) -> None:
    image = app_container(named(overlays[PROD], "Deployment", REDRIVE_IMAGE_SERVICE))["image"]
    job = redrive_job(image, "feedback, --reason, handler_error, --dry-run")
    container = app_container(job)
    assert container["image"] == image
    assert container["command"] == REDRIVE_COMMAND
    assert container["args"] == ["feedback", "--reason", "handler_error", "--dry-run"]
    assert "REDRIVE_" not in str(job)
    assert job["metadata"] == {"generateName": "redrive-", "labels": labels(job)}


# ------------------------------------------------------------------------------ sabotage

APP = "spec/template/spec/containers/0"
POD = "spec/template/spec"
SECRET: Manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "mentorship-auth"}}

# (what, check, "Kind/name" or "+" for a new object, JSON pointer, new value or DELETE)
BREAKS: list[tuple[str, str, str, str, object]] = [
    ("no readiness probe", "deployment", "Deployment/matching", f"{APP}/readinessProbe", DELETE),
    (
        "liveness on /readyz",
        "deployment",
        "Deployment/feedback",
        f"{APP}/livenessProbe/httpGet/path",
        "/readyz",
    ),
    ("runs as root", "deployment", "Deployment/analytics", f"{POD}/securityContext/runAsUser", 0),
    (
        "writable root",
        "deployment",
        "Deployment/registration",
        f"{APP}/securityContext/readOnlyRootFilesystem",
        False,
    ),
    (
        "keeps capabilities",
        "deployment",
        "Deployment/scheduling",
        f"{APP}/securityContext/capabilities",
        DELETE,
    ),
    ("no limits", "deployment", "Deployment/scheduling", f"{APP}/resources/limits", DELETE),
    (
        "request above limit",
        "deployment",
        "Deployment/matching",
        f"{APP}/resources/requests/memory",
        "64Gi",
    ),
    ("no /tmp volume", "deployment", "Deployment/feedback", f"{POD}/volumes", []),
    ("wrong port", "deployment", "Deployment/analytics", f"{APP}/ports/0/containerPort", 8080),
    (
        "no component label",
        "deployment",
        "Deployment/matching",
        "metadata/labels/app.kubernetes.io~1component",
        DELETE,
    ),
    (
        "image of another service",
        "deployment",
        "Deployment/feedback",
        f"{APP}/image",
        "mentorship/analytics:0.1.0",
    ),
    (
        "mixed versions",
        "version",
        "Service/matching",
        "metadata/labels/app.kubernetes.io~1version",
        "9",
    ),
    ("no Service", "companion", "Service/scheduling", "", DELETE),
    ("no PodDisruptionBudget", "companion", "PodDisruptionBudget/analytics", "", DELETE),
    ("no ServiceMonitor", "companion", "ServiceMonitor/registration", "", DELETE),
    ("scrapes another job", "companion", "ServiceMonitor/feedback", "spec/jobLabel", "app"),
    ("no autoscaler", "companion", "HorizontalPodAutoscaler/feedback", "", DELETE),
    ("replicas beside the autoscaler", "companion", "Deployment/matching", "spec/replicas", 2),
    (
        "more replicas than partitions",
        "autoscaling",
        "HorizontalPodAutoscaler/analytics",
        "spec/maxReplicas",
        6,
    ),
    (
        "a single replica",
        "autoscaling",
        "HorizontalPodAutoscaler/registration",
        "spec/minReplicas",
        1,
    ),
    (
        "an unknown variable",
        "settings",
        "ConfigMap/mentorship-shared",
        "data/KAFKA_BOOTSTRAPS",
        "x",
    ),
    (
        "another service's setting",
        "settings",
        "ConfigMap/registration",
        "data/MATCHING_TIME_LIMIT_S",
        "5",
    ),
    (
        "a secret in a ConfigMap",
        "settings",
        "ConfigMap/mentorship-shared",
        "data/AUTH_ADMIN_TOKEN",
        "x",
    ),
    ("a committed Secret", "settings", "+", "", SECRET),
    (
        "a literal MongoDB URL",
        "settings",
        "Deployment/feedback",
        f"{APP}/env/2",
        {"name": "MONGODB_URL", "value": "mongodb://x"},
    ),
    ("wrong database", "mongodb", "ConfigMap/analytics", "data/MONGODB_DATABASE", "mentorship"),
    ("no user", "mongodb", "MongoDBCommunity/mentorship-mongodb", "spec/users/4", DELETE),
    (
        "user of another database",
        "mongodb",
        "MongoDBCommunity/mentorship-mongodb",
        "spec/users/3/roles/0/db",
        "mentorship_matching",
    ),
    (
        "another connection string",
        "mongodb",
        "MongoDBCommunity/mentorship-mongodb",
        "spec/users/2/connectionStringSecretName",
        "mentorship-mongodb-feedback",
    ),
    ("missing topic", "topics", "KafkaTopic/mentorship.survey.v1", "", DELETE),
    ("missing dead letters", "topics", "KafkaTopic/mentorship.deadletter.analytics.v1", "", DELETE),
    ("wrong partitions", "topics", "KafkaTopic/mentorship.pair.v1", "spec/partitions", 3),
    (
        "finite retention",
        "topics",
        "KafkaTopic/mentorship.program.v1",
        "spec/config/retention.ms",
        604800000,
    ),
    ("more replicas than brokers", "kafka", "KafkaTopic/mentorship.session.v1", "spec/replicas", 4),
    (
        "no write survives a broker loss",
        "kafka",
        "KafkaTopic/mentorship.feedback.v1",
        "spec/config/min.insync.replicas",
        3,
    ),
    (
        "another cluster",
        "kafka",
        "KafkaTopic/mentorship.pair.v1",
        "metadata/labels/strimzi.io~1cluster",
        "other",
    ),
    (
        "offsets of an idle group expire after a week",
        "kafka",
        "Kafka/mentorship",
        "spec/kafka/config/offsets.retention.minutes",
        DELETE,
    ),
    (
        "another bootstrap",
        "kafka",
        "ConfigMap/mentorship-shared",
        "data/KAFKA_BOOTSTRAP",
        "kafka:9092",
    ),
]

CHECKS: dict[str, Callable[[list[Manifest], dict[str, Any]], list[str]]] = {
    "deployment": lambda docs, _: workloads.deployment_problems(docs),
    "version": lambda docs, _: workloads.version_problems(docs),
    "companion": lambda docs, _: workloads.companion_problems(docs, autoscaled=True),
    "autoscaling": lambda docs, ctx: workloads.autoscaling_problems(
        docs, ctx["consumed"], min_replicas=2
    ),
    "settings": lambda docs, ctx: workloads.settings_problems(
        docs, ctx["settings"], ctx["secret"], shared_readers={PORTAL}
    ),
    "mongodb": lambda docs, _: workloads.mongodb_problems(docs, SERVICES),
    "topics": lambda docs, _: workloads.topic_problems(docs, EVENT_TOPICS, CONSUMER_GROUPS),
    "kafka": lambda docs, _: workloads.kafka_problems(docs),
}


@pytest.fixture
def context(
    wirings: dict[str, Wiring], settings: dict[str, set[str]], secret_settings: set[str]
) -> dict[str, Any]:
    """What the checks compare the manifests with."""
    return {
        "consumed": {service: wired.consumed for service, wired in wirings.items()},
        "settings": settings,
        "secret": secret_settings,
    }


JOB = "Job/redrive-"
JOB_ENV = f"{APP}/env"
# (what, "Kind/name", JSON pointer, new value or DELETE), on prod and the re-drive Job
JOB_BREAKS: list[tuple[str, str, str, object]] = [
    ("retries", JOB, "spec/backoffLimit", 3),
    ("no TTL", JOB, "spec/ttlSecondsAfterFinished", DELETE),
    ("no deadline", JOB, "spec/activeDeadlineSeconds", DELETE),
    ("restarts in place", JOB, f"{POD}/restartPolicy", "OnFailure"),
    ("runs the service", JOB, f"{APP}/command", DELETE),
    ("runs as root", JOB, f"{POD}/securityContext/runAsUser", 0),
    ("no seccomp", JOB, f"{POD}/securityContext/seccompProfile", DELETE),
    ("a service account token", JOB, f"{POD}/automountServiceAccountToken", True),
    ("writable root", JOB, f"{APP}/securityContext/readOnlyRootFilesystem", False),
    ("escalates", JOB, f"{APP}/securityContext/allowPrivilegeEscalation", True),
    ("keeps capabilities", JOB, f"{APP}/securityContext/capabilities", DELETE),
    ("no limits", JOB, f"{APP}/resources/limits", DELETE),
    ("request above limit", JOB, f"{APP}/resources/requests/memory", "1Gi"),
    ("no /tmp volume", JOB, f"{POD}/volumes/[name=tmp]", DELETE),
    ("no name label", JOB, "spec/template/metadata/labels/app.kubernetes.io~1name", DELETE),
    ("an image of no release", JOB, f"{APP}/image", "mentorship/analytics:latest"),
    (
        "an unknown variable",
        JOB,
        f"{JOB_ENV}/0",
        {"name": "KAFKA_BOOTSTRAPS", "value": "mentorship-kafka-bootstrap:9093"},
    ),
    (
        "a literal password",
        JOB,
        f"{JOB_ENV}/[name=KAFKA_SASL_PASSWORD]",
        {"name": "KAFKA_SASL_PASSWORD", "value": "hunter2"},
    ),
    ("another bootstrap", JOB, f"{JOB_ENV}/[name=KAFKA_BOOTSTRAP]/value", "kafka:9092"),
    ("another topic prefix", JOB, f"{JOB_ENV}/[name=KAFKA_TOPIC_PREFIX]/value", "staging."),
    ("no topic prefix set", JOB, f"{JOB_ENV}/[name=KAFKA_TOPIC_PREFIX]", DELETE),
    (
        "settings from a ConfigMap",
        JOB,
        f"{APP}/envFrom",
        [{"configMapRef": {"name": "mentorship-shared"}}],
    ),
    ("the services move", "ConfigMap/mentorship-shared", "data/KAFKA_BOOTSTRAP", "kafka:9093"),
]


@pytest.mark.parametrize(
    ("target", "pointer", "value"), [pytest.param(*rest, id=what) for what, *rest in JOB_BREAKS]
)
def test_the_job_check_notices_a_break(
    overlays: Overlays,
    kit_settings: set[str],
    secret_settings: set[str],
    *,
    target: str,
    pointer: str,
    value: object,
) -> None:
    docs = copy.deepcopy(with_ops(overlays[PROD]))
    assert workloads.job_problems(docs, kit_settings, secret_settings) == []
    damage(docs, target, pointer, value)
    assert workloads.job_problems(docs, kit_settings, secret_settings), "the job check missed it"


@pytest.mark.parametrize(
    ("check", "target", "pointer", "value"),
    [pytest.param(*rest, id=what) for what, *rest in BREAKS],
)
def test_each_check_notices_a_break(
    overlays: Overlays,
    context: dict[str, Any],
    *,
    check: str,
    target: str,
    pointer: str,
    value: object,
) -> None:
    docs = copy.deepcopy(overlays[PROD])
    assert CHECKS[check](docs, context) == []
    damage(docs, target, pointer, value)
    assert CHECKS[check](docs, context), f"the {check} check missed it"
