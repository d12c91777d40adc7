"""E-mail addresses from requests and from the directory (issue #12's schemathesis run): an
address the mail adapter cannot parse is refused or skipped, never a crash, and the document
states which addresses the API accepts."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer
from notifications.adapters.mail import valid_address
from notifications.domain.programs import COLOUR
from notifications.entrypoints.http.views import EMAIL_PATTERN

from .conftest import Service
from .scenario import PROGRAM, program
from .support import deliver

ADMIN = bearer(DEV_ADMIN_TOKEN)
UNPARSABLE = ["(@0.0", ":@0.0", "0@[.[", "0@[.0", "0@(.0", "0@:.0", "0@0.(", "0@0.:"]
"""Addresses the standard library's parser raises on (HeaderParseError, and AttributeError for
an unterminated domain literal) instead of a ValueError."""


@pytest.mark.parametrize("text", UNPARSABLE)
def test_an_unparsable_address_is_invalid_not_a_crash(text: str) -> None:
    assert valid_address(text) is False


@settings(max_examples=300, deadline=None)
@given(st.from_regex(EMAIL_PATTERN, fullmatch=True))
def test_every_address_the_document_allows_is_one_the_service_sends_to(text: str) -> None:
    assert valid_address(text)


def test_the_pattern_is_a_plain_address() -> None:
    assert re.fullmatch(EMAIL_PATTERN, "mia.manager+digest@example-corp.co.uk")
    assert not any(re.fullmatch(EMAIL_PATTERN, text) for text in [*UNPARSABLE, "mia@localhost"])


@pytest.mark.integration
async def test_unparsable_addresses_in_settings_are_422s_naming_the_field(
    service: Service,
) -> None:
    await deliver(service.runtime, program())
    path = f"/v1/programs/{PROGRAM}/notification-settings"

    manager = await service.client.patch(
        path, headers=ADMIN, json={"managers": [{"name": "Mia", "email": "0@[.0"}]}
    )
    reply_to = await service.client.patch(
        path, headers=ADMIN, json={"branding": {"reply_to": "Mia <0@0.:>"}}
    )
    colour = await service.client.patch(
        path, headers=ADMIN, json={"branding": {"primary_colour": "blue"}}
    )
    document = (await service.client.get("/openapi.json")).json()

    assert manager.status_code == 422, manager.text
    assert [e["field"] for e in manager.json()["errors"]] == ["body.managers.0.email"]
    assert reply_to.status_code == 422, reply_to.text
    assert [e["field"] for e in reply_to.json()["errors"]] == ["body.branding.reply_to"]
    assert colour.status_code == 422, colour.text
    assert [e["field"] for e in colour.json()["errors"]] == ["body.branding.primary_colour"]
    branding = document["components"]["schemas"]["BrandingBody"]["properties"]
    assert branding["primary_colour"]["pattern"] == COLOUR.pattern
    email = document["components"]["schemas"]["ManagerBody"]["properties"]["email"]
    # Optional (a manager may be named by employee id instead): the string branch states it.
    assert [branch.get("pattern") for branch in email["anyOf"]] == [EMAIL_PATTERN, None]
