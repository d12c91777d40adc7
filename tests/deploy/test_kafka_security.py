"""Kafka security: the Strimzi cluster takes only TLS connections of SCRAM users and enforces
ACLs; each service logs in as its own KafkaUser, with its password and the cluster's CA from
Secrets, and may do exactly what its code does (produce, consume, dead-letter); so does the
dead-letter re-drive Job (deploy/k8s/ops) as its own user; each check is also shown to notice a
break."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from mentorship_contracts.topics import (
    CONSUMER_GROUPS,
    EVENT_TOPICS,
    PAIRS,
    PROGRAMS,
    SUBSCRIPTIONS,
    SURVEYS,
    Topic,
    dead_letter_topic,
)
from mentorship_devstack.services import SERVICES

from .checks import kafka_security, workloads
from .declared import (
    EVENT_CLASSES,
    Wiring,
    constructed_events,
    produced_events,
    redrive_clients,
    settings_class,
)
from .manifests import (
    DELETE,
    K8S,
    OVERLAYS,
    PROD,
    Manifest,
    Overlays,
    app_container,
    backends,
    damage,
    of_kind,
    with_ops,
)

STRIMZI = ("dev", "prod")
"""The overlays that run the bundled Strimzi cluster (prod-external brings its own Kafka)."""
EXTERNAL = "prod-external"
REDRIVE_USER = "mentorship-kafka-redrive"


@pytest.fixture
def context(
    wirings: dict[str, Wiring],
    produced: dict[str, tuple[Topic, ...]],
    redrives: dict[str, kafka_security.RedriveClients],
) -> dict[str, Any]:
    """What the checks compare the manifests with."""
    return {
        "consumed": {service: wired.consumed for service, wired in wirings.items()},
        "produced": produced,
        "redrives": redrives,
    }


def _deployed(overlays: Overlays, overlay: str) -> list[Manifest]:
    """What logs in to Kafka: the overlay, and with the bundled cluster the re-drive Job too."""
    return with_ops(overlays[overlay]) if overlay in STRIMZI else overlays[overlay]


# ------------------------------------------------------------------------------ what the code does


def test_every_event_has_exactly_one_producing_service() -> None:
    """Guards the derivation of produced topics: it finds every event, each in one service."""
    producers = {
        event: [s for s in SERVICES if event in produced_events(s)] for event in EVENT_CLASSES
    }
    assert {event: found for event, found in producers.items() if len(found) != 1} == {}


def test_each_service_s_consumer_group_and_dead_letters_are_named_after_it() -> None:
    """The ACLs name groups and dead-letter topics after the Deployment (the service)."""
    assert {settings_class(service).service_name for service in SERVICES} == set(SERVICES)
    assert set(CONSUMER_GROUPS) == set(SERVICES)


@pytest.mark.parametrize(
    ("source", "events"),
    [
        (
            "from mentorship_contracts.events import PairCreated\nPairCreated(pair_id=x)",
            {"PairCreated"},
        ),
        (
            (
                "from mentorship_contracts.events.program import ProgramCreated as Created\n"
                "Created.model_validate(data)"
            ),
            {"ProgramCreated"},
        ),
        ("from mentorship_contracts import events\nevents.SessionMissed(**ids)", {"SessionMissed"}),
        ("class PairEnded: ...\nPairEnded()", set()),  # not the contract's class
        ("from mentorship_contracts.events import PairEnded\ndef f(e: PairEnded): ...", set()),
        ("from mentorship_contracts.catalog import CATALOG\nCATALOG.route(x)", set()),
    ],
)
def test_produced_events_are_the_contract_events_the_code_builds(
    source: str, events: set[str]
) -> None:
    assert constructed_events(source) == events


# ------------------------------------------------------------------------------ the overlays


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_takes_only_tls_and_scram_and_services_log_in_with_secrets(
    overlays: Overlays, overlay: str
) -> None:
    assert kafka_security.kafka_security_problems(_deployed(overlays, overlay)) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_s_kafka_user_may_do_exactly_what_the_service_does(
    overlays: Overlays, overlay: str, context: dict[str, Any]
) -> None:
    """The re-drive Job's user too: exactly what re-driving any group's dead letters does."""
    assert kafka_security.kafka_user_problems(_deployed(overlays, overlay), **context) == []


@pytest.mark.parametrize("overlay", STRIMZI)
def test_every_service_has_its_own_kafka_user(overlays: Overlays, overlay: str) -> None:
    """And the re-drive Job, its own."""
    users = {doc["metadata"]["name"] for doc in of_kind(overlays[overlay], "KafkaUser")}
    assert users == {f"mentorship-kafka-{service}" for service in SERVICES} | {REDRIVE_USER}


@pytest.mark.parametrize("overlay", STRIMZI)
def test_without_the_redrive_job_its_user_is_unused(
    overlays: Overlays, overlay: str, context: dict[str, Any]
) -> None:
    """The overlay alone applies a user nothing in it logs in as: the Job (created on demand)
    is what uses it, so the check of unused users sees the Job."""
    assert kafka_security.kafka_user_problems(overlays[overlay], **context) == [
        f"KafkaUser {REDRIVE_USER}: no service or Job logs in as it"
    ]


async def test_the_redrive_tool_reads_a_group_s_dead_letters_in_a_group_of_its_own() -> None:
    """What the ACLs are derived from: the tool run against stand-in clients, under a prefix."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        clients = await redrive_clients("matching", monkeypatch, prefix="p.")
    assert clients == kafka_security.RedriveClients(
        ("p.mentorship.deadletter.matching.v1",), "p.matching.redrive"
    )


