"""Hostile input gets a 4xx in the standard shape, naming the field; never a 500, never stored.

Huge strings, nulls, wrong types, lone surrogates, NaN, oversized numbers, deep nesting,
bodies that are not JSON objects and unknown ids, against every write of the feedback API,
from a member (so that the request gets past the door and reaches validation and the rules).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from feedback.app import build_app
from feedback.settings import FeedbackSettings
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually

from .scenario import EMPLOYEES, GOALS, MENTEE, PROGRAM, SESSION, as_person, history

pytestmark = pytest.mark.integration

mentee = as_person(EMPLOYEES[MENTEE])

FEEDBACK = f"/v1/sessions/{SESSION}/feedback"
FIT = "/v1/pairs/pair-1/fit"
AGREEMENT = "/v1/pairs/pair-1/agreement"
ACKNOWLEDGE = "/v1/pairs/pair-1/agreement/acknowledge"
GOALS_URL = "/v1/pairs/pair-1/goals"
SURVEY = f"/v1/programs/{PROGRAM}/surveys/mid_program"
TERMS = {"expectations": "Grow", "meeting_frequency": "Biweekly", "confidentiality": "Ours"}
ANSWERS = {
    "growth_rating": 4,
    "relationship_rating": 5,
    "recommend_score": 9,
    "would_join_again": True,
}
HUGE = "x" * 1_000_000
SURROGATE = '"\\ud800"'  # valid JSON, but no valid Unicode string: MongoDB could not store it


def raw(body: dict[str, Any], **fields: str) -> bytes:
    """``body`` as JSON with ``fields`` spliced in as raw JSON text (NaN, surrogates, ...)."""
    spliced = [json.dumps(body)[1:-1], *(f'"{name}": {value}' for name, value in fields.items())]
    return ("{" + ", ".join(part for part in spliced if part) + "}").encode()


# (method, path, body as JSON or raw bytes, expected status, field the 422 must name)
CASES: list[tuple[str, str, Any, int, str | None]] = [
    # Huge strings: refused by length, whatever the field.
    ("POST", FEEDBACK, {"rating": 4, "private_notes": HUGE}, 422, "body.private_notes"),
    ("POST", FEEDBACK, {"rating": 4, "action_items": [HUGE]}, 422, "body.action_items.0"),
    ("POST", FEEDBACK, {"rating": 4, "topics": [HUGE]}, 422, "body.topics.0"),
    ("POST", FEEDBACK, {"rating": 4, "topics": ["delegation"] * 21}, 422, "body.topics"),
    ("POST", FIT, {"good_fit": False, "reason": HUGE}, 422, "body.reason"),
    ("PUT", AGREEMENT, TERMS | {"meeting_frequency": HUGE}, 422, "body.meeting_frequency"),
    ("POST", GOALS_URL, {"topic": GOALS[0], "title": HUGE}, 422, "body.title"),
    ("POST", SURVEY, ANSWERS | {"comments": HUGE}, 422, "body.comments"),
    # Nulls.
    ("POST", FEEDBACK, {"rating": None}, 422, "body.rating"),
    ("POST", FEEDBACK, {"rating": 4, "private_notes": None}, 422, "body.private_notes"),
    ("POST", FIT, {"good_fit": None}, 422, "body.good_fit"),
    ("PUT", AGREEMENT, TERMS | {"expectations": None}, 422, "body.expectations"),
    ("POST", ACKNOWLEDGE, {"version": None}, 422, "body.version"),
    ("POST", GOALS_URL, {"topic": None, "title": "Lead"}, 422, "body.topic"),
    ("PATCH", "/v1/goals/goal-x", {"progress_percent": None}, 422, "body"),
    ("POST", SURVEY, ANSWERS | {"would_join_again": None}, 422, "body.would_join_again"),
    ("POST", FEEDBACK, b"null", 422, "body"),
    # Wrong types.
    ("POST", FEEDBACK, {"rating": "four"}, 422, "body.rating"),
    ("POST", FEEDBACK, {"rating": 4, "topics": "delegation"}, 422, "body.topics"),
    ("POST", FEEDBACK, {"rating": 4, "private_notes": {"$gt": ""}}, 422, "body.private_notes"),
    ("POST", FEEDBACK, {"rating": 4, "progress": [None]}, 422, "body.progress.0"),
    ("POST", FEEDBACK, {"rating": 4.5}, 422, "body.rating"),
    ("POST", FIT, {"good_fit": False, "concern": "boredom"}, 422, "body.concern"),
    ("POST", ACKNOWLEDGE, {"version": [1]}, 422, "body.version"),
    ("POST", GOALS_URL, {"topic": GOALS[0], "title": "Lead", "milestones": "one"}, 422, None),
    ("PATCH", "/v1/goals/goal-x", {"milestones_reached": ["first"]}, 422, None),
    ("POST", SURVEY, ANSWERS | {"recommend_score": "ten"}, 422, "body.recommend_score"),
    ("POST", FEEDBACK, b"[]", 422, "body"),
    ("POST", FEEDBACK, b'"rating"', 422, "body"),
    # Text that is no valid Unicode, numbers that are no numbers or too big.
    ("POST", FEEDBACK, raw({"rating": 4}, private_notes=SURROGATE), 422, "body.private_notes"),
    ("POST", FIT, raw({"good_fit": False}, reason=SURROGATE), 422, "body.reason"),
    ("POST", GOALS_URL, raw({"topic": GOALS[0]}, title=SURROGATE), 422, "body.title"),
    ("POST", SURVEY, raw(ANSWERS, comments=SURROGATE), 422, "body.comments"),
    ("POST", FEEDBACK, raw({"rating": 4}, progress=f"[{{{SURROGATE}: 1}}]"), 422, None),
    ("POST", FEEDBACK, raw({"rating": 4}, **{"\\udfff": "1"}), 422, None),
    ("POST", FEEDBACK, {"rating": 4, HUGE: 1}, 422, None),
    ("POST", FEEDBACK, raw({}, rating="NaN"), 422, "body.rating"),
    ("POST", SURVEY, raw(ANSWERS | {"recommend_score": 0}, growth_rating="Infinity"), 422, None),
    ("POST", FEEDBACK, raw({}, rating="1" + "0" * 5000), 400, None),
    ("POST", ACKNOWLEDGE, {"version": 10**30}, 409, None),
    ("PATCH", "/v1/goals/goal-x", {"milestones_reached": [2**70]}, 404, None),
    # Bodies that are no JSON, or nested beyond reason.
    ("POST", FEEDBACK, b"{", 422, "body.1"),
    ("POST", FEEDBACK, b"[" * 100_000 + b"]" * 100_000, 400, None),
    ("POST", FEEDBACK, b"\xff\xfe\xfa", 400, None),
    # Unknown ids and ids that cannot be ids.
    ("POST", "/v1/sessions/no-such-session/feedback", {"rating": 4}, 409, None),
    ("POST", "/v1/pairs/no-such-pair/fit", {"good_fit": True}, 404, None),
    ("PUT", "/v1/pairs/no-such-pair/agreement", TERMS, 404, None),
    ("POST", "/v1/pairs/no-such-pair/agreement/acknowledge", {"version": 1}, 404, None),
    ("POST", "/v1/pairs/no-such-pair/goals", {"topic": GOALS[0], "title": "x"}, 404, None),
    ("PATCH", "/v1/goals/no-such-goal", {"progress_percent": 5}, 404, None),
    ("POST", "/v1/programs/no-such-program/surveys/closing", ANSWERS, 409, None),
    ("POST", "/v1/programs/p/surveys/sometime", ANSWERS, 422, "path.kind"),
    ("POST", f"/v1/pairs/{'p' * 81}/fit", {"good_fit": True}, 422, "path.pair_id"),
    ("POST", "/v1/pairs/%24where/fit", {"good_fit": True}, 422, "path.pair_id"),
    ("POST", "/v1/pairs/%F0%9F%98%80/fit", {"good_fit": True}, 422, "path.pair_id"),
]

READS = [
    ("/v1/sessions/no-such-session/feedback", 409),
    ("/v1/sessions/no-such-session/feedback-opening", 409),
    ("/v1/pairs/no-such-pair/fit", 404),
    ("/v1/pairs/no-such-pair/agreement", 404),
    ("/v1/pairs/pair-1/agreement", 404),
    ("/v1/pairs/no-such-pair/goals", 404),
    ("/v1/pairs/no-such-pair/next-agenda", 404),
    (f"/v1/pairs/{'p' * 81}/goals", 422),
    ("/v1/pairs/a%00b/goals", 422),
]


async def send(client: httpx.AsyncClient, method: str, path: str, body: Any) -> httpx.Response:
    if isinstance(body, bytes):
        headers = mentee | {"content-type": "application/json"}
        return await client.request(method, path, content=body, headers=headers)
    return await client.request(method, path, json=body, headers=mentee)


def mismatch(response: httpx.Response, status: int, field: str | None) -> str | None:
    """Why ``response`` is not the expected refusal, or None when it is."""
    if response.status_code != status:
        return f"status {response.status_code}: {response.text[:200]}"
    body = response.json()
    if status == 400:
        return None  # FastAPI's own "error parsing the body" (see the README)
    if set(body) != {"error", "message", "errors"}:
        return f"not the standard error body: {body}"
    named = [problem["field"] for problem in body["errors"]]
    if field is not None and field not in named:
        return f"{field} not named: {named}"
    return None


async def test_hostile_input_is_refused_with_a_4xx_naming_the_field_and_nothing_is_stored(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    async with serve_app(build_app(settings)) as client:
        await publish_events(
            settings.kafka_bootstrap, history(), prefix=settings.kafka_topic_prefix
        )
        await eventually(
            lambda: client.get(f"/v1/sessions/{SESSION}/feedback-opening", headers=mentee),
            lambda r: r.status_code == 200,
        )
        failures = []
        for method, path, body, status, field in CASES:
            why = mismatch(await send(client, method, path, body), status, field)
            if why:
                failures.append(f"{method} {path[:60]} {str(body)[:60]}: {why}")
        for path, status in READS:
            why = mismatch(await client.get(path, headers=mentee), status, None)
            if why:
                failures.append(f"GET {path[:60]}: {why}")
        assert failures == []

        # Nothing of it was stored: the session has no feedback, the pair no goals.
        assert (await client.get(FEEDBACK, headers=mentee)).json()["feedback"] == []
        assert (await client.get(GOALS_URL, headers=mentee)).json()["goals"] == []
        assert (await client.get(FIT, headers=mentee)).json()["answers"] == []
