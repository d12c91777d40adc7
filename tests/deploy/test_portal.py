"""The web app (services/portal): deployed like the services (hardened, probed, sized, with a
Service, budget, autoscaler, monitor and network policy, which test_workloads and test_network
check for every Deployment) without their MongoDB and Kafka, and wired to the services, its
identity provider, its Secret, the services' admin role and its public address; each check is
also shown to notice a break."""

from __future__ import annotations

import copy

import pytest

from .checks import workloads
from .checks.network import network_problems
from .checks.portal import portal_problems
from .checks.public_links import public_link_problems
from .manifests import (
    DELETE,
    OVERLAYS,
    PORTAL,
    PROD,
    Manifest,
    Overlays,
    app_container,
    damage,
    environment,
    labels,
    named,
    of_kind,
    with_ops,
)

AUTH_ADMIN_ROLE = "AUTH_ADMIN_ROLE"
PUBLIC_LINKS = "public-links"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_portal_is_wired_to_its_secret_the_services_and_its_address(
    overlays: Overlays, overlay: str
) -> None:
    assert portal_problems(overlays[overlay]) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_portal_reads_the_admin_role_from_the_services_shared_settings(
    overlays: Overlays, overlay: str
) -> None:
    """One value for the services and the portal: base/shared.env's (mentorship-shared)."""
    docs = overlays[overlay]
    portal = named(docs, "Deployment", PORTAL)
    (shared,) = [
        doc
        for doc in of_kind(docs, "ConfigMap")
        if doc["metadata"]["name"].startswith("mentorship-shared-")
    ]
    sources = [s["configMapRef"]["name"] for s in app_container(portal)["envFrom"]]
    assert shared["metadata"]["name"] in sources
    assert environment(portal, docs)[AUTH_ADMIN_ROLE]["value"] == shared["data"][AUTH_ADMIN_ROLE]
    assert shared["data"][AUTH_ADMIN_ROLE] == "mentorship-admin"


def test_only_prod_overlays_expose_the_portal_over_https(overlays: Overlays) -> None:
    """dev port-forwards (no host, no certificate); prod and prod-external serve the portal and
    the services' public links, on one host with one certificate."""
    assert of_kind(overlays["dev"], "Ingress") == []
    for overlay in ("prod", "prod-external"):
        ingresses = {i["metadata"]["name"]: i for i in of_kind(overlays[overlay], "Ingress")}
        assert sorted(ingresses) == [PORTAL, PUBLIC_LINKS]
        for ingress in ingresses.values():
            assert ingress["spec"]["ingressClassName"] == "nginx"
            assert ingress["spec"]["tls"] == [
                {"hosts": ["mentorship.example.com"], "secretName": "mentorship-portal-tls"}
            ]
        assert labels(ingresses[PORTAL])["app.kubernetes.io/name"] == PORTAL


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_unsubscribe_links_and_calendar_feeds_reach_their_service_from_outside(
    overlays: Overlays, overlay: str
) -> None:
    """The links in mails and calendar apps (<host>/notifications/v1/unsubscribe/<token>,
    <host>/scheduling/v1/calendars/<token>.ics) reach the services that answer them; nothing else
    of those services is public."""
    assert public_link_problems(overlays[overlay]) == []


# (what, "Kind/name", JSON pointer, new value or DELETE), on prod
PUBLIC_LINK_BREAKS: list[tuple[str, str, str, object]] = [
    ("no public links", f"Ingress/{PUBLIC_LINKS}", "", DELETE),
    ("prefix kept", f"Ingress/{PUBLIC_LINKS}", "metadata/annotations", {}),
    (
        "every path of a service",
        f"Ingress/{PUBLIC_LINKS}",
        "spec/rules/0/http/paths/0/path",
        "/notifications/(.*)",
    ),
    (
        "feeds to the wrong service",
        f"Ingress/{PUBLIC_LINKS}",
        "spec/rules/0/http/paths/1/backend/service/name",
        "notifications",
    ),
    ("another host", f"Ingress/{PUBLIC_LINKS}", "spec/rules/0/host", "links.example.com"),
    ("no certificate", f"Ingress/{PUBLIC_LINKS}", "spec/tls", DELETE),
    (
        "feeds elsewhere",
        "ConfigMap/scheduling",
        "data/FEED_BASE_URL",
        "https://calendar.example.com",
    ),
    (
        "unsubscribe elsewhere",
        "ConfigMap/notifications",
        "data/PUBLIC_BASE_URL",
        "https://mentorship.example.com/mail",
    ),
]


