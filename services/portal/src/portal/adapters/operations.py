"""The services' APIs the console's operations call (each method is one call, or a paged read).

Cohorts, participant access and invitations (registration), ending pairs (matching), the
health report (analytics) and nudging a pair (notifications). Every call carries the
signed-in person's token; each service decides what they may do.
"""

from __future__ import annotations

from typing import Any

from portal.adapters.api import ServiceClient, parse, parse_list
from portal.domain.console import ManagedProgram
from portal.domain.operations import (
    Access,
    AccessPreview,
    HealthReport,
    Invitation,
    InvitationResult,
)

PAGE = 500


class AccessApi:
    """Cohorts, who may register and the invitations (registration)."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def next_cohort(
        self, token: str, program_id: str, request: dict[str, Any]
    ) -> ManagedProgram:
        """A draft for the program's next cohort (its questionnaire, settings, access, agenda)."""
        body = await self._client.call(
            "POST", f"/v1/programs/{program_id}/cohorts", token, json=request
        )
        return parse(ManagedProgram, body)

    async def access(self, token: str, program_id: str) -> Access:
        """Who may register."""
        return parse(
            Access, await self._client.call("GET", f"/v1/programs/{program_id}/access", token)
        )

    async def set_access(self, token: str, program_id: str, access: dict[str, Any]) -> Access:
        """Set who may register."""
        body = await self._client.call(
            "PUT", f"/v1/programs/{program_id}/access", token, json=access
        )
        return parse(Access, body)

    async def preview(
        self, token: str, program_id: str, access: dict[str, Any] | None = None
    ) -> AccessPreview:
        """How many may register under ``access`` (the program's own rules when None)."""
        body = await self._client.call(
            "POST", f"/v1/programs/{program_id}/access/preview", token, json=access
        )
        return parse(AccessPreview, body)

    async def invitations(self, token: str, program_id: str) -> list[Invitation]:
        """Every invitation of the program, page after page."""
        found: list[Invitation] = []
        after: str | None = None
        while True:
            params = {"limit": str(PAGE)} | ({"after": after} if after else {})
            body = await self._client.call(
                "GET", f"/v1/programs/{program_id}/invitations", token, params=params
            )
            found += parse_list(Invitation, body["invitations"])
            after = body.get("next_after")
            if not after:
                return found

    async def invite(self, token: str, program_id: str, plan: dict[str, Any]) -> InvitationResult:
        """Invite everyone eligible not invited yet, with reminders as ``plan`` says."""
        body = await self._client.call(
            "POST", f"/v1/programs/{program_id}/invitations", token, json=plan
        )
        return parse(InvitationResult, body)


class PairsAdminApi:
    """Ending a pair (matching)."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def end(self, token: str, pair_id: str, reason: str, rematch: bool) -> None:
        """End the pair; with ``rematch``, matching queues a re-match run for its mentee."""
        await self._client.call(
            "POST",
            f"/v1/pairs/{pair_id}/end",
            token,
            json={"reason": reason, "rematch": rematch},
        )


class HealthApi:
    """The health report (analytics)."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def health(self, token: str, program_id: str) -> HealthReport:
        """The flags that need the program manager's attention."""
        body = await self._client.call("GET", f"/v1/programs/{program_id}/reports/health", token)
        return parse(HealthReport, body)


class NudgeApi:
    """Nudging a pair (notifications)."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def nudge(self, token: str, program_id: str, pair_id: str) -> int:
        """Send both members of the pair a nudge; the number of messages planned."""
        body = await self._client.call(
            "POST", f"/v1/programs/{program_id}/pairs/{pair_id}/nudge", token
        )
        return int(body.get("planned", 0)) if isinstance(body, dict) else 0
