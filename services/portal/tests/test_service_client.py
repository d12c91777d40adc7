"""The services' HTTP client: a read whose connection broke is sent again, nothing else is."""

from __future__ import annotations

import httpx
import pytest

from mentorship_kit.errors import ForbiddenError
from portal.adapters.api import ServiceClient, ServiceUnavailable
from portal.adapters.console import ReportsApi


def client_failing(
    first: Exception, *, then: httpx.Response | None = None
) -> tuple[ServiceClient, list[str]]:
    """A client whose service fails the first request with ``first``, then answers ``then``."""
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        if len(sent) == 1:
            raise first
        return then or httpx.Response(200, json={"ok": True})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return ServiceClient("registration", http, "http://registration"), sent


@pytest.mark.parametrize(
    "broken",
    [
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset"),
        httpx.ConnectError("connection refused"),
    ],
)
async def test_a_read_whose_connection_broke_is_sent_once_more(broken: Exception) -> None:
    client, sent = client_failing(broken)
    assert await client.call("GET", "/v1/programs/p-1/launch", "token") == {"ok": True}
    assert sent == ["GET", "GET"]


async def test_the_second_answer_is_read_as_any_answer() -> None:
    client, sent = client_failing(
        httpx.RemoteProtocolError("closed"), then=httpx.Response(403, json={"message": "no"})
    )
    with pytest.raises(ForbiddenError):
        await client.call("GET", "/v1/programs/p-1/launch", "token")
    assert sent == ["GET", "GET"]


async def test_a_read_that_timed_out_is_not_repeated() -> None:
    client, sent = client_failing(httpx.ReadTimeout("slow"))
    with pytest.raises(ServiceUnavailable) as failure:
        await client.call("GET", "/v1/programs/p-1/launch", "token")
    assert sent == ["GET"]
    # the log line names the call and how long it waited, so a slow service can be found
    assert str(failure.value).startswith("registration: ReadTimeout after ")
    assert str(failure.value).endswith(" s (GET /v1/programs/p-1/launch)")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_a_change_is_never_sent_twice(method: str) -> None:
    client, sent = client_failing(httpx.RemoteProtocolError("closed"))
    with pytest.raises(ServiceUnavailable, match="RemoteProtocolError"):
        await client.call(method, "/v1/programs/p-1/launch/pairing_algorithm", "token")
    assert sent == [method]


async def test_a_read_broken_twice_is_unavailable() -> None:
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        raise httpx.RemoteProtocolError("closed")

    client = ServiceClient(
        "registration", httpx.AsyncClient(transport=httpx.MockTransport(answer)), "http://r"
    )
    with pytest.raises(ServiceUnavailable):
        await client.call("GET", "/v1/programs", "token")
    assert sent == ["GET", "GET"]


async def test_an_export_waits_longer_than_a_page_read() -> None:
    """A report's CSV reads a whole program: its call has the export timeout, others the default."""
    timeouts: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"]["read"])
        return httpx.Response(200, text="field,value\n", headers={"content-type": "text/csv"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer), timeout=10.0)
    reports = ReportsApi(ServiceClient("analytics", http, "http://a"), export_timeout_s=60.0)
    assert await reports.report_csv("token", "p-1", "pairing") == "field,value\n"
    await ServiceClient("analytics", http, "http://a").call("GET", "/v1/programs", "token")
    assert timeouts == [60.0, 10.0]
