"""Program-scoped authorisation: admins manage everything, managers only their programs."""

from collections.abc import Collection
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI

from mentorship_devstack.tokens import (
    DEV_ADMIN_TOKEN,
    DEV_JWT_ALGORITHM,
    DEV_JWT_SECRET,
    DEV_PSEUDONYM_KEY,
    bearer,
    dev_person_id,
    participant_token,
)
from mentorship_kit.auth import Authenticator, Principal, program_manager
from mentorship_kit.errors import ForbiddenError
from mentorship_kit.http import install_api_conventions
from mentorship_kit.metrics import Metrics
from mentorship_kit.program_access import require_manager, visible
from mentorship_kit.settings import ServiceSettings

MANAGERS = {"prog-a": (dev_person_id("pm-a"),), "prog-b": (dev_person_id("pm-b"),)}


def authenticator(**overrides: object) -> Authenticator:
    values: dict[str, object] = {
        "auth_admin_token": DEV_ADMIN_TOKEN,
        "auth_jwt_key": DEV_JWT_SECRET,
        "auth_jwt_algorithms": DEV_JWT_ALGORITHM,
        "auth_pseudonym_key": DEV_PSEUDONYM_KEY,
    }
    return Authenticator(ServiceSettings.model_validate(values | overrides))


def test_the_bare_role_makes_a_program_manager_of_no_program_in_particular() -> None:
    principal = authenticator().authenticate(
        participant_token("pm-a", roles=("mentorship-program-manager",))
    )
    assert principal.is_program_manager
    assert not principal.is_admin
    assert principal.managed_programs == frozenset()


def test_a_scoped_role_names_the_programs_managed() -> None:
    token = participant_token(
        "pm-x",
        roles=("mentorship-program-manager:prog-a", "mentorship-program-manager:prog-c", "other"),
    )
    principal = authenticator().authenticate(token)
    assert principal.is_program_manager
    assert principal.managed_programs == {"prog-a", "prog-c"}
    assert principal.may_manage("prog-a")
    assert not principal.may_manage("prog-b")


def test_the_manager_role_is_a_setting_and_an_empty_scope_names_nothing() -> None:
    custom = authenticator(auth_manager_role="pm")
    principal = custom.authenticate(participant_token("x", roles=("pm:prog-a", "pm:")))
    assert principal.managed_programs == {"prog-a"}
    default_role = custom.authenticate(
        participant_token("x", roles=("mentorship-program-manager:prog-a",))
    )
    assert not default_role.is_program_manager
    assert default_role.managed_programs == frozenset()


def test_may_manage_admins_everything_managers_their_list_others_nothing() -> None:
    admin = Principal(employee_id=None, is_admin=True)
    manager = Principal(employee_id="pm-a", is_admin=False, person_id=dev_person_id("pm-a"))
    nobody = Principal(employee_id="x", is_admin=False, person_id=None)

    assert admin.may_manage("prog-b", ())
    assert manager.may_manage("prog-a", MANAGERS["prog-a"])
    assert not manager.may_manage("prog-b", MANAGERS["prog-b"])
    assert not manager.may_manage("prog-a")  # the list decides; none given: no
    assert not nobody.may_manage("prog-a", MANAGERS["prog-a"])


class _Lookups:
    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, program_id: str) -> Collection[str]:
        self.asked.append(program_id)
        return MANAGERS.get(program_id, ())


async def test_require_manager_reads_the_store_only_when_the_token_does_not_settle_it() -> None:
    lookups = _Lookups()
    await require_manager(Principal(employee_id=None, is_admin=True), "prog-b", lookups)
    scoped = Principal("pm-x", is_admin=False, managed_programs=frozenset({"prog-b"}))
    await require_manager(scoped, "prog-b", lookups)
    assert lookups.asked == []

    listed = Principal("pm-a", is_admin=False, person_id=dev_person_id("pm-a"))
    await require_manager(listed, "prog-a", lookups)
    with pytest.raises(ForbiddenError, match="manager of program prog-b"):
        await require_manager(listed, "prog-b", lookups)
    with pytest.raises(ForbiddenError):
        await require_manager(listed, "prog-unknown", lookups)
    assert lookups.asked == ["prog-a", "prog-b", "prog-unknown"]


def test_visible_keeps_every_program_for_admins() -> None:
    assert visible(None, "prog-b")
    assert visible(frozenset({"prog-a"}), "prog-a")
    assert not visible(frozenset({"prog-a"}), "prog-b")


@pytest.fixture
def client() -> httpx.AsyncClient:
    caller, _ = authenticator().dependencies()
    manager = program_manager(caller, _Lookups())
    app = FastAPI()
    install_api_conventions(app, Metrics("demo"))

    @app.post("/programs/{program_id}/things")
    async def things(
        program_id: str, who: Annotated[Principal, Depends(manager)]
    ) -> dict[str, str]:
        return {"program_id": program_id, "actor": who.actor}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_the_dependency_lets_in_admins_and_the_programs_managers(
    client: httpx.AsyncClient,
) -> None:
    pm_a = bearer(participant_token("pm-a"))
    assert (await client.post("/programs/prog-a/things", headers=pm_a)).status_code == 200
    admin = bearer(DEV_ADMIN_TOKEN)
    assert (await client.post("/programs/prog-b/things", headers=admin)).status_code == 200

    refused = await client.post("/programs/prog-b/things", headers=pm_a)
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "forbidden",
        "message": "This operation needs the admin role or to be a manager of program prog-b.",
        "errors": [],
    }
    assert (await client.post("/programs/prog-a/things")).status_code == 401
