"""Clients of the other services' APIs.

Contacts (registration, with the credential registration gave this service), agendas and
rater invitations' links and addresses (feedback) and health reports (analytics), called with
this service's credential.

A contact is kept in memory for ``contact_cache_s`` (30 s by default) and never stored, so the
messages of a burst (a pair's match and invitations, a run's managers) read each person once;
concurrent reads of the same contact share one request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from notifications.domain.deliveries import Attempt, Outcome


@dataclass(frozen=True, slots=True)
class RaterDelivery:
    """A rater invitation's link and a peer's address, read when the message is sent.

    The link is a path of feedback's API; the address is there only for a peer the mentee
    named by e-mail. Never stored.
    """

    path: str
    email: str | None


@dataclass(frozen=True, slots=True)
class Contact:
    """How to reach a person, fetched when a message is sent and never stored."""

    name: str
    email: str
    time_zone: str


BULK_CONTACTS = 500
"""Participant ids per bulk contact request (registration takes up to 1,000)."""
MAX_CACHED_CONTACTS = 50_000
"""Past this many cached contacts, expired ones are dropped before another is added."""


class Unreachable(Exception):  # noqa: N818 - reads as a condition
    """A contact could not be had; ``attempt`` says whether to try again."""

    def __init__(self, attempt: Attempt) -> None:
        super().__init__(attempt.error)
        self.attempt = attempt


def http_failure(status_code: int) -> Attempt:
    """How an HTTP status reads as a delivery attempt: 408, 425, 429 and 5xx are temporary."""
    temporary = status_code in {408, 425, 429} or status_code >= 500
    return Attempt(Outcome.TEMPORARY if temporary else Outcome.PERMANENT, f"http {status_code}")


class PlatformClient:
    """Calls registration, feedback and analytics."""

    def __init__(
        self,
        *,
        registration_url: str,
        feedback_url: str,
        analytics_url: str,
        token: str | None,
        timeout_s: float,
        registration_token: str | None = None,
        contact_cache_s: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            headers=headers,
            timeout=timeout_s,
            transport=transport,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        )
        contacts_token = registration_token or token
        self._contact_headers = (
            {"Authorization": f"Bearer {contacts_token}"} if contacts_token else {}
        )
        self._contact_ttl = contact_cache_s
        self._contacts: dict[str, tuple[float, Contact]] = {}
        self._reading: dict[str, asyncio.Future[Contact]] = {}
        self._bulk = True
        self.contact_reads = 0
        """How many contacts were read over HTTP (the rest came from memory)."""
        self._registration = registration_url.rstrip("/")
        self._feedback = feedback_url.rstrip("/")
        self._analytics = analytics_url.rstrip("/")
        self._agendas: dict[str, Any] | None = None

    async def close(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def _get(self, url: str, headers: dict[str, str] | None = None) -> Any:
        try:
            response = await self._http.get(url, headers=headers)
        except httpx.TimeoutException:
            raise Unreachable(Attempt(Outcome.TEMPORARY, "timeout")) from None
        except httpx.HTTPError as error:
            raise Unreachable(Attempt(Outcome.TEMPORARY, type(error).__name__)) from None
        if response.status_code == 404:
            raise Unreachable(Attempt(Outcome.PERMANENT, "no_contact"))
        if response.status_code != 200:
            raise Unreachable(http_failure(response.status_code))
        return response.json()

    async def participant_contact(self, participant_id: str) -> Contact:
        """A participant's name, address and zone, from registration."""
        return await self._contact(
            f"participant:{participant_id}",
            f"{self._registration}/v1/participants/{participant_id}/contact",
        )

    async def person_contact(self, person_id: str) -> Contact:
        """Anyone's name, address and zone by person id (an invitee, a program manager).

        From registration's directory; someone the directory deactivated cannot be reached.
        """
        return await self._contact(
            f"person:{person_id}", f"{self._registration}/v1/people/{person_id}/contact"
        )

    async def participant_contacts(
        self, participant_ids: Iterable[str]
    ) -> dict[str, Contact | Attempt]:
        """Many participants' contacts: from memory, the rest in one request per chunk.

        Each id maps to its contact or to the attempt it comes to (unknown: permanent; the
        request failed: temporary). Falls back to one request each where registration has no
        bulk lookup.
        """
        now = time.monotonic()
        found: dict[str, Contact | Attempt] = {}
        wanted: list[str] = []
        for pid in dict.fromkeys(participant_ids):
            cached = self._contacts.get(f"participant:{pid}")
            if cached is not None and cached[0] > now:
                found[pid] = cached[1]
            else:
                wanted.append(pid)
        for start in range(0, len(wanted), BULK_CONTACTS):
            chunk = wanted[start : start + BULK_CONTACTS]
            try:
                found |= await self._bulk_contacts(chunk, now)
            except Unreachable as error:
                found |= dict.fromkeys(chunk, error.attempt)
        return found

    async def _bulk_contacts(self, chunk: list[str], now: float) -> dict[str, Contact | Attempt]:
        if not self._bulk:
            return {pid: await self._one(pid) for pid in chunk}
        self.contact_reads += 1
        try:
            response = await self._http.post(
                f"{self._registration}/v1/participants/contacts",
                json={"participant_ids": chunk},
                headers=self._contact_headers,
            )
        except httpx.TimeoutException:
            raise Unreachable(Attempt(Outcome.TEMPORARY, "timeout")) from None
        except httpx.HTTPError as error:
            raise Unreachable(Attempt(Outcome.TEMPORARY, type(error).__name__)) from None
        if response.status_code in {404, 405}:  # a registration without the bulk lookup
            self._bulk = False
            return await self._bulk_contacts(chunk, now)
        if response.status_code != 200:
            raise Unreachable(http_failure(response.status_code))
        body = response.json()
        found: dict[str, Contact | Attempt] = dict.fromkeys(
            body.get("missing", []), Attempt(Outcome.PERMANENT, "no_contact")
        )
        for item in body["contacts"]:
            contact = Contact(
                name=item.get("name") or "",
                email=item["email"],
                time_zone=item.get("time_zone") or "UTC",
            )
            found[item["participant_id"]] = contact
            self._remember(f"participant:{item['participant_id']}", contact, now)
        return found

    async def _one(self, participant_id: str) -> Contact | Attempt:
        try:
            return await self.participant_contact(participant_id)
        except Unreachable as error:
            return error.attempt

    def _remember(self, key: str, contact: Contact, now: float) -> None:
        if self._contact_ttl <= 0:
            return
        if len(self._contacts) > MAX_CACHED_CONTACTS:
            self._contacts = {k: v for k, v in self._contacts.items() if v[0] > now}
        self._contacts[key] = (now + self._contact_ttl, contact)

    def forget(self, *keys: str) -> None:
        """Drop cached contacts (``participant:<id>``, ``person:<id>``), e.g. on erasure."""
        for key in keys:
            self._contacts.pop(key, None)

    async def _contact(self, key: str, url: str) -> Contact:
        now = time.monotonic()
        cached = self._contacts.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        reading = self._reading.get(key)
        if reading is not None:
            return await asyncio.shield(reading)
        future: asyncio.Future[Contact] = asyncio.get_running_loop().create_future()
        self._reading[key] = future
        try:
            contact = await self._read_contact(url)
        except Exception as error:
            future.set_exception(error)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        except BaseException:
            future.cancel()
            raise
        finally:
            del self._reading[key]
        future.set_result(contact)
        self._remember(key, contact, now)
        return contact

    async def _read_contact(self, url: str) -> Contact:
        self.contact_reads += 1
        body = await self._get(url, self._contact_headers)
        if body.get("active") is False:
            raise Unreachable(Attempt(Outcome.PERMANENT, "inactive"))
        return Contact(
            name=body.get("name") or "",
            email=body["email"],
            time_zone=body.get("time_zone") or "UTC",
        )

    async def first_agenda(self) -> dict[str, Any] | None:
        """The first-session agenda of feedback's template library, cached.

        None if feedback cannot be reached: the match message goes without it.
        """
        if self._agendas is None:
            try:
                body = await self._get(f"{self._feedback}/v1/agenda-templates")
            except Unreachable:
                return None
            self._agendas = {template["kind"]: template for template in body["templates"]}
        return self._agendas.get("first_session")

    async def rater_delivery(self, request_id: str) -> RaterDelivery:
        """A rater request's link and address, from feedback (404: erased or withdrawn)."""
        body = await self._get(f"{self._feedback}/v1/skills/rater-requests/{request_id}/delivery")
        return RaterDelivery(path=body["path"], email=body.get("email"))

    async def health_report(self, program_id: str) -> dict[str, Any]:
        """A program's health report, from analytics."""
        body: dict[str, Any] = await self._get(
            f"{self._analytics}/v1/programs/{program_id}/reports/health"
        )
        return body