def test_dead_letters_come_from_event_topics_the_redrive_accepts(
    wirings: dict[str, Wiring],
) -> None:
    """Guards the re-drive's Write ACLs: every consumed topic is an event topic (the tool
    publishes back only to those), and every group with dead letters is one it accepts."""
    consumed = {topic for wired in wirings.values() for topic in wired.consumed}
    assert consumed <= set(EVENT_TOPICS)
    assert {service for service, wired in wirings.items() if wired.consumed} <= set(CONSUMER_GROUPS)


def test_the_contracts_subscriptions_are_what_the_services_consume(
    wirings: dict[str, Wiring],
) -> None:
    """The AsyncAPI document's receive operations, and which dead-letter topics anything writes,
    come from SUBSCRIPTIONS: it must be what each service's consumer really subscribes to."""
    consumed = {name: set(wired.consumed) for name, wired in wirings.items() if wired.consumed}
    assert consumed == {group: set(topics) for group, topics in SUBSCRIPTIONS.items()}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_speak_sasl_ssl_with_scram_sha_512(overlays: Overlays, overlay: str) -> None:
    """Every overlay ships TLS and SCRAM-SHA-512 logins (prod-external: edit to your cluster's)."""
    shared = next(
        doc
        for doc in of_kind(overlays[overlay], "ConfigMap")
        if doc["metadata"]["name"].startswith("mentorship-shared-")
    )
    assert shared["data"]["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert shared["data"]["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"


def test_prod_external_has_no_strimzi_users_nor_strimzi_ca(overlays: Overlays) -> None:
    """Your Kafka's users and CA: Secrets you create (README), not Strimzi's."""
    docs = overlays[EXTERNAL]
    assert not [doc for doc in docs if doc["apiVersion"].startswith("kafka.strimzi.io/")]
    for deployment in backends(docs):
        env = {item["name"]: item for item in app_container(deployment)["env"]}
        ca = kafka_security.secret_file(deployment, env["KAFKA_SSL_CA_FILE"]["value"])
        assert ca == ("mentorship-kafka-ca", "ca.crt")
        password = env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]
        assert (password["name"], password["key"]) == (
            f"mentorship-kafka-{deployment['metadata']['name']}",
            "password",
        )


def test_the_users_build_on_their_own(overlays: Overlays) -> None:
    """For an existing Strimzi cluster, deploy/k8s/kafka/users is applied by itself."""
    users = overlays.render(K8S / "kafka" / "users")
    assert {doc["kind"] for doc in users} == {"KafkaUser"}


def test_a_producer_that_consumes_nothing_needs_no_group_nor_dead_letters() -> None:
    assert kafka_security.needed_acls("registration", [PROGRAMS], []) == {
        ("topic", "mentorship.program.v1", "literal", "Write"),
        ("topic", "mentorship.program.v1", "literal", "Describe"),
    }


