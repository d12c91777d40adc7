"""Erasure requests reach the organisation's admins by e-mail (ADMIN_EMAILS), naming nobody."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from mentorship_contracts.events import ErasureRequested
from mentorship_devstack.mailbox import Mailbox
from mentorship_devstack.pytest_plugin import AppServer
from notifications.app import build_app
from notifications.settings import NotificationsSettings

from .conftest import Service
from .support import Receiver, deliver
from .test_email import body, received

pytestmark = pytest.mark.integration

ADMINS = "privacy@example.com, dpo@example.com,privacy@example.com"
REQUEST = ErasureRequested(
    request_id="erq-42",
    person_id="person-7f3a",
    requested_at=datetime(2027, 3, 1, 9, 30, tzinfo=UTC),
)


@pytest.fixture
async def admins_service(
    service_settings: Any, serve_app: AppServer, mailbox: Mailbox, other_services: Receiver
) -> AsyncIterator[Service]:
    settings = service_settings(admin_emails=ADMINS)
    app = build_app(settings)
    async with serve_app(app) as client:
        yield Service(client, app, mailbox, other_services, settings)


async def test_each_admin_gets_one_mail_per_request_naming_nobody(
    admins_service: Service,
) -> None:
    service = admins_service
    await deliver(service.runtime, REQUEST)
    await deliver(service.runtime, REQUEST)  # re-announced: no second message

    messages = await received(service.mailbox, 2)
    assert sorted(str(m["To"]) for m in messages) == ["dpo@example.com", "privacy@example.com"]
    for message in messages:
        assert str(message["Subject"]) == "A person asked to have their data erased"
        text = body(message, "plain")
        assert "request erq-42, filed on Monday 1 March 2027, 09:30 (UTC). As an" in text
        assert f"{service.settings.portal_base_url}/console/erasure-requests" in text
        assert "erases them from every service in one step" in text
        assert "as an administrator of the mentoring platform" in text
        assert "person-7f3a" not in text
        assert "Notification preferences" not in text  # admins have no preferences here
        assert "List-Unsubscribe" not in message  # the admins' duty, not a subscription
        html = body(message, "html")
        assert f'href="{service.settings.portal_base_url}/console/erasure-requests"' in html
    # Nothing more arrives for the repeated event.
    assert len(await received(service.mailbox, 3, timeout_s=1.0)) == 2


async def test_without_admin_addresses_nothing_is_sent(service: Service) -> None:
    await deliver(service.runtime, REQUEST)
    assert await received(service.mailbox, 1, timeout_s=1.0) == []


def test_admin_emails_must_be_addresses() -> None:
    settings = NotificationsSettings(admin_emails=" a@example.com ,b@example.org, a@example.com")
    assert settings.admin_addresses == ("a@example.com", "b@example.org")
    with pytest.raises(ValidationError, match="ADMIN_EMAILS: not an e-mail address: nobody"):
        NotificationsSettings(admin_emails="a@example.com, nobody")
