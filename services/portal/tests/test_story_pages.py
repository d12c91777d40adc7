"""Impact stories in the portal, answered in-process over faked registration and feedback APIs.

The fake feedback keeps stories and applies the service's rules (only a program's participants
write, only the author withdraws, only admins see those awaiting approval and approve, no
approval once consent is withdrawn). The participant's page lists their stories with their
state, writes one (each mistake beside its field, in their language, nothing sent), withdraws
consent; the console lists a program's stories awaiting approval and published, and approves.
Every refusal is a message or the error page, never a failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError, RuleError
from portal.domain.stories import Story, StoryDraft, StoryState, story_problems

from .pages import CSRF, SignIn, fake_services, portal_app, signing_in, text_of
from .test_console import launch, program

ADMIN_ROLE = "mentorship-admin"
ADMIN_TOKEN = "admin-token"
ADA = "ada-token"
BEN = "ben-token"
PARTICIPANTS = {ADA: {"a": "p-ada-a", "b": "p-ada-b"}, BEN: {"a": "p-ben-a"}}
"""Who takes part where: token -> program -> participant id (Ada withdrew from b)."""
WITHDRAWN = {("p-ada-b")}
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def registration_of(participant_id: str, program_id: str) -> dict[str, Any]:
    return {
        "participant_id": participant_id,
        "program_id": program_id,
        "employee_id": participant_id.removeprefix("p-"),
        "name": participant_id.split("-")[1].title(),
        "email": "someone@example.com",
        "status": "withdrawn" if participant_id in WITHDRAWN else "active",
        "role": "mentee",
        "registered_at": "2026-12-01T10:00:00Z",
    }


class Services:
    """Registration and feedback as the portal calls them, and what the portal sent."""

    def __init__(self) -> None:
        self.stories: dict[str, dict[str, Any]] = {}
        self.writes: list[tuple[str, Any]] = []
        self.approvals: list[str] = []
        self.refuse_write: Exception | None = None
        self.refuse_registrations = False

    def story(
        self, story_id: str, author: str, program_id: str, days_ago: int, **state: Any
    ) -> None:
        self.stories[story_id] = {
            "story_id": story_id,
            "program_id": program_id,
            "participant_id": author,
            "title": f"Title of {story_id}",
            "text": f"Text of {story_id}\nsecond line",
            "consent_to_publish": True,
            "approved": False,
            "written_at": (NOW - timedelta(days=days_ago)).isoformat(),
            "approved_at": None,
        } | state

    async def call(self, service: str, method: str, path: str, token: str, **kwargs: Any) -> Any:
        if service == "registration":
            return self._registration(method, path, token)
        assert service == "feedback", service
        return self._feedback(method, path, token, kwargs)

    def _registration(self, method: str, path: str, token: str) -> Any:
        assert method == "GET", path
        if path == "/v1/programs":
            return {"programs": [program("a"), program("b"), program("c")]}
        if match := re.fullmatch(r"/v1/programs/(\w)", path):
            return program(match[1])
        if match := re.fullmatch(r"/v1/programs/(\w)/registrations/me", path):
            mine = PARTICIPANTS.get(token, {})
            if match[1] not in mine:
                raise NotFoundError("never registered")
            return registration_of(mine[match[1]], match[1])
        if match := re.fullmatch(r"/v1/programs/(\w)/launch", path):
            return launch(match[1], 0)
        if match := re.fullmatch(r"/v1/programs/(\w)/registrations", path):
            if self.refuse_registrations:
                raise ForbiddenError("not a manager of this program")
            rows = [
                registration_of(mine[match[1]], match[1])
                for mine in PARTICIPANTS.values()
                if match[1] in mine
            ]
            return {"registrations": rows, "next_after": None}
        raise AssertionError(f"unexpected registration call {method} {path}")

    def _feedback(self, method: str, path: str, token: str, kwargs: dict[str, Any]) -> Any:
        mine = PARTICIPANTS.get(token, {})
        if (method, path) == ("GET", "/v1/me/stories"):
            if token == ADMIN_TOKEN:
                raise ForbiddenError("the admin token names nobody")
            found = [s for s in self.stories.values() if s["participant_id"] in mine.values()]
            return {"stories": sorted(found, key=lambda s: s["written_at"], reverse=True)}
        if match := re.fullmatch(r"/v1/programs/(\w)/stories", path):
            if method == "POST":
                self.writes.append((match[1], kwargs["json"]))
                if self.refuse_write is not None:
                    raise self.refuse_write
                if match[1] not in mine:
                    raise ForbiddenError("only the program's participants write its stories")
                story_id = f"story-{len(self.stories) + 1}"
                self.story(story_id, mine[match[1]], match[1], 0)
                self.stories[story_id] |= {
                    "title": kwargs["json"]["title"],
                    "text": kwargs["json"]["text"],
                }
                return self.stories[story_id]
            assert kwargs["params"] == {"pending": "true"}
            return {
                "stories": [
                    s
                    for s in self.stories.values()
                    if s["program_id"] == match[1] and (s["approved"] or token == ADMIN_TOKEN)
                ]
            }
        if match := re.fullmatch(r"/v1/stories/([\w-]+)/(approve|withdraw-consent)", path):
            return self._decide(match[1], match[2], token)
        raise AssertionError(f"unexpected feedback call {method} {path}")

    def _decide(self, story_id: str, action: str, token: str) -> Any:
        mine = PARTICIPANTS.get(token, {})
        story = self.stories.get(story_id)
        if action == "approve":
            if token != ADMIN_TOKEN:
                raise ForbiddenError("admins only")
            if story is None:
                raise NotFoundError("no story")
            if not story["consent_to_publish"]:
                raise RuleError("no_consent", "The author has not consented to publishing it.")
            self.approvals.append(story_id)
            story |= {"approved": True, "approved_at": NOW.isoformat()}
        else:
            if story is None or story["participant_id"] not in mine.values():
                raise NotFoundError("no story of yours")
            story |= {"consent_to_publish": False, "approved": False}
        return story


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Services:
    fake = Services()
    fake_services(monkeypatch, fake.call)
    return fake


@pytest.fixture
def signed_in(services: Services) -> Iterator[SignIn]:
    del services  # installed first
    with signing_in(portal_app()) as as_:
        yield as_


@pytest.fixture
def ada(signed_in: SignIn) -> TestClient:
    return signed_in(ADA)


@pytest.fixture
def admin(signed_in: SignIn) -> TestClient:
    return signed_in(ADMIN_TOKEN, roles=(ADMIN_ROLE,))


def story_card(html: str, story_id: str) -> str:
    found = re.search(rf'<li class="card story" id="story-{story_id}">(.*?)</li>', html, re.DOTALL)
    assert found, f"{story_id} is not listed"
    return found[1]


def write(client: TestClient, **fields: str) -> Any:
    form = {"csrf_token": CSRF, "program_id": "a", "title": "T", "text": "S"} | fields
    return client.post("/me/stories", data=form, follow_redirects=False)


# ---------------------------------------------------------------------- the participant's page
def test_my_stories_are_listed_newest_first_with_their_state(
    ada: TestClient, services: Services
) -> None:
    services.story("s-old", "p-ada-a", "a", 30, approved=True, approved_at=NOW.isoformat())
    services.story("s-mid", "p-ada-b", "b", 20, consent_to_publish=False)
    services.story("s-new", "p-ada-a", "a", 1)
    services.story("s-bens", "p-ben-a", "a", 2)

    page = ada.get("/me/stories")

    assert page.status_code == 200
    html = page.text
    assert (
        html.index("Title of s-new") < html.index("Title of s-mid") < html.index("Title of s-old")
    )
    assert "Title of s-bens" not in html
    assert "Awaiting approval" in text_of(story_card(html, "s-new"))
    assert "Published" in text_of(story_card(html, "s-old"))
    withdrawn = text_of(story_card(html, "s-mid"))
    assert "Consent withdrawn" in withdrawn
    assert "Program b, written on" in withdrawn  # a program she left still has its name
    assert "withdraw-consent" not in story_card(html, "s-mid")
    for live in ("s-new", "s-old"):
        card = story_card(html, live)
        assert f'action="/me/stories/{live}/withdraw-consent"' in card
        assert 'data-confirm="Withdraw your consent?' in card
        assert 'class="danger"' in card
    assert 'href="/me/stories" aria-current="page"' in html


def test_the_form_offers_only_the_programs_she_takes_part_in(ada: TestClient) -> None:
    html = ada.get("/me/stories").text
    options = re.findall(r'<option value="(\w*)"', html.split('id="program_id"')[1])
    assert options == ["", "a"]  # she withdrew from b and never joined c
    assert "You have not written a story yet." in text_of(html)


def test_a_story_is_sent_with_consent_and_listed_as_awaiting_approval(
    ada: TestClient, services: Services
) -> None:
    sent = write(
        ada,
        title="  A promotion  ",
        text="My mentor helped me\nprepare.",
        consent_to_publish="yes",
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/me/stories"
    assert services.writes == [
        (
            "a",
            {
                "title": "A promotion",
                "text": "My mentor helped me\nprepare.",
                "consent_to_publish": True,
            },
        )
    ]
    after = ada.get("/me/stories").text
    assert "Thank you: your story is sent." in text_of(after)
    card = text_of(story_card(after, "story-1"))
    assert "A promotion" in card
    assert "Awaiting approval" in card


def test_mistakes_come_back_beside_their_fields_with_the_form_as_typed_and_nothing_sent(
    ada: TestClient, services: Services
) -> None:
    refused = write(ada, program_id="c", title="", text="What happened")

    assert refused.status_code == 422
    html = refused.text
    assert "<title>Error:" in html
    assert "Your story is not sent yet" in text_of(html)
    assert 'id="program_id-error">Error: Choose one of your programs.' in html
    assert 'id="title-error">Error: Give your story a title.' in html
    assert 'id="consent_to_publish-error">Error: A story is shared only with your consent' in html
    assert 'id="text-error"' not in html
    assert 'aria-describedby="title-hint title-error" aria-invalid="true"' in html
    assert ">What happened</textarea>" in html
    assert services.writes == []


def test_an_over_long_title_or_story_is_refused_by_the_portal_first(
    ada: TestClient, services: Services
) -> None:
    refused = write(ada, title="t" * 501, text="s" * 5001, consent_to_publish="yes")
    assert refused.status_code == 422
    assert "Keep the title to 500 characters or fewer." in refused.text
    assert "Keep the story to 5,000 characters or fewer." in refused.text
    assert services.writes == []


def test_in_french_the_mistakes_are_named_in_french(ada: TestClient) -> None:
    ada.post("/language", data={"csrf_token": CSRF, "language": "fr", "next": "/me/stories"})
    refused = write(ada, title="", consent_to_publish="yes")
    assert refused.status_code == 422
    assert 'id="title-error">Erreur\u00a0: Donnez un titre à votre témoignage.' in refused.text
    assert "Mes témoignages" in refused.text
    assert '<label for="title">Titre de votre témoignage</label>' in refused.text


@pytest.mark.parametrize(
    ("refusal", "field", "message"),
    [
        (ForbiddenError("only participants"), "program_id", "Only the program&#39;s participants"),
        (RuleError("program_not_known", "not yet"), "program_id", "does not take stories yet"),
        (
            InvalidInputError([("body.title", "String should have at most 500 characters")]),
            "title",
            "Use at most 500 characters.",
        ),
        (
            InvalidInputError([("body.title", "Not a title the service knows of")]),
            "title",
            "Not a title the service knows of",
        ),
    ],
)
def test_the_services_refusals_are_shown_beside_the_field_they_concern(
    ada: TestClient, services: Services, refusal: Exception, field: str, message: str
) -> None:
    services.refuse_write = refusal
    refused = write(ada, consent_to_publish="yes")
    assert refused.status_code == 422
    assert re.search(rf'id="{field}-error">Error: [^<]*{message}', refused.text), refused.text
    assert 'value="T"' in refused.text


def test_withdrawing_consent_stops_publishing_and_says_so(
    ada: TestClient, services: Services
) -> None:
    services.story("s-1", "p-ada-a", "a", 3, approved=True, approved_at=NOW.isoformat())
    done = ada.post(
        "/me/stories/s-1/withdraw-consent", data={"csrf_token": CSRF}, follow_redirects=False
    )
    assert done.status_code == 303
    assert services.stories["s-1"]["consent_to_publish"] is False
    after = ada.get("/me/stories").text
    assert "Your consent is withdrawn: the story is no longer published." in text_of(after)
    assert "Consent withdrawn" in text_of(story_card(after, "s-1"))


def test_withdrawing_someone_elses_story_is_a_message_not_a_failure(
    ada: TestClient, services: Services
) -> None:
    services.story("s-bens", "p-ben-a", "a", 3)
    answer = ada.post("/me/stories/s-bens/withdraw-consent", data={"csrf_token": CSRF})
    assert answer.status_code == 200
    assert "That story is not one of yours, or no longer exists." in text_of(answer.text)
    assert services.stories["s-bens"]["consent_to_publish"] is True
    assert (
        ada.post("/me/stories/bad%20id/withdraw-consent", data={"csrf_token": CSRF}).status_code
        == 200
    )


def test_forms_need_the_csrf_token(ada: TestClient, services: Services) -> None:
    services.story("s-1", "p-ada-a", "a", 3)
    assert (
        ada.post("/me/stories", data={"program_id": "a", "title": "T", "text": "S"}).status_code
        == 403
    )
    assert ada.post("/me/stories/s-1/withdraw-consent").status_code == 403
    assert services.writes == []
    assert services.stories["s-1"]["consent_to_publish"] is True


def test_the_admin_token_which_names_nobody_gets_the_403_page(admin: TestClient) -> None:
    page = admin.get("/me/stories")
    assert page.status_code == 403
    assert "<h1>" in page.text


# ---------------------------------------------------------------------- the console
def test_the_console_lists_pending_oldest_first_then_published_with_authors(
    admin: TestClient, services: Services
) -> None:
    services.story("s-1", "p-ada-a", "a", 2)
    services.story("s-2", "p-ben-a", "a", 9)
    services.story("s-3", "p-ben-a", "a", 20, approved=True, approved_at=NOW.isoformat())
    services.story("s-4", "p-ada-a", "a", 5, consent_to_publish=False)
    services.story("s-5", "p-ada-b", "b", 1)

    page = admin.get("/console/programs/a/stories")

    assert page.status_code == 200
    html = page.text
    text = text_of(html)
    pending, published = html.split('id="published-heading"')
    assert pending.index("Title of s-2") < pending.index("Title of s-1")
    assert "By Ben, written on" in text_of(story_card(html, "s-2"))
    assert "Title of s-3" in published
    assert "By Ben, approved on" in text_of(story_card(html, "s-3"))
    assert "Title of s-4" not in html  # consent withdrawn: not shown to anyone
    assert "Title of s-5" not in html  # another program's
    assert 'action="/console/programs/a/stories/s-1/approve"' in html
    assert '/approve"' not in story_card(html, "s-3")
    assert 'href="/console/programs/a/stories" aria-current="page"' in html
    assert "Only the organisation" not in text


def test_approving_publishes_the_story(admin: TestClient, services: Services) -> None:
    services.story("s-1", "p-ada-a", "a", 2)
    done = admin.post(
        "/console/programs/a/stories/s-1/approve", data={"csrf_token": CSRF}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/console/programs/a/stories"
    assert services.approvals == ["s-1"]
    after = admin.get("/console/programs/a/stories").text
    assert "The story is approved: it is published." in text_of(after)
    assert "Title of s-1" in after.split('id="published-heading"')[1]
    assert "No story is awaiting approval." in text_of(after)


@pytest.mark.parametrize(
    ("story", "message"),
    [
        ({"consent_to_publish": False}, "Its author withdrew consent"),
        ({"program_id": "b"}, "That story is not one of this program"),
    ],
)
def test_approving_what_cannot_be_approved_is_a_message(
    admin: TestClient, services: Services, story: dict[str, Any], message: str
) -> None:
    services.story("s-1", "p-ada-a", "a", 2)
    services.stories["s-1"] |= story
    answer = admin.post("/console/programs/a/stories/s-1/approve", data={"csrf_token": CSRF})
    assert answer.status_code == 200
    assert message in text_of(answer.text).replace("&#39;", "'")
    assert services.approvals == []


def test_a_manager_without_the_admin_role_is_told_who_approves(
    signed_in: SignIn, services: Services
) -> None:
    services.story("s-1", "p-ada-a", "a", 2)
    manager = signed_in(BEN, roles=("mentorship-program-manager",))
    page = text_of(manager.get("/console/programs/a/stories").text)
    assert "Only the organisation's admins see the stories awaiting approval" in page.replace(
        "&#39;", "'"
    )
    assert "Title of s-1" not in page
    assert "Awaiting approval" not in page  # feedback lists them to admins only
    answer = manager.post("/console/programs/a/stories/s-1/approve", data={"csrf_token": CSRF})
    assert answer.status_code == 200
    assert services.approvals == []


def test_a_program_that_is_not_theirs_is_the_403_page(
    signed_in: SignIn, services: Services
) -> None:
    services.refuse_registrations = True
    page = signed_in(BEN, roles=("mentorship-program-manager",)).get("/console/programs/a/stories")
    assert page.status_code == 403


def test_approving_needs_the_csrf_token(admin: TestClient, services: Services) -> None:
    services.story("s-1", "p-ada-a", "a", 2)
    assert admin.post("/console/programs/a/stories/s-1/approve").status_code == 403
    assert services.approvals == []


# ---------------------------------------------------------------------- the rules
def test_a_storys_state_follows_consent_then_approval() -> None:
    def state(*, consent: bool, approved: bool) -> StoryState:
        return Story(
            story_id="s",
            program_id="a",
            participant_id="p",
            title="t",
            text="x",
            written_at=NOW,
            consent_to_publish=consent,
            approved=approved,
        ).state

    assert state(consent=True, approved=False) is StoryState.AWAITING_APPROVAL
    assert state(consent=True, approved=True) is StoryState.PUBLISHED
    assert state(consent=False, approved=True) is StoryState.CONSENT_WITHDRAWN
    assert state(consent=False, approved=False) is StoryState.CONSENT_WITHDRAWN


def test_the_form_is_read_trimmed_and_checked_against_the_services_bounds() -> None:
    draft = StoryDraft.of(
        {"program_id": " a ", "title": " t ", "text": " x ", "consent_to_publish": "yes"}
    )
    assert draft == StoryDraft("a", "t", "x", consent=True)
    assert story_problems(draft, {"a"}) == {}
    assert set(story_problems(StoryDraft("a", "t" * 500, "x" * 5000, consent=True), {"a"})) == set()
    assert set(story_problems(StoryDraft("a", "t" * 501, "x" * 5001, consent=True), {"a"})) == {
        "title",
        "text",
    }
    assert set(story_problems(StoryDraft.of({}), {"a"})) == {
        "program_id",
        "title",
        "text",
        "consent_to_publish",
    }
