from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar

import pytest

from mentorship_contracts.topics import dead_letter_topic
from mentorship_devstack.pytest_plugin import SettingsFactory
from mentorship_devstack.stack import Infrastructure
from mentorship_devstack.topics import create_topics
from mentorship_kit.runtime import ServiceRuntime
from mentorship_kit.settings import ServiceSettings


class KitTestSettings(ServiceSettings):
    service_name: ClassVar[str] = "kit-test"


@pytest.fixture
async def settings(
    infrastructure: Infrastructure, kafka_prefix: str, make_settings: SettingsFactory
) -> KitTestSettings:
    await create_topics(
        infrastructure.kafka_bootstrap, prefix=kafka_prefix, topics=[dead_letter_topic("kit-test")]
    )
    return make_settings(KitTestSettings)


@pytest.fixture
async def runtime(settings: KitTestSettings) -> AsyncIterator[ServiceRuntime]:
    """A runtime whose parts the test starts itself (nothing runs in the background)."""
    service = ServiceRuntime(settings)
    yield service
    await service.broker.stop()
    await service.mongo.close()
