"""Checks of the links people follow from outside to a service rather than the portal
(test_portal): one-click unsubscribe (notifications' PUBLIC_BASE_URL) and calendar feeds
(scheduling's FEED_BASE_URL). Where an Ingress serves the portal, each service's public address
is <the portal's address>/<service>, and an Ingress on that host sends exactly the token-shaped
paths of those links, and no other path of the service, to it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from tests.deploy.manifests import PORTAL, Manifest, environment, named, of_kind

from .common import env_value


@dataclass(frozen=True)
class PublicLink:
    service: str
    setting: str
    """The service's setting that holds its public address, which its links start with."""
    example: str
    """A link's path after that address, as the service writes it."""
    not_public: str
    """Another path of the same service, which must stay inside the cluster."""


PUBLIC_LINKS = (
    PublicLink(
        "notifications", "PUBLIC_BASE_URL", "/v1/unsubscribe/eyJwIjoiYSJ9.c2ln-_", "/v1/deliveries"
    ),
    PublicLink("scheduling", "FEED_BASE_URL", "/v1/calendars/AbC_12-x.ics", "/v1/me/sessions"),
)
_CAPTURE = re.compile(r"\$(\d)")


def _served_path(path: Manifest, rewrite: str | None, requested: str) -> str | None:
    """The path the backend sees for a request, if this Ingress path takes it (ingress-nginx:
    a regular expression where the Ingress rewrites, a prefix otherwise)."""
    pattern = str(path.get("path", ""))
    if rewrite is None:
        prefix = pattern.rstrip("/")
        taken = requested == prefix or requested.startswith(f"{prefix}/")
        return requested if taken else None
    found = re.match(pattern, requested)
    if found is None:
        return None
    return _CAPTURE.sub(lambda group: found.group(int(group.group(1))) or "", rewrite)


def _route(docs: Sequence[Manifest], host: str, requested: str) -> tuple[str, str] | None:
    """(Service, path) the longest matching path of the host's Ingresses sends a request to."""
    candidates = []
    for ingress in of_kind(docs, "Ingress"):
        rewrite = (
            ingress["metadata"]
            .get("annotations", {})
            .get("nginx.ingress.kubernetes.io/rewrite-target")
        )
        covered = {h for tls in ingress["spec"].get("tls", []) for h in tls.get("hosts", [])}
        for rule in ingress["spec"].get("rules", []):
            if rule.get("host") != host or host not in covered:
                continue
            for path in rule.get("http", {}).get("paths", []):
                served = _served_path(path, rewrite, requested)
                service = path["backend"].get("service", {})
                if served is not None and service.get("port") == {"name": "http"}:
                    candidates.append((len(str(path["path"])), service["name"], served))
    if not candidates:
        return None
    _, service, served = max(candidates)
    return service, served


def public_link_problems(docs: Sequence[Manifest]) -> list[str]:
    """Each public link reaches its service at the path the service answers, over HTTPS on the
    portal's host; the service's other paths reach nothing outside (the portal's "/" takes
    them). Nothing to check where no Ingress serves the portal (port-forwarded dev clusters)."""
    portal = env_value(environment(named(docs, "Deployment", PORTAL), docs), "PORTAL_BASE_URL")
    host = urlsplit(portal).hostname or ""
    if not of_kind(docs, "Ingress"):
        return []
    problems = []
    for link in PUBLIC_LINKS:
        base = env_value(environment(named(docs, "Deployment", link.service), docs), link.setting)
        expected = f"{portal.rstrip('/')}/{link.service}"
        if base.rstrip("/") != expected:
            problems.append(f"{link.service}: {link.setting} is {base!r}, not {expected!r}")
            continue
        prefix = urlsplit(base).path.rstrip("/")
        route = _route(docs, host, f"{prefix}{link.example}")
        if route != (link.service, link.example):
            problems.append(
                f"{link.service}: {base}{link.example} reaches {route}, "
                f"not {link.service} at {link.example}"
            )
        inside = _route(docs, host, f"{prefix}{link.not_public}")
        if inside is not None and inside[0] == link.service:
            problems.append(f"{link.service}: {base}{link.not_public} is public too")
    return problems
