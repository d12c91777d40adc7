"""Skills assessments and 360 input as the portal uses them (feedback; one API call each)."""

from __future__ import annotations

from portal.adapters.api import ServiceClient, parse
from portal.domain.skills import Calibration, RatersAsked, SentRequests


class SkillsApi:
    """Rate a mentee's chosen skills, ask raters, read the calibration, with the caller's token."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def rate_self(
        self, token: str, program_id: str, moment: str, levels: dict[str, int]
    ) -> None:
        """The mentee's own levels at the baseline or the end (again: replaces)."""
        await self._client.call(
            "PUT",
            f"/v1/programs/{program_id}/skills/self/{moment}",
            token,
            json={"levels": levels},
        )

    async def rate_mentee(
        self, token: str, pair_id: str, moment: str, levels: dict[str, int], mentee: str
    ) -> None:
        """The mentor rates a mentee at the midpoint or the end (again: replaces).

        ``pair_id`` may be a group's: ``mentee`` (a participant id) says which of its mentees.
        """
        await self._client.call(
            "PUT",
            f"/v1/pairs/{pair_id}/skills/mentor/{moment}",
            token,
            json={"levels": levels},
            params={"mentee": mentee},
        )

    async def sent_requests(self, token: str, program_id: str) -> SentRequests:
        """The 360 requests the mentee sent (peers never one by one)."""
        body = await self._client.call("GET", f"/v1/programs/{program_id}/skills/raters", token)
        return parse(SentRequests, body)

    async def ask_raters(
        self, token: str, program_id: str, request: dict[str, object]
    ) -> RatersAsked:
        """Ask the manager and peers for their view (links for peers asked by number)."""
        body = await self._client.call(
            "POST", f"/v1/programs/{program_id}/skills/raters", token, json=request
        )
        return parse(RatersAsked, body)

    async def calibration(self, token: str, program_id: str, participant_id: str) -> Calibration:
        """Self, mentor, manager and peers' average per moment and skill."""
        body = await self._client.call(
            "GET",
            f"/v1/programs/{program_id}/participants/{participant_id}/skills/calibration",
            token,
        )
        return parse(Calibration, body)
