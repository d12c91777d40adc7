"""Reading contacts from registration: many at once, briefly remembered, never twice at once."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from notifications.adapters.services import Contact, PlatformClient, Unreachable
from notifications.domain.deliveries import Attempt, Outcome


def person(pid: str, *, active: bool = True) -> dict[str, object]:
    return {
        "person_id": pid,
        "name": pid.title(),
        "email": f"{pid}@example.com",
        "time_zone": None,
        "active": active,
    }


def client(handler: httpx.MockTransport, cache_s: float = 30.0) -> PlatformClient:
    return PlatformClient(
        registration_url="http://registration",
        feedback_url="http://feedback",
        analytics_url="http://analytics",
        token="admin",
        registration_token="notifier",
        contact_cache_s=cache_s,
        timeout_s=5.0,
        transport=handler,
    )


async def test_contacts_are_read_in_bulk_with_the_notifier_credential_then_remembered() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        wanted = json.loads(request.content)["participant_ids"]
        known = [p for p in wanted if p != "gone"]
        return httpx.Response(
            200,
            json={
                "contacts": [
                    {
                        "participant_id": p,
                        "name": p,
                        "email": f"{p}@example.com",
                        "time_zone": "Europe/Paris",
                    }
                    for p in known
                ],
                "missing": [p for p in wanted if p == "gone"],
            },
        )

    platform = client(httpx.MockTransport(answer))
    found = await platform.participant_contacts(["a", "b", "gone"])
    assert found["a"] == Contact("a", "a@example.com", "Europe/Paris")
    assert found["gone"] == Attempt(Outcome.PERMANENT, "no_contact")
    assert [r.headers["Authorization"] for r in seen] == ["Bearer notifier"]
    again = await platform.participant_contacts(["a", "b"])
    assert again == {"a": found["a"], "b": found["b"]}
    assert len(seen) == 1  # from memory
    assert await platform.participant_contact("a") == found["a"]
    assert len(seen) == 1
    platform.forget("participant:a")
    await platform.participant_contacts(["a"])
    assert json.loads(seen[-1].content) == {"participant_ids": ["a"]}
    await platform.close()


async def test_without_a_bulk_lookup_each_contact_is_read_alone() -> None:
    paths: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        paths.append(f"{request.method} {request.url.path}")
        if request.method == "POST":
            return httpx.Response(404)
        pid = request.url.path.split("/")[3]
        return httpx.Response(
            200,
            json={"participant_id": pid, "name": pid, "email": f"{pid}@x.org", "time_zone": "UTC"},
        )

    platform = client(httpx.MockTransport(answer), cache_s=0)
    found = await platform.participant_contacts(["a", "b"])
    assert sorted(c.email for c in found.values() if isinstance(c, Contact)) == [
        "a@x.org",
        "b@x.org",
    ]
    await platform.participant_contacts(["c"])
    assert paths == [
        "POST /v1/participants/contacts",
        "GET /v1/participants/a/contact",
        "GET /v1/participants/b/contact",
        "GET /v1/participants/c/contact",  # the bulk lookup is not asked again
    ]
    await platform.close()


async def test_concurrent_reads_of_one_person_share_a_request_and_inactive_is_final() -> None:
    calls: list[str] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        await asyncio.sleep(0.05)
        pid = request.url.path.split("/")[3]
        return httpx.Response(200, json=person(pid, active=pid != "left"))

    platform = client(httpx.MockTransport(answer))
    results = await asyncio.gather(*(platform.person_contact("joan") for _ in range(5)))
    assert {r.email for r in results} == {"joan@example.com"}
    assert calls == ["/v1/people/joan/contact"]
    assert results[0].time_zone == "UTC"  # never registered: no zone of their own
    with pytest.raises(Unreachable) as refused:
        await platform.person_contact("left")
    assert refused.value.attempt == Attempt(Outcome.PERMANENT, "inactive")
    await platform.close()
