"""Feed links point where the feed is served: `FEED_BASE_URL`, or this process's own address."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import Launcher, eventually
from mentorship_devstack.stack import Infrastructure
from scheduling.entrypoints.http.calendar import feed_urls
from scheduling.settings import SchedulingSettings

from .scenario import ADMIN, MENTEE_EMPLOYEE, as_person, history
from .test_calendar import strictly_parsed


def settings(**values: object) -> SchedulingSettings:
    return SchedulingSettings.model_validate(values)


@pytest.mark.parametrize(
    ("values", "base"),
    [
        ({}, "http://127.0.0.1:8003"),
        ({"http_port": 18013}, "http://127.0.0.1:18013"),
        ({"http_host": "0.0.0.0", "http_port": 8080}, "http://127.0.0.1:8080"),
        ({"http_host": "::1", "http_port": 8080}, "http://[::1]:8080"),
        ({"http_host": "sched.local", "http_port": 80}, "http://sched.local:80"),
        ({"feed_base_url": "https://mentoring.example.com/scheduling/"}, None),
        ({"feed_base_url": "http://127.0.0.1:18013", "http_port": 9}, None),
    ],
)
def test_the_feed_base_is_the_setting_or_this_process_address(
    values: dict[str, object], base: str | None
) -> None:
    expected = base or str(values["feed_base_url"]).rstrip("/")
    assert settings(**values).feed_base == expected
    links = feed_urls(settings(**values).feed_base, "t" * 32)
    assert links.url == f"{expected}/v1/calendars/{'t' * 32}.ics"
    assert links.webcal_url == "webcal://" + links.url.split("://", 1)[1]


@pytest.mark.parametrize(
    "value",
    [
        "127.0.0.1:8003",
        "ftp://example.com",
        "http://",
        "http://example.com:port",
        "http://example.com/?a=1",
        "http://example.com/#top",
    ],
)
def test_a_feed_base_that_is_no_http_address_is_refused_by_name(value: str) -> None:
    with pytest.raises(ValidationError, match="feed_base_url"):
        settings(feed_base_url=value)


@pytest.mark.e2e
async def test_the_advertised_feed_is_served_there_on_a_port_of_its_own(
    launch: Launcher, infrastructure: Infrastructure, kafka_prefix: str
) -> None:
    """As under `devstack run` with 8003 taken: started on another port, no FEED_BASE_URL."""
    scheduling = launch("scheduling")
    assert scheduling.port != 8003
    await publish_events(infrastructure.kafka_bootstrap, history(), prefix=kafka_prefix)
    mentee = as_person(MENTEE_EMPLOYEE)
    async with httpx.AsyncClient(base_url=scheduling.base_url, timeout=10) as client:
        series = await eventually(
            lambda: client.get("/v1/pairs/pair-1/sessions", headers=ADMIN),
            lambda response: response.status_code == 200,
        )
        advertised = (await client.get("/v1/me/calendar", headers=mentee)).json()
    assert advertised["url"].startswith(f"{scheduling.base_url}/v1/calendars/")
    async with httpx.AsyncClient(timeout=10) as anyone:
        served = await anyone.get(advertised["url"])
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/calendar")
    assert len(strictly_parsed(served.content)) == len(series.json()["sessions"])
