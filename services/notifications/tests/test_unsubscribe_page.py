"""The page a one-click unsubscribe link opens: it asks before stopping anything (link scanners
fetch links) and posts back to the very address it was opened at, whatever path prefix the
proxy in front of the service adds."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import cast
from urllib.parse import urljoin

from fastapi import FastAPI
from fastapi.testclient import TestClient

from notifications.entrypoints.http.routes import unsubscribe_router
from notifications.usecases.people import People

TOKEN = "eyJwIjoiYSJ9.c2ln-_"


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.actions: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            found = dict(attrs)
            self.actions.append((found.get("method") or "", found.get("action") or ""))


def test_the_confirmation_posts_back_to_the_link_it_was_opened_at() -> None:
    app = FastAPI()
    # GET only renders the question: the use case is never reached.
    app.include_router(unsubscribe_router(cast("People", object())))
    page = TestClient(app).get(f"/v1/unsubscribe/{TOKEN}")
    assert page.status_code == 200
    forms = _Forms()
    forms.feed(page.text)
    ((method, action),) = forms.actions
    assert method == "post"
    for opened_at in (
        f"http://notifications/v1/unsubscribe/{TOKEN}",
        f"https://mentorship.example.com/notifications/v1/unsubscribe/{TOKEN}",
    ):
        assert urljoin(opened_at, action) == opened_at
