"""Registration's own settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from registration.settings import RegistrationSettings


def test_registration_refuses_to_start_without_the_pseudonym_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AUTH_PSEUDONYM_KEY", raising=False)
    with pytest.raises(ValidationError, match="AUTH_PSEUDONYM_KEY is required"):
        RegistrationSettings()


def test_with_the_key_it_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_PSEUDONYM_KEY", "a-long-enough-secret-for-tests")
    assert RegistrationSettings().auth_pseudonym_key is not None