def test_a_redrive_reads_dead_letters_in_its_own_groups_and_writes_only_consumed_topics() -> None:
    redrives = {
        group: kafka_security.RedriveClients((dead_letter_topic(group).name,), f"{group}.redrive")
        for group in ("registration", "analytics", "matching")
    }
    consumed = {"registration": [], "analytics": [SURVEYS], "matching": [SURVEYS, PAIRS]}
    assert kafka_security.redrive_acls(redrives, consumed, prefix="p.") == {
        ("topic", "p.mentorship.deadletter.analytics.v1", "literal", "Read"),
        ("topic", "p.mentorship.deadletter.analytics.v1", "literal", "Describe"),
        ("topic", "p.mentorship.deadletter.matching.v1", "literal", "Read"),
        ("topic", "p.mentorship.deadletter.matching.v1", "literal", "Describe"),
        ("group", "p.analytics.redrive", "literal", "Read"),
        ("group", "p.matching.redrive", "literal", "Read"),
        ("topic", "p.mentorship.survey.v1", "literal", "Write"),
        ("topic", "p.mentorship.survey.v1", "literal", "Describe"),
        ("topic", "p.mentorship.pair.v1", "literal", "Write"),
        ("topic", "p.mentorship.pair.v1", "literal", "Describe"),
    }


def test_a_consumer_reads_in_its_group_and_writes_its_dead_letters_under_the_prefix() -> None:
    assert kafka_security.needed_acls("analytics", [], [SURVEYS], prefix="p.") == {
        ("topic", "p.mentorship.survey.v1", "literal", "Read"),
        ("topic", "p.mentorship.survey.v1", "literal", "Describe"),
        ("group", "p.analytics", "literal", "Read"),
        ("topic", "p.mentorship.deadletter.analytics.v1", "literal", "Write"),
        ("topic", "p.mentorship.deadletter.analytics.v1", "literal", "Describe"),
    }


# ------------------------------------------------------------------------------ sabotage

APP = "spec/template/spec/containers/0"
POD = "spec/template/spec"
KAFKA = "Kafka/mentorship"
LISTENER = "spec/kafka/listeners/[name=tls]"
ROGUE_USER: Manifest = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "KafkaUser",
    "metadata": {
        "name": "mentorship-kafka-reports",
        "labels": {"strimzi.io/cluster": "mentorship"},
    },
    "spec": {
        "authentication": {"type": "scram-sha-512"},
        "authorization": {
            "type": "simple",
            "acls": [
                {
                    "resource": {"type": "topic", "name": "mentorship.pair.v1"},
                    "operations": ["Read"],
                }
            ],
        },
    },
}


def _acl(user: str, topic_or_group: str) -> tuple[str, str]:
    return f"KafkaUser/mentorship-kafka-{user}", (
        f"spec/authorization/acls/[resource.name={topic_or_group}]"
    )


JOB = "Job/redrive-"
JOB_APP = f"{APP}/env"


