"""Checks of the web app's wiring (test_portal): its Secret, the services it calls, the admin
role it shares with them, and the one address people, the identity provider and notifications'
links reach it at."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from tests.deploy.manifests import (
    PORTAL,
    Manifest,
    app_container,
    backends,
    environment,
    named,
    of_kind,
)

from .common import env_value

PORTAL_SECRET = "mentorship-portal"
"""The Secret the operator creates (README "Secrets"): PORTAL_SESSION_SECRET, PORTAL_METRICS_TOKEN,
OIDC_CLIENT_SECRET."""
METRICS_TOKEN = "PORTAL_METRICS_TOKEN"
REQUIRED_SECRETS = {"PORTAL_SESSION_SECRET": True, METRICS_TOKEN: True, "OIDC_CLIENT_SECRET": False}
"""The portal's credentials, and whether it cannot start without them."""
SHARED_WITH_THE_SERVICES = ("AUTH_ADMIN_ROLE",)
"""Settings the portal must read with the services' very values (base/shared.env)."""
NOTIFICATIONS = "notifications"
BACKEND_CREDENTIALS = frozenset(
    {"MONGODB_URL", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD", "KAFKA_SSL_CA_FILE"}
)
"""The services' MongoDB and Kafka wiring (base/service), which the portal must not carry."""


def _secret_problems(container: Manifest) -> list[str]:
    env = {item["name"]: item for item in container.get("env", [])}
    problems = []
    for key, required in REQUIRED_SECRETS.items():
        ref = env.get(key, {}).get("valueFrom", {}).get("secretKeyRef", {})
        if (ref.get("name"), ref.get("key")) != (PORTAL_SECRET, key):
            problems.append(f"{key} must come from the Secret {PORTAL_SECRET}, key {key}")
        elif required and ref.get("optional"):
            problems.append(f"{key} is required: the Secret key must not be optional")
    return problems


def _metrics_problems(docs: Sequence[Manifest]) -> list[str]:
    """Behind the Ingress /metrics is public unless it asks for a token: every ServiceMonitor
    endpoint of the portal scrapes with the very Secret key the portal compares with."""
    monitors = [
        monitor
        for monitor in of_kind(docs, "ServiceMonitor")
        if monitor["spec"].get("selector", {}).get("matchLabels", {}).get("app.kubernetes.io/name")
        == PORTAL
    ]
    if not monitors:
        return ["no ServiceMonitor scrapes the portal"]
    expected = {"type": "Bearer", "credentials": {"name": PORTAL_SECRET, "key": METRICS_TOKEN}}
    return [
        f"ServiceMonitor {monitor['metadata']['name']} scrapes {endpoint.get('path')} without "
        f"the bearer token {PORTAL_SECRET}/{METRICS_TOKEN}"
        for monitor in monitors
        for endpoint in monitor["spec"].get("endpoints", [])
        if endpoint.get("authorization") != expected
    ]


def _api_problems(env: dict[str, Manifest], docs: Sequence[Manifest]) -> list[str]:
    """Each service's URL is its Service, inside the namespace, on a port the Service has."""
    problems = []
    for deployment in backends(docs):
        name = deployment["metadata"]["name"]
        key = f"{name.upper()}_URL"
        url = urlsplit(env_value(env, key))
        service = [s for s in of_kind(docs, "Service") if s["metadata"]["name"] == url.hostname]
        ports = {port["port"] for port in service[0]["spec"]["ports"]} if service else set()
        if url.scheme != "http" or url.hostname != name or (url.port or 80) not in ports:
            problems.append(f"{key} is {env_value(env, key)!r}, not the Service http://{name}")
    return problems


def _address_problems(env: dict[str, Manifest], docs: Sequence[Manifest]) -> list[str]:
    """PORTAL_BASE_URL is notifications' and, where an Ingress serves the portal, https://<its
    host>, with a certificate for that host."""
    base = env_value(env, "PORTAL_BASE_URL")
    notifications = env_value(
        environment(named(docs, "Deployment", NOTIFICATIONS), docs), "PORTAL_BASE_URL"
    )
    problems = []
    if notifications != base:
        problems.append(f"notifications links to {notifications!r}, the portal is at {base!r}")
    ingresses = [
        ingress
        for ingress in of_kind(docs, "Ingress")
        for rule in ingress["spec"].get("rules", [])
        for path in rule.get("http", {}).get("paths", [])
        if path["backend"].get("service", {}).get("name") == PORTAL
    ]
    for ingress in ingresses:
        name = ingress["metadata"]["name"]
        for rule in ingress["spec"]["rules"]:
            host = rule.get("host")
            if base.rstrip("/") != f"https://{host}":
                problems.append(f"Ingress {name}: host {host!r}, but PORTAL_BASE_URL is {base!r}")
            covered = {h for tls in ingress["spec"].get("tls", []) for h in tls.get("hosts", [])}
            if host not in covered or not all(
                tls.get("secretName") for tls in ingress["spec"]["tls"]
            ):
                problems.append(f"Ingress {name}: no TLS certificate (secretName) for {host!r}")
            routes = [
                (p.get("path"), p.get("pathType"), p["backend"]["service"].get("port"))
                for p in rule["http"]["paths"]
            ]
            if routes != [("/", "Prefix", {"name": "http"})]:
                problems.append(f"Ingress {name}: must send every path to the portal's http port")
    return problems


def portal_problems(docs: Sequence[Manifest]) -> list[str]:
    """The web app's Deployment: secrets from its Secret, the services' in-cluster URLs, a
    Secure session cookie, an identity provider over HTTPS, the services' admin role, no
    MongoDB or Kafka wiring, and one public address (PORTAL_BASE_URL, notifications, Ingress)."""
    deployment = named(docs, "Deployment", PORTAL)
    container = app_container(deployment)
    env = environment(deployment, docs)
    problems = _secret_problems(container)
    problems += _metrics_problems(docs)
    problems += _api_problems(env, docs)
    if env_value(env, "PORTAL_COOKIE_SECURE") != "true":
        problems.append("PORTAL_COOKIE_SECURE must be true (the session cookie over HTTPS only)")
    if not env_value(env, "OIDC_ISSUER").startswith("https://"):
        problems.append("OIDC_ISSUER must be the identity provider's https:// issuer")
    if not env_value(env, "OIDC_CLIENT_ID"):
        problems.append("OIDC_CLIENT_ID must be set")
    for key in SHARED_WITH_THE_SERVICES:
        values = {env_value(environment(d, docs), key) for d in backends(docs)}
        if not env_value(env, key) or {env_value(env, key)} != values:
            problems.append(f"{key} is {env_value(env, key)!r}, the services' {sorted(values)}")
    own = {item["name"] for item in container.get("env", [])}
    if leftovers := sorted(own & BACKEND_CREDENTIALS):
        problems.append(f"has no database nor Kafka, yet sets {', '.join(leftovers)}")
    volumes = {v["name"] for v in deployment["spec"]["template"]["spec"].get("volumes", [])}
    if volumes != {"tmp"}:
        problems.append(f"needs only its /tmp volume, has {sorted(volumes)}")
    problems += _address_problems(env, docs)
    return [f"Deployment {PORTAL}: {problem}" for problem in problems]
