"""What every scheduling router shares: resource ids in paths and the caller's person."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from mentorship_kit.auth import Principal
from mentorship_kit.http_errors import ApiError

ResourceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=80)]


def person_of(caller: Principal) -> str:
    """The caller's person id, or a 403 saying why there is none."""
    if caller.person_id is None:
        raise ApiError(
            403,
            "forbidden",
            "This operation is for participants: call with your own token "
            "(and the services need AUTH_PSEUDONYM_KEY).",
        )
    return caller.person_id
