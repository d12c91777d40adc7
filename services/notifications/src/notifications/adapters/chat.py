"""Chat messages, posted with httpx.

Slack: an incoming webhook, or chat.postMessage with a bot token, in Block Kit. Microsoft
Teams: an incoming webhook carrying an Adaptive Card.

A 429 or 5xx answer, a timeout or a dropped connection is a temporary failure (retried with
backoff); any other refusal is permanent. Webhook URLs and tokens are secrets: never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from notifications.adapters.services import http_failure
from notifications.domain.deliveries import Attempt, Outcome

SLACK_TEMPORARY_ERRORS = frozenset({"ratelimited", "service_unavailable", "fatal_error"})


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """What a chat post says."""

    title: str
    text: str
    link: str | None = None
    link_label: str = "Open"
    colour: str = "#1f4e79"


def slack_blocks(message: ChatMessage) -> dict[str, Any]:
    """The Block Kit payload of ``message`` (``text`` is the notification fallback)."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": message.text[:3000]}},
    ]
    if message.link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": message.link_label[:75]},
                        "url": message.link,
                    }
                ],
            }
        )
    return {"text": message.title, "blocks": blocks}


def teams_card(message: ChatMessage) -> dict[str, Any]:
    """An incoming-webhook message carrying ``message`` as an Adaptive Card."""
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": message.title,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            {"type": "TextBlock", "text": message.text, "wrap": True},
        ],
    }
    if message.link:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": message.link_label, "url": message.link}
        ]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


class ChatSender:
    """Posts to Slack and Teams."""

    def __init__(
        self,
        *,
        slack_api_url: str,
        slack_bot_token: str | None,
        timeout_s: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(timeout=timeout_s, transport=transport)
        self._slack_api = slack_api_url.rstrip("/")
        self._bot_token = slack_bot_token

    async def close(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def _post(
        self, url: str, payload: dict[str, Any], **kwargs: Any
    ) -> httpx.Response | Attempt:
        try:
            return await self._http.post(url, json=payload, **kwargs)
        except httpx.TimeoutException:
            return Attempt(Outcome.TEMPORARY, "timeout")
        except httpx.HTTPError as error:
            return Attempt(Outcome.TEMPORARY, type(error).__name__)

    async def slack_webhook(self, url: str, message: ChatMessage) -> Attempt:
        """Post to a Slack incoming webhook."""
        response = await self._post(url, slack_blocks(message))
        if isinstance(response, Attempt):
            return response
        if response.status_code == 200:
            return Attempt(Outcome.SENT)
        return http_failure(response.status_code)

    async def slack_post(self, channel: str, message: ChatMessage) -> Attempt:
        """``chat.postMessage`` to a channel (or a user id: a direct message)."""
        if not self._bot_token:
            return Attempt(Outcome.PERMANENT, "slack not configured")
        return await self._slack_call(
            "chat.postMessage", {"channel": channel, **slack_blocks(message)}
        )

    async def slack_direct(self, email: str, message: ChatMessage) -> Attempt:
        """A direct message to the Slack user with ``email``."""
        if not self._bot_token:
            return Attempt(Outcome.PERMANENT, "slack not configured")
        try:
            response = await self._http.get(
                f"{self._slack_api}/users.lookupByEmail",
                params={"email": email},
                headers={"Authorization": f"Bearer {self._bot_token}"},
            )
        except httpx.TimeoutException:
            return Attempt(Outcome.TEMPORARY, "timeout")
        except httpx.HTTPError as error:
            return Attempt(Outcome.TEMPORARY, type(error).__name__)
        if response.status_code != 200:
            return http_failure(response.status_code)
        body = response.json()
        if not body.get("ok"):
            return _slack_error(str(body.get("error", "unknown")))
        return await self.slack_post(str(body["user"]["id"]), message)

    async def _slack_call(self, method: str, payload: dict[str, Any]) -> Attempt:
        response = await self._post(
            f"{self._slack_api}/{method}",
            payload,
            headers={"Authorization": f"Bearer {self._bot_token}"},
        )
        if isinstance(response, Attempt):
            return response
        if response.status_code != 200:
            return http_failure(response.status_code)
        body = response.json()
        if body.get("ok"):
            return Attempt(Outcome.SENT)
        return _slack_error(str(body.get("error", "unknown")))

    async def teams_webhook(self, url: str, message: ChatMessage) -> Attempt:
        """Post an Adaptive Card to a Teams incoming webhook."""
        response = await self._post(url, teams_card(message))
        if isinstance(response, Attempt):
            return response
        if response.status_code in {200, 202}:
            return Attempt(Outcome.SENT)
        return http_failure(response.status_code)


def _slack_error(error: str) -> Attempt:
    outcome = Outcome.TEMPORARY if error in SLACK_TEMPORARY_ERRORS else Outcome.PERMANENT
    return Attempt(outcome, f"slack {error}")
