"""Fixtures of the analytics tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from analytics.adapters.read_models import ReadModels
from analytics.settings import AnalyticsSettings
from mentorship_devstack.pytest_plugin import SettingsFactory
from mentorship_kit.mongo import Database, create_client, ensure_indexes


@pytest.fixture
async def database(make_settings: SettingsFactory) -> AsyncIterator[Database]:
    """The test's own analytics database, its read models' indexes made."""
    settings = make_settings(AnalyticsSettings)
    mongo = create_client(settings.mongodb_url, app_name="test")
    database = mongo[settings.mongodb_database]
    await ensure_indexes(database, list(ReadModels.indexes()))
    yield database
    await mongo.close()
