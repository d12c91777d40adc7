"""Clients of the other services' APIs.

Contacts (registration), agendas (feedback) and health reports (analytics), called with this
service's credential.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from notifications.domain.deliveries import Attempt, Outcome


@dataclass(frozen=True, slots=True)
class Contact:
    """How to reach a person, fetched when a message is sent and never stored."""

    name: str
    email: str
    time_zone: str


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
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            headers=headers,
            timeout=timeout_s,
            transport=transport,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        )
        self._registration = registration_url.rstrip("/")
        self._feedback = feedback_url.rstrip("/")
        self._analytics = analytics_url.rstrip("/")
        self._agendas: dict[str, Any] | None = None

    async def close(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def _get(self, url: str) -> Any:
        try:
            response = await self._http.get(url)
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
        body = await self._get(f"{self._registration}/v1/participants/{participant_id}/contact")
        return Contact(name=body["name"], email=body["email"], time_zone=body["time_zone"])

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

    async def health_report(self, program_id: str) -> dict[str, Any]:
        """A program's health report, from analytics."""
        body: dict[str, Any] = await self._get(
            f"{self._analytics}/v1/programs/{program_id}/reports/health"
        )
        return body
