"""Signed link tokens: only the key makes them, nobody alters or extends them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentorship_kit.signed_tokens import BadToken, seal, sign, unseal, verify

KEY = b"k" * 32
NOW = datetime(2027, 1, 4, 9, tzinfo=UTC)


def test_a_token_names_its_subject_until_it_expires() -> None:
    token = sign("rr-123", NOW + timedelta(days=1), KEY)
    assert verify(token, KEY, NOW) == "rr-123"
    with pytest.raises(BadToken, match="expired"):
        verify(token, KEY, NOW + timedelta(days=1))


def test_a_token_not_made_with_the_key_is_refused() -> None:
    token = sign("rr-123", NOW + timedelta(days=1), KEY)
    signature = token.split(".")[1]
    forged = sign("rr-999", NOW + timedelta(days=30), b"x" * 32).split(".")[0]
    for bad, key in ((token, b"x" * 32), (f"{forged}.{signature}", KEY), ("not-a-token", KEY)):
        with pytest.raises(BadToken):
            verify(bad, key, NOW)


def test_a_sealed_text_reads_back_only_with_its_key_and_unaltered() -> None:
    token = seal("person-1|survey_open", b"key")
    assert unseal(token, b"key") == "person-1|survey_open"
    with pytest.raises(BadToken):
        unseal(token, b"other key")
    payload, signature = token.split(".")
    with pytest.raises(BadToken):
        unseal(f"{payload}x.{signature}", b"key")
    with pytest.raises(BadToken):
        unseal("no dot at all", b"key")