@pytest.mark.parametrize(
    ("target", "pointer", "value"),
    [pytest.param(*rest, id=what) for what, *rest in PUBLIC_LINK_BREAKS],
)
def test_the_public_link_check_notices_a_break(
    overlays: Overlays, *, target: str, pointer: str, value: object
) -> None:
    docs = copy.deepcopy(overlays[PROD])
    assert public_link_problems(docs) == []
    damage(docs, target, pointer, value)
    assert public_link_problems(docs), "the public link check missed it"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_services_keep_their_kafka_ca_and_the_portal_mounts_none(
    overlays: Overlays, overlay: str
) -> None:
    """prod-external's CA patch targets the services (component backend), not the portal."""
    docs = overlays[overlay]
    volumes = {
        deployment["metadata"]["name"]: {
            volume["name"] for volume in deployment["spec"]["template"]["spec"]["volumes"]
        }
        for deployment in of_kind(docs, "Deployment")
    }
    assert volumes.pop(PORTAL) == {"tmp"}
    assert all(found == {"tmp", "kafka-ca"} for found in volumes.values())


# ------------------------------------------------------------------------------ sabotage

APP = "spec/template/spec/containers/0"
POD = "spec/template/spec"
ENV = f"{APP}/env"
DEPLOYMENT = f"Deployment/{PORTAL}"

# (what, "Kind/name", JSON pointer, new value or DELETE), on prod
BREAKS: list[tuple[str, str, str, object]] = [
    (
        "session secret inlined",
        DEPLOYMENT,
        f"{ENV}/[name=PORTAL_SESSION_SECRET]",
        {"name": "PORTAL_SESSION_SECRET", "value": "x" * 40},
    ),
    (
        "session secret optional",
        DEPLOYMENT,
        f"{ENV}/[name=PORTAL_SESSION_SECRET]/valueFrom/secretKeyRef/optional",
        True,
    ),
    ("no client secret", DEPLOYMENT, f"{ENV}/[name=OIDC_CLIENT_SECRET]", DELETE),
    ("metrics open to all", DEPLOYMENT, f"{ENV}/[name=PORTAL_METRICS_TOKEN]", DELETE),
    (
        "metrics token optional",
        DEPLOYMENT,
        f"{ENV}/[name=PORTAL_METRICS_TOKEN]/valueFrom/secretKeyRef/optional",
        True,
    ),
    (
        "scraped without the token",
        "ServiceMonitor/portal",
        "spec/endpoints/0/authorization",
        DELETE,
    ),
    (
        "scraped with another token",
        "ServiceMonitor/portal",
        "spec/endpoints/0/authorization/credentials/key",
        "PORTAL_SESSION_SECRET",
    ),
    ("cookie over HTTP", "ConfigMap/portal", "data/PORTAL_COOKIE_SECURE", "false"),
    ("issuer over HTTP", "ConfigMap/portal", "data/OIDC_ISSUER", "http://login.example.com"),
    ("no client id", "ConfigMap/portal", "data/OIDC_CLIENT_ID", ""),
    ("a service on localhost", "ConfigMap/portal", "data/MATCHING_URL", "http://127.0.0.1:8002"),
    ("a service not called", "ConfigMap/portal", "data/ANALYTICS_URL", DELETE),
    ("a service's wrong port", "ConfigMap/portal", "data/FEEDBACK_URL", "http://feedback:8000"),
    ("its own admin role", DEPLOYMENT, f"{ENV}/0", {"name": "AUTH_ADMIN_ROLE", "value": "admin"}),
    ("no shared settings", DEPLOYMENT, f"{APP}/envFrom/1", DELETE),
    (
        "a database",
        DEPLOYMENT,
        f"{ENV}/0",
        {"name": "MONGODB_URL", "valueFrom": {"secretKeyRef": {"name": "x", "key": "y"}}},
    ),
    (
        "a Kafka CA",
        DEPLOYMENT,
        f"{POD}/volumes",
        [{"name": "tmp", "emptyDir": {}}, {"name": "kafka-ca", "emptyDir": {}}],
    ),
    (
        "links elsewhere",
        "ConfigMap/notifications",
        "data/PORTAL_BASE_URL",
        "https://portal.example.com",
    ),
    ("served elsewhere", "Ingress/portal", "spec/rules/0/host", "portal.example.com"),
    ("no certificate", "Ingress/portal", "spec/tls", DELETE),
    ("a certificate for another host", "Ingress/portal", "spec/tls/0/hosts", ["example.org"]),
    ("part of the site", "Ingress/portal", "spec/rules/0/http/paths/0/path", "/console"),
]