# (what, check, "Kind/name" or "+" for a new object, JSON pointer, new value or DELETE)
BREAKS: list[tuple[str, str, str, str, object]] = [
    # the cluster
    ("a listener without TLS", "security", KAFKA, f"{LISTENER}/tls", False),
    ("a listener without logins", "security", KAFKA, f"{LISTENER}/authentication", DELETE),
    (
        "client certificates instead of SCRAM",
        "security",
        KAFKA,
        f"{LISTENER}/authentication",
        {"type": "tls"},
    ),
    ("no ACLs", "security", KAFKA, "spec/kafka/authorization", DELETE),
    ("no user operator", "security", KAFKA, "spec/entityOperator/userOperator", DELETE),
    (
        "a plain-text listener",
        "security",
        KAFKA,
        "spec/kafka/listeners",
        [
            {"name": "plain", "port": 9092, "type": "internal", "tls": False},
            {
                "name": "tls",
                "port": 9093,
                "type": "internal",
                "tls": True,
                "authentication": {"type": "scram-sha-512"},
            },
        ],
    ),
    # the bootstrap address
    (
        "bootstrap on the old plain-text port",
        "kafka",
        "ConfigMap/mentorship-shared",
        "data/KAFKA_BOOTSTRAP",
        "mentorship-kafka-bootstrap:9092",
    ),
    ("listener moved", "kafka", KAFKA, f"{LISTENER}/port", 9094),
    ("bootstrap listener without TLS", "kafka", KAFKA, f"{LISTENER}/tls", False),
    # the services' side
    (
        "plain-text SASL",
        "security",
        "ConfigMap/mentorship-shared",
        "data/KAFKA_SECURITY_PROTOCOL",
        "SASL_PLAINTEXT",
    ),
    (
        "TLS without a login",
        "security",
        "ConfigMap/mentorship-shared",
        "data/KAFKA_SECURITY_PROTOCOL",
        "SSL",
    ),
    (
        "another SASL mechanism",
        "security",
        "ConfigMap/mentorship-shared",
        "data/KAFKA_SASL_MECHANISM",
        "SCRAM-SHA-256",
    ),
    (
        "a literal password",
        "security",
        "Deployment/feedback",
        f"{APP}/env/[name=KAFKA_SASL_PASSWORD]",
        {"name": "KAFKA_SASL_PASSWORD", "value": "hunter2"},
    ),
    (
        "a literal password (settings check)",
        "settings",
        "Deployment/feedback",
        f"{APP}/env/[name=KAFKA_SASL_PASSWORD]",
        {"name": "KAFKA_SASL_PASSWORD", "value": "hunter2"},
    ),
    (
        "a password in a ConfigMap (settings check)",
        "settings",
        "ConfigMap/mentorship-shared",
        "data/KAFKA_SASL_PASSWORD",
        "hunter2",
    ),
    (
        "another user's password",
        "security",
        "Deployment/matching",
        f"{APP}/env/[name=KAFKA_SASL_PASSWORD]/valueFrom/secretKeyRef/name",
        "mentorship-kafka-analytics",
    ),
    (
        "another key of the user's Secret",
        "security",
        "Deployment/matching",
        f"{APP}/env/[name=KAFKA_SASL_PASSWORD]/valueFrom/secretKeyRef/key",
        "sasl.jaas.config",
    ),
    (
        "another service's username",
        "security",
        "Deployment/scheduling",
        f"{APP}/env/[name=KAFKA_SASL_USERNAME]/value",
        "mentorship-kafka-analytics",
    ),
    (
        "a username that is no KafkaUser",
        "security",
        "Deployment/scheduling",
        f"{APP}/env/[name=KAFKA_SASL_USERNAME]/value",
        "scheduling",
    ),
    (
        "no username",
        "security",
        "Deployment/analytics",
        f"{APP}/env/[name=KAFKA_SASL_USERNAME]",
        DELETE,
    ),
    ("the user is gone", "security", "KafkaUser/mentorship-kafka-feedback", "", DELETE),
    (
        "a user without a password",
        "security",
        "KafkaUser/mentorship-kafka-feedback",
        "spec/authentication",
        {"type": "tls"},
    ),
    ("no CA", "security", "Deployment/registration", f"{APP}/env/[name=KAFKA_SSL_CA_FILE]", DELETE),
    (
        "the CA from a ConfigMap",
        "security",
        "Deployment/registration",
        f"{POD}/volumes/[name=kafka-ca]",
        {"name": "kafka-ca", "configMap": {"name": "kafka-ca"}},
    ),
    (
        "a writable CA mount",
        "security",
        "Deployment/matching",
        f"{APP}/volumeMounts/[name=kafka-ca]/readOnly",
        False,
    ),
    (
        "another cluster's CA",
        "security",
        "Deployment/feedback",
        f"{POD}/volumes/[name=kafka-ca]/secret/secretName",
        "events-cluster-ca-cert",
    ),
    (
        "the CA's PKCS #12 file",
        "security",
        "Deployment/analytics",
        f"{POD}/volumes/[name=kafka-ca]/secret/items/0/key",
        "ca.p12",
    ),
    (
        "a CA file on no volume",
        "security",
        "Deployment/scheduling",
        f"{APP}/env/[name=KAFKA_SSL_CA_FILE]/value",
        "/etc/ssl/certs/kafka-ca.crt",
    ),
    (
        "a CA file the volume does not hold",
        "security",
        "Deployment/scheduling",
        f"{APP}/env/[name=KAFKA_SSL_CA_FILE]/value",
        "/etc/mentorship/kafka-ca/ca.pem",
    ),
    # the users' ACLs
    (
        "a wildcard topic",
        "users",
        _acl("analytics", "mentorship.survey.v1")[0],
        f"{_acl('analytics', 'mentorship.survey.v1')[1]}/resource/name",
        "*",
    ),
    (
        "a prefix",
        "users",
        _acl("feedback", "mentorship.session.v1")[0],
        f"{_acl('feedback', 'mentorship.session.v1')[1]}/resource",
        {"type": "topic", "name": "mentorship.session.v1", "patternType": "prefix"},
    ),
    (
        "writes what it only reads",
        "users",
        _acl("scheduling", "mentorship.pair.v1")[0],
        f"{_acl('scheduling', 'mentorship.pair.v1')[1]}/operations",
        ["Read", "Describe", "Write"],
    ),
    (
        "all operations",
        "users",
        _acl("registration", "mentorship.program.v1")[0],
        f"{_acl('registration', 'mentorship.program.v1')[1]}/operations",
        ["All"],
    ),
    (
        "cannot publish what it produces",
        "users",
        _acl("matching", "mentorship.pair.v1")[0],
        f"{_acl('matching', 'mentorship.pair.v1')[1]}/operations",
        ["Describe"],
    ),
    ("cannot read a consumed topic", "users", *_acl("feedback", "mentorship.session.v1"), DELETE),
    ("no consumer group", "users", *_acl("matching", "matching"), DELETE),
    (
        "another group",
        "users",
        _acl("matching", "matching")[0],
        f"{_acl('matching', 'matching')[1]}/resource/name",
        "analytics",
    ),
    (
        "no dead letters",
        "users",
        *_acl("scheduling", "mentorship.deadletter.scheduling.v1"),
        DELETE,
    ),
    (
        "another topic",
        "users",
        _acl("registration", "mentorship.participant.v1")[0],
        f"{_acl('registration', 'mentorship.participant.v1')[1]}/resource/name",
        "mentorship.pair.v1",
    ),
    (
        "cluster-wide rights",
        "users",
        _acl("analytics", "mentorship.survey.v1")[0],
        _acl("analytics", "mentorship.survey.v1")[1],
        {"resource": {"type": "cluster"}, "operations": ["Alter"]},
    ),
    (
        "a rule for one host",
        "users",
        _acl("analytics", "mentorship.program.v1")[0],
        f"{_acl('analytics', 'mentorship.program.v1')[1]}/host",
        "10.0.0.7",
    ),
    (
        "a user of another cluster",
        "users",
        "KafkaUser/mentorship-kafka-matching",
        "metadata/labels/strimzi.io~1cluster",
        "events",
    ),
    (
        "a user without ACLs",
        "users",
        "KafkaUser/mentorship-kafka-feedback",
        "spec/authorization",
        DELETE,
    ),
    ("a user no service uses", "users", "+", "", ROGUE_USER),
    (
        "a topic prefix the ACLs lack",
        "users",
        "ConfigMap/mentorship-shared",
        "data/KAFKA_TOPIC_PREFIX",
        "staging.",
    ),
    # the re-drive Job and its user
    (
        "the re-drive cannot read a group's dead letters",
        "users",
        *_acl("redrive", "mentorship.deadletter.scheduling.v1"),
        DELETE,
    ),
    (
        "the re-drive writes dead letters",
        "users",
        _acl("redrive", "mentorship.deadletter.analytics.v1")[0],
        f"{_acl('redrive', 'mentorship.deadletter.analytics.v1')[1]}/operations",
        ["Read", "Describe", "Write"],
    ),
    (
        "the re-drive reads an event topic",
        "users",
        _acl("redrive", "mentorship.pair.v1")[0],
        f"{_acl('redrive', 'mentorship.pair.v1')[1]}/operations",
        ["Write", "Describe", "Read"],
    ),
    (
        "the re-drive cannot publish back to a consumed topic",
        "users",
        *_acl("redrive", "mentorship.program.v1"),
        DELETE,
    ),
    ("the re-drive has no group", "users", *_acl("redrive", "feedback.redrive"), DELETE),
    (
        "the re-drive joins a service's group",
        "users",
        _acl("redrive", "matching.redrive")[0],
        f"{_acl('redrive', 'matching.redrive')[1]}/resource/name",
        "matching",
    ),
    (
        "re-drive groups by prefix",
        "users",
        _acl("redrive", "analytics.redrive")[0],
        f"{_acl('redrive', 'analytics.redrive')[1]}/resource",
        {"type": "group", "name": "analytics.", "patternType": "prefix"},
    ),
    (
        "a wildcard re-drive group",
        "users",
        _acl("redrive", "scheduling.redrive")[0],
        f"{_acl('redrive', 'scheduling.redrive')[1]}/resource/name",
        "*",
    ),
    (
        "the dead letters of a group without consumers",
        "users",
        _acl("redrive", "mentorship.deadletter.matching.v1")[0],
        f"{_acl('redrive', 'mentorship.deadletter.matching.v1')[1]}/resource/name",
        "mentorship.deadletter.registration.v1",
    ),
    ("no Job uses the re-drive user", "users", JOB, "", DELETE),
    (
        "the Job logs in as a service",
        "users",
        JOB,
        f"{JOB_APP}/[name=KAFKA_SASL_USERNAME]/value",
        "mentorship-kafka-analytics",
    ),
    ("the Job runs another tool", "users", JOB, f"{APP}/command", ["python", "-m", "analytics"]),
    (
        "a Job prefix the re-drive ACLs lack",
        "users",
        JOB,
        f"{JOB_APP}/[name=KAFKA_TOPIC_PREFIX]/value",
        "staging.",
    ),
    (
        "the Job in plain text",
        "security",
        JOB,
        f"{JOB_APP}/[name=KAFKA_SECURITY_PROTOCOL]/value",
        "SASL_PLAINTEXT",
    ),
    (
        "a literal password in the Job",
        "security",
        JOB,
        f"{JOB_APP}/[name=KAFKA_SASL_PASSWORD]",
        {"name": "KAFKA_SASL_PASSWORD", "value": "hunter2"},
    ),
    (
        "the Job reads a service's password",
        "security",
        JOB,
        f"{JOB_APP}/[name=KAFKA_SASL_PASSWORD]/valueFrom/secretKeyRef/name",
        "mentorship-kafka-analytics",
    ),
    (
        "the Job's CA from a ConfigMap",
        "security",
        JOB,
        f"{POD}/volumes/[name=kafka-ca]",
        {"name": "kafka-ca", "configMap": {"name": "kafka-ca"}},
    ),
    (
        "the Job trusts another cluster's CA",
        "security",
        JOB,
        f"{POD}/volumes/[name=kafka-ca]/secret/secretName",
        "events-cluster-ca-cert",
    ),
]

