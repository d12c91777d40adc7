"""Checks of Kafka security (test_kafka_security): the cluster takes only TLS logins of SCRAM
users and enforces ACLs, every client logs in with its own user, and each user's ACLs are exactly
what its code does."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from tests.deploy.manifests import (
    Manifest,
    app_container,
    backends,
    environment,
    labels,
    name_of,
    of_kind,
)

from mentorship_contracts.topics import Topic, dead_letter_topic

from .common import (
    KAFKA_MECHANISMS,
    KAFKA_PROTOCOL,
    env_value,
    is_secure,
    runs_redrive,
)


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
        if not is_secure(listener)
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
    protocol = env_value(env, "KAFKA_SECURITY_PROTOCOL") or "PLAINTEXT"
    username = env_value(env, "KAFKA_SASL_USERNAME")
    password = _secret_reference(env, "KAFKA_SASL_PASSWORD")
    problems = []
    if protocol not in {"SSL", "SASL_SSL"}:
        problems.append(f"KAFKA_SECURITY_PROTOCOL {protocol} does not encrypt")
    if protocol.startswith("SASL") and not username:
        problems.append("no KAFKA_SASL_USERNAME")
    if protocol.startswith("SASL") and password is None:
        problems.append("KAFKA_SASL_PASSWORD must come from a Secret")
    ca_file, ca = env_value(env, "KAFKA_SSL_CA_FILE"), None
    if ca_file:
        try:
            ca = secret_file(deployment, ca_file)
        except ValueError as error:
            problems.append(f"KAFKA_SSL_CA_FILE: {error}")
    if cluster is None:
        return problems
    name = cluster["metadata"]["name"]
    listeners = [item for item in cluster["spec"]["kafka"]["listeners"] if is_secure(item)]
    mechanisms = {KAFKA_MECHANISMS[item["authentication"]["type"]] for item in listeners}
    if protocol != KAFKA_PROTOCOL:
        problems.append(f"KAFKA_SECURITY_PROTOCOL must be {KAFKA_PROTOCOL}, not {protocol}")
    mechanism = env_value(env, "KAFKA_SASL_MECHANISM")
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
    return [*backends(docs), *of_kind(docs, "Job")]


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
        prefix = env_value(env, "KAFKA_TOPIC_PREFIX")
        if workload["kind"] == "Deployment":
            needed = needed_acls(who, produced[who], consumed[who], prefix)
        elif runs_redrive(workload):
            needed = redrive_acls(redrives, consumed, prefix)
        else:
            problems.append(f"{who}: runs no tool whose use of Kafka is known")
            continue
        user = by_name.get(username := env_value(env, "KAFKA_SASL_USERNAME"))
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
