"""Fixtures: the service in-process, a real SMTP server (aiosmtpd) and a local HTTP receiver
standing in for the other services' APIs and the chat webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from mentorship_devstack.mailbox import Mailbox
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory
from mentorship_kit.runtime import ServiceRuntime
from notifications.app import build_app
from notifications.settings import NotificationsSettings
from notifications.usecases.dispatch import Dispatcher
from notifications.usecases.scheduled import Scheduled

from .support import Receiver, receiver


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server that keeps what it receives."""
    with Mailbox(http_port=None) as running:
        yield running


@pytest.fixture
def other_services() -> Iterator[Receiver]:
    """Registration's contacts, feedback's agendas, analytics' health, webhook receivers."""
    with receiver() as running:
        yield running


@dataclass
class Service:
    """The service under test and what it talks to."""

    client: httpx.AsyncClient
    app: FastAPI
    mailbox: Mailbox
    others: Receiver
    settings: NotificationsSettings

    @property
    def runtime(self) -> ServiceRuntime:
        runtime: ServiceRuntime = self.app.state.runtime
        return runtime

    @property
    def dispatcher(self) -> Dispatcher:
        dispatcher: Dispatcher = self.app.state.dispatcher
        return dispatcher

    @property
    def scheduled(self) -> Scheduled:
        scheduled: Scheduled = self.app.state.scheduled
        return scheduled


@pytest.fixture
def service_settings(
    make_settings: SettingsFactory, mailbox: Mailbox, other_services: Receiver
) -> Any:
    """Settings pointing at the mailbox and the receiver (overrides as keyword arguments)."""

    def settings(**overrides: Any) -> NotificationsSettings:
        values: dict[str, Any] = {
            "smtp_port": mailbox.smtp_port,
            "registration_url": other_services.url,
            "feedback_url": other_services.url,
            "analytics_url": other_services.url,
            "slack_api_url": f"{other_services.url}/slack",
            "slack_bot_token": "xoxb-test-token",
            "delivery_poll_s": 0.05,
            "delivery_backoff_s": 0.1,
            "smtp_rate_per_s": 1000.0,
            "schedule_poll_s": 3600.0,
        }
        return make_settings(NotificationsSettings, **(values | overrides))

    return settings


@pytest.fixture
async def service(
    service_settings: Any, serve_app: AppServer, mailbox: Mailbox, other_services: Receiver
) -> AsyncIterator[Service]:
    """The notifications service, running in-process."""
    settings = service_settings()
    app = build_app(settings)
    async with serve_app(app) as client:
        yield Service(client, app, mailbox, other_services, settings)
