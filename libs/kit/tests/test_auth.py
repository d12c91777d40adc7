"""Bearer tokens: the admin token, participant JWTs and the person id they imply."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from mentorship_devstack.tokens import (
    DEV_ADMIN_TOKEN,
    DEV_JWT_ALGORITHM,
    DEV_JWT_SECRET,
    DEV_PSEUDONYM_KEY,
    participant_token,
)
from mentorship_kit.auth import Authenticator
from mentorship_kit.http_errors import ApiError
from mentorship_kit.pseudonyms import PERSON_ID_LENGTH, Pseudonyms
from mentorship_kit.settings import ServiceSettings


def authenticator(**overrides: object) -> Authenticator:
    values: dict[str, object] = {
        "auth_admin_token": DEV_ADMIN_TOKEN,
        "auth_jwt_key": DEV_JWT_SECRET,
        "auth_jwt_algorithms": DEV_JWT_ALGORITHM,
        "auth_pseudonym_key": DEV_PSEUDONYM_KEY,
    }
    return Authenticator(ServiceSettings.model_validate(values | overrides))


def test_a_participant_token_names_the_employee_and_their_person_id() -> None:
    principal = authenticator().authenticate(participant_token("e-1"))
    assert principal.employee_id == "e-1"
    assert not principal.is_admin
    assert principal.person_id == Pseudonyms(SecretStr(DEV_PSEUDONYM_KEY)).person_id("e-1")
    assert principal.person_id is not None
    assert len(principal.person_id) == PERSON_ID_LENGTH


def test_person_ids_differ_per_employee_and_per_key() -> None:
    one = Pseudonyms(SecretStr("key-one"))
    two = Pseudonyms(SecretStr("key-two"))
    assert one.person_id("e-1") != one.person_id("e-2")
    assert one.person_id("e-1") != two.person_id("e-1")
    assert one.person_id("e-1") == Pseudonyms(SecretStr("key-one")).person_id("e-1")


def test_without_a_key_no_person_id_is_derived() -> None:
    principal = authenticator(auth_pseudonym_key=None).authenticate(participant_token("e-1"))
    assert principal.person_id is None
    assert not Pseudonyms(None).available


def test_the_admin_token_is_an_admin_without_a_person() -> None:
    principal = authenticator().authenticate(DEV_ADMIN_TOKEN)
    assert principal.is_admin
    assert principal.employee_id is None
    assert principal.person_id is None


def test_a_forged_token_is_refused() -> None:
    forged = participant_token("e-1", secret="not-the-secret")
    with pytest.raises(ApiError) as refused:
        authenticator().authenticate(forged)
    assert refused.value.status_code == 401
