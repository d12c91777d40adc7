"""The admins' erasure of one employee's HRIS outcomes, over faked feedback and directory.

The page (admins only, linked from the console's home for them), the employee id typed twice,
each refusal beside its field (the portal's own checks, feedback's 422 and its 409 without the
pseudonym key), CSRF, and the result told after the redirect, with the directory's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError, RuleError

from .pages import CSRF, SignIn, fake_services, portal_app, signing_in, text_of
from .test_console import launch, program

ADMIN_ROLE = "mentorship-admin"
PAGE = "/console/outcome-erasures"
ERASE = ("POST", "/v1/outcomes/erasures")


class Services:
    """Feedback's and the directory's answers, and the calls the portal made."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.outcomes = {"e-101": 3, "e-102": 1}
        self.refuse = False
        self.pseudonym_key = True

    async def answer(self, method: str, path: str, json_body: Any) -> Any:
        self.calls.append((method, path, json_body))
        if (method, path) == ("GET", "/v1/programs"):
            return {"programs": [program("a")]}
        if (method, path) == ("GET", "/v1/programs/a/launch"):
            return launch("a", 0)
        if (method, path) == ("GET", "/v1/directory/people/e-101"):
            return {"employee_id": "e-101", "name": "Ada Lovelace", "active": True}
        if method == "GET" and path.startswith("/v1/directory/people/"):
            raise NotFoundError("no such person")
        if (method, path) == ERASE:
            return self._erase(json_body["employee_id"])
        raise AssertionError(f"unexpected call {method} {path}")

    def _erase(self, employee_id: str) -> dict[str, Any]:
        if self.refuse:
            raise ForbiddenError("needs the admin role")
        if not self.pseudonym_key:
            raise RuleError("pseudonym_key_missing", "AUTH_PSEUDONYM_KEY is not set")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}", employee_id):
            raise InvalidInputError([("body.employee_id", "String should match pattern")])
        deleted = self.outcomes.pop(employee_id, 0)
        return {"deleted": deleted, "erased_at": "2027-03-01T09:30:00Z"}

    def erased(self) -> list[str]:
        return [body["employee_id"] for method, path, body in self.calls if (method, path) == ERASE]


@pytest.fixture
def services() -> Services:
    return Services()


@pytest.fixture
def signed_in(monkeypatch: pytest.MonkeyPatch, services: Services) -> Iterator[SignIn]:
    async def answer(_: str, method: str, path: str, token: str, **options: Any) -> Any:
        assert token == "t"
        return await services.answer(method, path, options.get("json"))

    fake_services(monkeypatch, answer)
    with signing_in(portal_app()) as sign_in:
        yield sign_in


@pytest.fixture
def admin(signed_in: SignIn) -> TestClient:
    return signed_in("t", roles=(ADMIN_ROLE,))


def erase(client: TestClient, employee_id: str, confirm: str) -> Any:
    return client.post(
        PAGE,
        data={"csrf_token": CSRF, "employee_id": employee_id, "confirm_employee_id": confirm},
        follow_redirects=False,
    )


def test_the_page_says_what_erasing_outcomes_does_and_asks_for_the_id_twice(
    admin: TestClient,
) -> None:
    page = admin.get(PAGE)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Erase business outcomes" in text
    assert "Nothing else of theirs changes" in text
    assert "It cannot be undone." in text
    assert 'name="employee_id"' in page.text
    assert 'name="confirm_employee_id"' in page.text


def test_erasing_tells_how_many_outcomes_of_whom_went(
    admin: TestClient, services: Services
) -> None:
    done = erase(admin, " e-101 ", "e-101")
    assert done.status_code == 303
    assert done.headers["location"] == PAGE
    assert services.erased() == ["e-101"]
    after = text_of(admin.get(PAGE).text)
    assert "3 business outcomes of Ada Lovelace (e-101) are erased." in after

    erase(admin, "e-102", "e-102")
    assert "1 business outcome of e-102 is erased." in text_of(admin.get(PAGE).text)
    erase(admin, "e-101", "e-101")  # a repeat deletes nothing, and says so
    assert "0 business outcomes of Ada Lovelace (e-101) are erased." in text_of(
        admin.get(PAGE).text
    )


REFUSALS = {
    "no id": ("", "", "employee_id", "Enter the employee id whose outcomes to erase."),
    "not typed again": (
        "e-101",
        "e-10",
        "confirm_employee_id",
        "Type the employee id e-101 again, exactly",
    ),
    "not an id (feedback)": ("e 101!", "e 101!", "employee_id", "This is not an employee id"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_each_refusal_is_shown_beside_its_field_and_keeps_what_was_typed(
    admin: TestClient, services: Services, case: str
) -> None:
    employee_id, confirm, field, message = REFUSALS[case]
    refused = erase(admin, employee_id, confirm)
    assert refused.status_code == 422
    assert message in text_of(refused.text)
    assert f'id="{field}-error"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert f'value="{employee_id}"' in refused.text
    assert services.outcomes == {"e-101": 3, "e-102": 1}


def test_without_the_pseudonym_key_the_page_says_who_can_fix_it(
    admin: TestClient, services: Services
) -> None:
    services.pseudonym_key = False
    refused = erase(admin, "e-101", "e-101")
    assert refused.status_code == 409
    assert "AUTH_PSEUDONYM_KEY" in text_of(refused.text)
    assert 'role="alert"' in refused.text


def test_without_the_csrf_token_nothing_is_erased(admin: TestClient, services: Services) -> None:
    refused = admin.post(PAGE, data={"employee_id": "e-101", "confirm_employee_id": "e-101"})
    assert refused.status_code == 403
    assert services.erased() == []


def test_only_admins_are_offered_and_shown_the_page(signed_in: SignIn, services: Services) -> None:
    assert f'href="{PAGE}"' in signed_in("t", roles=(ADMIN_ROLE,)).get("/console").text
    manager = signed_in("t", roles=("mentorship-program-manager",))
    assert f'href="{PAGE}"' not in manager.get("/console").text
    assert manager.get(PAGE).status_code == 403
    assert erase(manager, "e-101", "e-101").status_code == 403
    assert services.erased() == []


def test_feedback_refusing_the_caller_is_the_403_page(
    admin: TestClient, services: Services
) -> None:
    services.refuse = True
    assert erase(admin, "e-101", "e-101").status_code == 403
