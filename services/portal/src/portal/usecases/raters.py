"""A manager or peer answers a mentee's 360 request through their link (no account).

The link's token is the only key: it is checked by its shape before any call (so nothing but
a token reaches the feedback service's path) and never logged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from mentorship_kit.errors import InvalidInputError, NotFoundError
from portal.adapters.services import RaterLinksApi
from portal.domain.models import RaterForm, RaterReceipt

TOKEN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
MAX_TOKEN_LENGTH = 300
LEVELS = range(1, 6)
LEVEL_FIELD = "level."


class RaterAnswerRefused(InvalidInputError):  # noqa: N818 - names the situation
    """Some skills have no level 1-5; ``missing`` names them."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            [(f"{LEVEL_FIELD}{skill}", "choose a level from 1 to 5") for skill in missing]
        )
        self.missing = missing


class RaterAnswers:
    """Reads a rater link's form and records the rater's answer."""

    def __init__(self, links: RaterLinksApi) -> None:
        self._links = links

    async def form(self, token: str) -> RaterForm:
        """What the link asks.

        Raises:
            NotFoundError: the link is unknown, expired or withdrawn.
            RuleError: ``link_already_answered`` (a link answers once).
        """
        return await self._links.form(_checked(token))

    async def answer(
        self, token: str, submitted: Mapping[str, str]
    ) -> tuple[RaterForm, RaterReceipt]:
        """Record the levels of the form as submitted (``level.<skill>`` = 1-5, every skill).

        Raises:
            RaterAnswerRefused: a skill has no level 1-5 (nothing is sent).
            NotFoundError: the link is unknown, expired or withdrawn.
            RuleError: ``link_expired`` (it expired while the rater answered),
                ``link_already_answered`` (a link answers once; the first answer stays).
        """
        form = await self._links.form(_checked(token))
        levels: dict[str, int] = {}
        for skill in form.skills:
            value = submitted.get(f"{LEVEL_FIELD}{skill}", "")
            if value.isdigit() and int(value) in LEVELS:
                levels[skill] = int(value)
        missing = [skill for skill in form.skills if skill not in levels]
        if missing:
            raise RaterAnswerRefused(missing)
        return form, await self._links.answer(token, levels)


def _checked(token: str) -> str:
    if len(token) > MAX_TOKEN_LENGTH or not TOKEN.fullmatch(token):
        raise NotFoundError("rater link")
    return token
