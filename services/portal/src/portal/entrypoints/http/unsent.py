"""What someone wrote in a form the portal could not save, given back on the error page.

The participant's forms are sent back holding what was typed (`held_answers`); any other form
a failure cuts short (a service not answering, an unexpected error) ends on the error page,
which gives back the free text the form sent, to copy, and a way back to the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request

from portal.entrypoints.http.security import CSRF_FIELD

LONG_TEXT = 40
"""A value this long is free text even without a space (a URL, a long word)."""


@dataclass(frozen=True, slots=True)
class Unsent:
    """A form's free text, and the portal page the form was on (if the browser said)."""

    text: str
    back: str | None


def free_text(form: FormData) -> str:
    """The text someone wrote in ``form``: each value with a space, a line break or long.

    Choices, ids, numbers, dates and the CSRF token are left out; each text is given once,
    separated from the next by a blank line.
    """
    texts: list[str] = []
    for name, value in form.multi_items():
        if name == CSRF_FIELD or not isinstance(value, str):
            continue
        text = value.strip()
        written = any(character.isspace() for character in text) or len(text) >= LONG_TEXT
        if written and text not in texts:
            texts.append(text)
    return "\n\n".join(texts)


def form_page(request: Request) -> str | None:
    """The portal page a form was sent from (its Referer, when on this portal)."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/"):
        return None
    return f"{referer.path}?{referer.query}" if referer.query else referer.path


async def unsent(request: Request) -> Unsent | None:
    """What a form sent that was not saved, if the request was a form with free text."""
    if request.method != "POST":
        return None
    try:
        form = await request.form()
    except (ClientDisconnect, HTTPException, RuntimeError):  # read already, or malformed
        return None
    text = free_text(form)
    return Unsent(text, form_page(request)) if text else None
