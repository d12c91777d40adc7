"""Dead letters keep the original bytes and always fit under the producer's size limit."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from aiokafka.record.default_records import DefaultRecordBatchBuilder

from mentorship_kit.deadletters import ConsumedRecord, dead_letter

LIMIT = 1024 * 1024
REASONS = {"dlq_reason": "invalid", "dlq_error": "value is not JSON"}


def _record(value: bytes, headers: tuple[tuple[str, bytes | None], ...] = ()) -> ConsumedRecord:
    return ConsumedRecord("t.mentorship.pair.v1", 2, 41, b"key-1", value, headers)


def _size(letter_value: bytes, headers: list[tuple[str, bytes]], key: bytes | None) -> int:
    return len(letter_value) + len(key or b"") + sum(len(n) + len(v) for n, v in headers)


def test_a_small_record_is_kept_whole_with_its_raw_headers() -> None:
    record = _record(b"{not json", (("ce_note", b"\xff\xfe\xfd"), ("empty", None)))

    letter = dead_letter(record, REASONS, max_bytes=LIMIT)

    assert letter.value == b"{not json"
    assert letter.key == b"key-1"
    assert letter.truncated == ()
    assert ("ce_note", b"\xff\xfe\xfd") in letter.headers
    assert ("empty", b"") in letter.headers
    assert ("dlq_reason", b"invalid") in letter.headers
    assert "dlq_truncated" not in dict(letter.headers)


def test_a_value_over_the_limit_becomes_a_pointer_to_the_original() -> None:
    value = bytes(range(256)) * (8 * 1024)  # 2 MiB
    letter = dead_letter(_record(value), REASONS, max_bytes=LIMIT)

    assert letter.truncated == ("value",)
    assert dict(letter.headers)["dlq_truncated"] == b"value"
    pointer = json.loads(letter.value)
    assert pointer["topic"] == "t.mentorship.pair.v1"
    assert (pointer["partition"], pointer["offset"], pointer["size"]) == (2, 41, len(value))
    assert pointer["sha256"] == hashlib.sha256(value).hexdigest()
    assert base64.b64decode(pointer["head_base64"]) == value[:1024]
    assert _size(letter.value, letter.headers, letter.key) < LIMIT


def test_oversized_headers_and_key_are_replaced_and_the_letter_still_fits() -> None:
    headers = tuple((f"h{i}", b"v" * 10_000) for i in range(200))  # 2 MB of headers
    record = ConsumedRecord("t", 0, 7, b"k" * 100_000, b"x" * 1_048_500, headers)

    letter = dead_letter(record, REASONS, max_bytes=LIMIT)

    assert set(letter.truncated) == {"key", "headers", "value"}
    named = dict(letter.headers)
    assert named["dlq_truncated"] == b"key,headers,value"
    assert int(named["dlq_headers_size"]) > 2_000_000
    assert letter.key == hashlib.sha256(b"k" * 100_000).hexdigest().encode()
    assert not any(name.startswith("h") for name, _ in letter.headers)
    assert _size(letter.value, letter.headers, letter.key) < LIMIT


def test_a_record_just_under_the_limit_is_not_shortened() -> None:
    letter = dead_letter(_record(b"y" * 500_000), REASONS, max_bytes=LIMIT)
    assert letter.truncated == ()
    assert letter.value == b"y" * 500_000


def _producer_size(value: bytes, headers: list[tuple[str, bytes]], key: bytes | None) -> int:
    """The size aiokafka's producer checks against ``max_request_size`` before sending."""
    return int(DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, headers))


@pytest.mark.parametrize("count", [100, 8100, 20_000])
def test_a_letter_passes_the_producers_own_size_check_whatever_the_headers(count: int) -> None:
    """Each header also costs its length prefixes: 8,100 empty headers are 16 KB on the wire."""
    headers = [("h", b"") for _ in range(count)]
    room = LIMIT - _producer_size(b"", headers, b"key-1") - 8  # 8: the value's own prefix
    value = b"x" * room
    assert _producer_size(value, headers, b"key-1") <= LIMIT, "the original could be sent"
    record = ConsumedRecord("t.mentorship.pair.v1", 2, 41, b"key-1", value, tuple(headers))

    letter = dead_letter(record, REASONS, max_bytes=LIMIT)

    assert _producer_size(letter.value, letter.headers, letter.key) <= LIMIT


def test_a_long_error_text_in_any_script_still_fits() -> None:
    reasons = {**REASONS, "dlq_error": "\U0001f4a5" * 4000}  # 16,000 bytes of UTF-8
    key = b"k" * 4096
    value = b"y" * (LIMIT - 16 * 1024 - len(key))
    record = ConsumedRecord("t.mentorship.pair.v1", 2, 41, key, value)

    letter = dead_letter(record, reasons, max_bytes=LIMIT)

    assert _producer_size(letter.value, letter.headers, letter.key) <= LIMIT
