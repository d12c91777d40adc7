from __future__ import annotations

import json
import logging
import sys

from mentorship_kit import context
from mentorship_kit.logs import JsonFormatter


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("svc.module", logging.WARNING, __file__, 1, message, None, None)
    record.__dict__.update(extra)
    return record


def test_json_lines_carry_service_level_and_extras() -> None:
    line = JsonFormatter("registration").format(_record("hello %s", participant_count=3))
    entry = json.loads(line)
    assert entry["service"] == "registration"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "svc.module"
    assert entry["participant_count"] == 3
    assert "correlation_id" not in entry
    assert "\n" not in line


def test_correlation_id_of_the_current_flow_is_logged() -> None:
    with context.handling("flow-42"):
        entry = json.loads(JsonFormatter("x").format(_record("inside")))
    assert entry["correlation_id"] == "flow-42"
    assert context.correlation_id.get() is None


def test_exceptions_are_logged_as_text() -> None:
    record = _record("failed")
    try:
        int("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter("x").format(record))
    assert "ValueError: invalid literal" in entry["exception"]