@pytest.mark.parametrize(
    ("target", "pointer", "value"), [pytest.param(*rest, id=what) for what, *rest in BREAKS]
)
def test_the_portal_check_notices_a_break(
    overlays: Overlays, *, target: str, pointer: str, value: object
) -> None:
    docs = copy.deepcopy(overlays[PROD])
    assert portal_problems(docs) == []
    damage(docs, target, pointer, value)
    assert portal_problems(docs), "the portal check missed it"


# (what, check, "Kind/name", JSON pointer, new value or DELETE), on prod and its re-drive Job
COMMON_BREAKS: list[tuple[str, str, str, str, object]] = [
    ("no readiness probe", "deployment", DEPLOYMENT, f"{APP}/readinessProbe", DELETE),
    (
        "writable root",
        "deployment",
        DEPLOYMENT,
        f"{APP}/securityContext/readOnlyRootFilesystem",
        False,
    ),
    ("runs as root", "deployment", DEPLOYMENT, f"{POD}/securityContext/runAsUser", 0),
    ("no limits", "deployment", DEPLOYMENT, f"{APP}/resources/limits", DELETE),
    ("no ServiceMonitor", "companion", "ServiceMonitor/portal", "", DELETE),
    ("no autoscaler", "companion", "HorizontalPodAutoscaler/portal", "", DELETE),
    ("no PodDisruptionBudget", "companion", "PodDisruptionBudget/portal", "", DELETE),
    ("a single replica", "autoscaling", "HorizontalPodAutoscaler/portal", "spec/minReplicas", 1),
    ("an unknown setting", "settings", "ConfigMap/portal", "data/PORTAL_BASE_URI", "x"),
    ("a secret in its ConfigMap", "settings", "ConfigMap/portal", "data/OIDC_CLIENT_SECRET", "x"),
    ("no way in", "network", "NetworkPolicy/portal", "spec/ingress", DELETE),
    ("services shut it out", "network", "NetworkPolicy/portal-callers", "", DELETE),
    ("no identity provider", "network", "NetworkPolicy/portal", "spec/egress/1", DELETE),
    (
        "MongoDB's port instead of HTTPS",
        "network",
        "NetworkPolicy/portal",
        "spec/egress/1/ports/0/port",
        27017,
    ),
    (
        "one service unreachable",
        "network",
        "NetworkPolicy/portal",
        "spec/egress/0/to/0/podSelector/matchExpressions/0/values",
        ["registration", "matching", "scheduling", "feedback", "analytics"],
    ),
]


def _check(
    check: str, docs: list[Manifest], settings: dict[str, set[str]], secret: set[str]
) -> list[str]:
    if check == "deployment":
        return workloads.deployment_problems(docs)
    if check == "companion":
        return workloads.companion_problems(docs, autoscaled=True)
    if check == "autoscaling":
        return workloads.autoscaling_problems(docs, {}, min_replicas=2)
    if check == "settings":
        return workloads.settings_problems(docs, settings, secret)
    return network_problems(docs)


@pytest.mark.parametrize(
    ("check", "target", "pointer", "value"),
    [pytest.param(*rest, id=what) for what, *rest in COMMON_BREAKS],
)
def test_the_services_checks_notice_a_break_of_the_portal(
    overlays: Overlays,
    settings: dict[str, set[str]],
    secret_settings: set[str],
    *,
    check: str,
    target: str,
    pointer: str,
    value: object,
) -> None:
    docs = copy.deepcopy(with_ops(overlays[PROD]))
    assert _check(check, docs, settings, secret_settings) == []
    damage(docs, target, pointer, value)
    assert _check(check, docs, settings, secret_settings), f"the {check} check missed it"
