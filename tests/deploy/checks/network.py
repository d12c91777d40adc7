"""Checks of the network policies (test_network): default deny, DNS, and per workload exactly
the traffic it needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tests.deploy.manifests import (
    BACKEND,
    COMPONENT,
    Manifest,
    environment,
    labels,
    matches,
    name_of,
    of_kind,
    selects,
)

from .common import (
    MONGODB_PORT,
    env_value,
)


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
        if not selects(policy["spec"]["podSelector"], pods):
            continue
        for rule in policy["spec"].get(direction, []):
            if port not in {item["port"] for item in rule.get("ports", [])}:
                continue
            for other in rule.get(side, []):
                if peer is None and "ipBlock" in other:
                    return True
                selector = other.get("podSelector", {})
                if peer and "namespaceSelector" not in other and selects(selector, peer):
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
    servers = env_value(environment(deployment, docs), "KAFKA_BOOTSTRAP")
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
        if labels(deployment).get(COMPONENT) != BACKEND:
            problems += [f"{name}: {p}" for p in _web_problems(deployment, docs, policies)]
            continue
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


WEB_PORTS = frozenset({"http", 443})
"""Where the web app goes: the services' HTTP ports, and HTTPS (the identity provider)."""


def _web_problems(
    deployment: Manifest, docs: Sequence[Manifest], policies: Sequence[Manifest]
) -> list[str]:
    """The web app (no database, no Kafka) reaches every service's HTTP port and is let in by
    it, reaches HTTPS addresses (the identity provider), and nothing else (DNS aside)."""
    pods = deployment["spec"]["template"]["metadata"]["labels"]
    problems = []
    for service in of_kind(docs, "Deployment"):
        if labels(service).get(COMPONENT) != BACKEND:
            continue
        name = service["metadata"]["name"]
        peer = service["spec"]["template"]["metadata"]["labels"]
        if not _allows(policies, "egress", pods, peer, "http"):
            problems.append(f"no policy lets it reach {name}'s HTTP port")
        if not _allows(policies, "ingress", peer, pods, "http"):
            problems.append(f"{name}'s policies do not let it in")
    if not _allows(policies, "egress", pods, None, 443):
        problems.append("no policy lets it reach the identity provider (HTTPS, 443)")
    for policy in policies:
        if not selects(policy["spec"]["podSelector"], pods):
            continue
        for rule in policy["spec"].get("egress", []):
            ports = {port.get("port") for port in rule.get("ports", [])}
            if not rule.get("to") or not ports or not ports <= WEB_PORTS:
                found = ports or "any port"
                problems.append(f"NetworkPolicy {name_of(policy)} lets it out to {found}")
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
