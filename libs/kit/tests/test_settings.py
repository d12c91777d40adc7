from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import ValidationError

from mentorship_kit.settings import ServiceSettings


class DemoSettings(ServiceSettings):
    service_name: ClassVar[str] = "demo"


def test_defaults_point_at_a_local_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MONGODB_URL", "KAFKA_BOOTSTRAP", "MONGODB_DATABASE", "KAFKA_TOPIC_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    settings = DemoSettings()
    assert settings.mongodb_database == "mentorship_demo"
    assert settings.kafka_bootstrap == "127.0.0.1:9092"
    assert "retryWrites=false" in settings.mongodb_url
    assert settings.consumer_group == "demo"
    assert settings.kafka_heartbeat_interval_ms == settings.kafka_session_timeout_ms // 3


def test_environment_variables_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_TOPIC_PREFIX", "staging.")
    monkeypatch.setenv("KAFKA_SESSION_TIMEOUT_MS", "2000")
    monkeypatch.setenv("SERVICE_NAME", "impostor")
    settings = DemoSettings()
    assert settings.topic_name("mentorship.pair.v1") == "staging.mentorship.pair.v1"
    assert settings.consumer_group == "staging.demo"
    assert settings.kafka_session_timeout_ms == 2000
    assert settings.service_name == "demo"


def test_invalid_values_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PORT", "seventy")
    with pytest.raises(ValidationError, match="http_port"):
        DemoSettings()


def test_the_collector_waits_for_fifty_thousand_objects_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GC_YOUNG_THRESHOLD", raising=False)
    assert DemoSettings().gc_young_threshold == 50_000
    monkeypatch.setenv("GC_YOUNG_THRESHOLD", "700")
    assert DemoSettings().gc_young_threshold == 700
    monkeypatch.setenv("GC_YOUNG_THRESHOLD", "10")  # below Python's own default
    with pytest.raises(ValidationError, match="gc_young_threshold"):
        DemoSettings()
