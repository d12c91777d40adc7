"""What someone wrote in a form the portal could not save, given back on the error page.

The participant's forms are sent back holding what was typed (`held_answers`); any other form
a failure cuts short (a service not answering, an unexpected error) ends on the error page,
which gives back the free text the form sent, to copy, and a way back to the form.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.routing import Match

from portal.entrypoints.http.security import CSRF_FIELD

LONG_TEXT = 40
"""A value this long is free text even without a space (a URL, a long word)."""
SENT_FORM = "portal.sent_form"
"""Where a request's scope keeps the form it sent, once its CSRF token checked out: the error
handlers get the scope (an unexpected error's handler cannot read the body again)."""


@dataclass(frozen=True, slots=True)
class Unsent:
    """A form's free text, and the page of the form (None: no page is at its address)."""

    text: str
    back: str | None


def keep_sent_form(request: Request, form: FormData) -> None:
    """Keep the form ``request`` sent, for the error page should the request fail."""
    request.scope[SENT_FORM] = form


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
    """The form's page, when the portal shows one at the address the form was sent to.

    Most forms are sent to their own page's address (the console's settings, a story); a
    form sent to an action's address (``/pairs/{id}/fit``) has no page to go back to.
    """
    shown = {**request.scope, "method": "GET"}
    if any(route.matches(shown)[0] is Match.FULL for route in request.app.router.routes):
        query = request.url.query
        return f"{request.url.path}?{query}" if query else request.url.path
    return None


def unsent(request: Request) -> Unsent | None:
    """What the form ``request`` sent that was not saved, if it held free text."""
    form = request.scope.get(SENT_FORM)
    if request.method != "POST" or not isinstance(form, FormData):
        return None
    text = free_text(form)
    return Unsent(text, form_page(request)) if text else None