CHECKS: dict[str, Callable[[list[Manifest], dict[str, Any]], list[str]]] = {
    "security": lambda docs, _: kafka_security.kafka_security_problems(docs),
    "kafka": lambda docs, _: workloads.kafka_problems(docs),
    "users": lambda docs, ctx: kafka_security.kafka_user_problems(
        docs, ctx["produced"], ctx["consumed"], ctx["redrives"]
    ),
    "settings": lambda docs, ctx: workloads.settings_problems(docs, ctx["settings"], ctx["secret"]),
}


@pytest.mark.parametrize(
    ("check", "target", "pointer", "value"),
    [pytest.param(*rest, id=what) for what, *rest in BREAKS],
)
def test_each_kafka_check_notices_a_break(
    overlays: Overlays,
    context: dict[str, Any],
    settings: dict[str, set[str]],
    secret_settings: set[str],
    *,
    check: str,
    target: str,
    pointer: str,
    value: object,
) -> None:
    ctx = {**context, "settings": settings, "secret": secret_settings}
    docs = copy.deepcopy(with_ops(overlays[PROD]))
    assert CHECKS[check](docs, ctx) == []
    damage(docs, target, pointer, value)
    assert CHECKS[check](docs, ctx), f"the {check} check missed it"


EXTERNAL_BREAKS: list[tuple[str, str, str, object]] = [
    (
        "plain text to your brokers",
        "ConfigMap/mentorship-shared",
        "data/KAFKA_SECURITY_PROTOCOL",
        "SASL_PLAINTEXT",
    ),
    (
        "a literal password",
        "Deployment/matching",
        f"{APP}/env/[name=KAFKA_SASL_PASSWORD]",
        {"name": "KAFKA_SASL_PASSWORD", "value": "hunter2"},
    ),
    ("no username", "Deployment/matching", f"{APP}/env/[name=KAFKA_SASL_USERNAME]", DELETE),
    (
        "your CA from a ConfigMap",
        "Deployment/feedback",
        f"{POD}/volumes/[name=kafka-ca]",
        {"name": "kafka-ca", "configMap": {"name": "kafka-ca"}},
    ),
    (
        "a writable CA mount",
        "Deployment/feedback",
        f"{APP}/volumeMounts/[name=kafka-ca]/readOnly",
        False,
    ),
]


@pytest.mark.parametrize(
    ("target", "pointer", "value"),
    [pytest.param(*rest, id=what) for what, *rest in EXTERNAL_BREAKS],
)
def test_the_security_check_notices_a_break_against_your_kafka(
    overlays: Overlays, target: str, pointer: str, value: object
) -> None:
    docs = copy.deepcopy(overlays[EXTERNAL])
    assert kafka_security.kafka_security_problems(docs) == []
    damage(docs, target, pointer, value)
    assert kafka_security.kafka_security_problems(docs)


def test_a_strimzi_user_without_its_cluster_is_reported(
    overlays: Overlays, context: dict[str, Any]
) -> None:
    docs = copy.deepcopy(overlays[EXTERNAL])
    damage(docs, "+", "", ROGUE_USER)
    assert kafka_security.kafka_user_problems(docs, **context)
