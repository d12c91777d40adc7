"""Impact stories as the portal uses them (feedback service; each method is one API call)."""

from __future__ import annotations

from portal.adapters.api import ServiceClient, parse, parse_list
from portal.domain.stories import Story


class StoriesApi:
    """Write, list, approve and withdraw impact stories, with the caller's token."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def mine(self, token: str) -> list[Story]:
        """The stories the caller wrote, in every program and state, newest first."""
        body = await self._client.call("GET", "/v1/me/stories", token)
        return parse_list(Story, body["stories"])

    async def write(self, token: str, program_id: str, request: dict[str, object]) -> Story:
        """Write a story in the program (the caller must take part in it)."""
        body = await self._client.call(
            "POST", f"/v1/programs/{program_id}/stories", token, json=request
        )
        return parse(Story, body)

    async def withdraw_consent(self, token: str, story_id: str) -> Story:
        """The author withdraws consent: the story is no longer published."""
        body = await self._client.call("POST", f"/v1/stories/{story_id}/withdraw-consent", token)
        return parse(Story, body)

    async def of_program(self, token: str, program_id: str) -> list[Story]:
        """The program's stories: every one for an admin (``pending=true``), else the approved."""
        body = await self._client.call(
            "GET", f"/v1/programs/{program_id}/stories", token, params={"pending": "true"}
        )
        return parse_list(Story, body["stories"])

    async def approve(self, token: str, story_id: str) -> Story:
        """Approve a story for publishing (feedback: admins only; 409 once consent is gone)."""
        body = await self._client.call("POST", f"/v1/stories/{story_id}/approve", token)
        return parse(Story, body)
