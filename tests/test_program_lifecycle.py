"""A realistic program end to end, over the real broker, checked against analytics' reports.

240 people are imported from an HRIS-style CSV; three withdraw; matching proposes and an admin
approves; scheduling plans every pair's series; a third of the pairs hold their first session,
a few cancel their second; both members (or only the mentee) give feedback; one mentee says
"not a good fit", which ends the pair (and its sessions) and queues a re-match; mentees set
goals and people answer the mid-program survey. Every number the test expects is computed from
what it did and from the owning services' own APIs, never from analytics.
"""

from __future__ import annotations

import asyncio
import math
import statistics
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx
import pytest

from mentorship_contracts.types import utc_now
from mentorship_devstack.api import ADMIN_HEADERS, create_program
from mentorship_devstack.pytest_plugin import eventually
from mentorship_devstack.services import ServiceProcess
from mentorship_devstack.tokens import bearer, participant_token
from mentorship_devstack.workloads import GOALS, SKILLS, PersonSpec, csv_export, people

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

PEOPLE = 240
WITHDRAWING = 3
HOLDING_SHARE = 3  # every third pair holds its first session
CONCURRENCY = 8


@dataclass
class Expected:
    """What the test did, kept to recount every report independently."""

    persons: dict[str, PersonSpec] = field(default_factory=dict)
    """Active participants by participant id."""
    withdrawn: int = 0
    registered_on: Counter[str] = field(default_factory=Counter)
    """Registrations (withdrawn ones too) by UTC day."""
    pairs: list[dict[str, Any]] = field(default_factory=list)
    unmatched: Counter[str] = field(default_factory=Counter)
    runs: int = 0
    ended: Counter[str] = field(default_factory=Counter)
    held: dict[str, str] = field(default_factory=dict)
    """Held session id -> pair id."""
    ratings: list[tuple[str, str, int]] = field(default_factory=list)
    """(session id, pair id, rating) of every feedback."""
    topics: Counter[str] = field(default_factory=Counter)
    rated_by_both: int = 0
    fits: list[bool] = field(default_factory=list)
    goals: list[tuple[str, bool]] = field(default_factory=list)
    surveys: list[tuple[int, int, int, bool]] = field(default_factory=list)
    """(growth, relationship, recommend, would join again) of every survey answer."""


async def _gather[T](calls: list[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run ``calls`` a few at a time, as a handful of busy users would."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def limited(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    return list(await asyncio.gather(*(limited(call) for call in calls)))


async def _pages(client: httpx.AsyncClient, path: str, key: str) -> list[dict[str, Any]]:
    """Every item of a paged admin listing."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 500} | ({"after": after} if after else {})
        response = await client.get(path, params=params, headers=ADMIN_HEADERS)
        response.raise_for_status()
        body = response.json()
        items.extend(body[key])
        after = body["next_after"]
        if not after:
            return items


def _token(expected: Expected, participant_id: str) -> dict[str, str]:
    return bearer(participant_token(expected.persons[participant_id].employee_id))


async def test_a_whole_program_is_reported_as_it_happened(
    stack: dict[str, ServiceProcess],
) -> None:
    def client(name: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=stack[name].base_url, timeout=30.0)

    expected = Expected()
    async with client("registration") as registration:
        program_id = await _register_everyone(registration, expected)
    async with client("matching") as matching:
        await _match_and_approve(matching, program_id, expected)
    async with client("scheduling") as scheduling, client("feedback") as feedback:
        series = await _series_of_every_pair(scheduling, expected)
        await _hold_first_sessions(scheduling, series, expected)
        await _cancel_second_sessions(scheduling, series, expected)
        await _give_feedback(feedback, expected)
        poor_fit = await _report_fit(feedback, expected)
        await _set_goals(feedback, expected)
        await _answer_surveys(feedback, program_id, expected)
    async with client("matching") as matching:
        await _poor_fit_ends_the_pair_and_rematches(matching, program_id, poor_fit, expected)
    async with client("scheduling") as scheduling:
        sessions = await _every_session(scheduling, expected)
    async with client("analytics") as analytics:
        await _reports_match(analytics, program_id, expected, sessions, poor_fit)


async def _register_everyone(registration: httpx.AsyncClient, expected: Expected) -> str:
    today = utc_now().date()
    program_id = await create_program(
        registration,
        starts_on=(today - timedelta(days=7)).isoformat(),
        ends_on=(today + timedelta(days=120)).isoformat(),
        cadence="weekly",
    )
    crowd = people(PEOPLE, seed=11)
    imported = await registration.post(
        f"/v1/programs/{program_id}/registrations/import",
        content=csv_export(crowd).encode(),
        headers=ADMIN_HEADERS | {"content-type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    assert (imported.json()["registered"], imported.json()["failed"]) == (PEOPLE, 0)

    by_employee = {person.employee_id: person for person in crowd}
    registrations = await _pages(
        registration, f"/v1/programs/{program_id}/registrations", "registrations"
    )
    assert len(registrations) == PEOPLE
    leaving = [r for r in registrations if r["role"] == "mentee"][:WITHDRAWING]
    for registered in leaving:
        withdrawn = await registration.post(
            f"/v1/programs/{program_id}/registrations/me/withdraw",
            headers=bearer(participant_token(registered["employee_id"])),
        )
        assert withdrawn.status_code == 200, withdrawn.text
    expected.withdrawn = len(leaving)
    gone = {r["participant_id"] for r in leaving}
    expected.persons = {
        r["participant_id"]: by_employee[r["employee_id"]]
        for r in registrations
        if r["participant_id"] not in gone
    }
    expected.registered_on = Counter(r["registered_at"][:10] for r in registrations)
    return program_id


async def _match_and_approve(
    matching: httpx.AsyncClient, program_id: str, expected: Expected
) -> None:
    active, roles = len(expected.persons), ("mentors", "mentees", "both")
    await eventually(
        lambda: matching.get(f"/v1/programs/{program_id}/pool", headers=ADMIN_HEADERS),
        lambda r: r.status_code == 200 and sum(r.json()[k] for k in roles) == active,
        timeout_s=60,
    )
    started = await matching.post(
        f"/v1/programs/{program_id}/matching-runs", headers=ADMIN_HEADERS, json={}
    )
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    run = await eventually(
        lambda: matching.get(f"/v1/matching-runs/{run_id}", headers=ADMIN_HEADERS),
        lambda r: r.json()["status"] in {"proposed", "failed"},
        timeout_s=120,
    )
    assert run.json()["status"] == "proposed", run.text
    matched = run.json()["summary"]["mentees_matched"]
    assert matched > PEOPLE // 3, "most mentees find a mentor"
    approved = await matching.post(f"/v1/matching-runs/{run_id}/approve", headers=ADMIN_HEADERS)
    assert approved.status_code == 202, approved.text

    async def pairs() -> list[dict[str, Any]]:
        return await _pages(matching, f"/v1/programs/{program_id}/pairs", "pairs")

    expected.pairs = await eventually(pairs, lambda found: len(found) == matched, timeout_s=120)
    expected.runs = 1


async def _series_of_every_pair(
    scheduling: httpx.AsyncClient, expected: Expected
) -> dict[str, list[dict[str, Any]]]:
    async def series(pair_id: str) -> list[dict[str, Any]]:
        response = await eventually(
            lambda: scheduling.get(f"/v1/pairs/{pair_id}/sessions", headers=ADMIN_HEADERS),
            lambda r: r.status_code == 200,
            timeout_s=120,
        )
        sessions: list[dict[str, Any]] = response.json()["sessions"]
        return sessions

    pair_ids = [pair["pair_id"] for pair in expected.pairs]
    found = await _gather([partial(series, p) for p in pair_ids])
    assert all(len(sessions) >= 10 for sessions in found), "a weekly series for four months"
    return dict(zip(pair_ids, found, strict=True))


def _holding(expected: Expected) -> list[dict[str, Any]]:
    return expected.pairs[::HOLDING_SHARE]


async def _hold_first_sessions(
    scheduling: httpx.AsyncClient, series: dict[str, list[dict[str, Any]]], expected: Expected
) -> None:
    """The pair meets early: the mentee moves the first session to now and records it held."""

    async def hold(pair: dict[str, Any]) -> None:
        mentee = _token(expected, pair["mentee_participant_id"])
        first = series[pair["pair_id"]][0]["session_id"]
        moved = await scheduling.post(
            f"/v1/sessions/{first}/reschedule",
            headers=mentee,
            json={"starts_at": (utc_now() + timedelta(minutes=10)).isoformat()},
        )
        assert moved.status_code == 200, moved.text
        held = await scheduling.post(
            f"/v1/sessions/{first}/held",
            headers=mentee,
            json={"held_at": utc_now().isoformat(), "duration_minutes": 45},
        )
        assert held.status_code == 200, held.text
        expected.held[first] = pair["pair_id"]

    await _gather([partial(hold, p) for p in _holding(expected)])


async def _cancel_second_sessions(
    scheduling: httpx.AsyncClient, series: dict[str, list[dict[str, Any]]], expected: Expected
) -> None:
    for pair in expected.pairs[1:25:4]:
        second = series[pair["pair_id"]][1]["session_id"]
        cancelled = await scheduling.post(
            f"/v1/sessions/{second}/cancel",
            headers=_token(expected, pair["mentor_participant_id"]),
            json={"reason": "participant_request"},
        )
        assert cancelled.status_code == 200, cancelled.text


async def _give_feedback(feedback: httpx.AsyncClient, expected: Expected) -> None:
    """Mentees rate every held session; mentors of every other one rate it too."""
    by_pair = {pair["pair_id"]: pair for pair in expected.pairs}
    calls: list[Callable[[], Awaitable[None]]] = []
    for index, (session_id, pair_id) in enumerate(sorted(expected.held.items())):
        pair = by_pair[pair_id]
        authors = [pair["mentee_participant_id"]]
        if index % 2 == 0:
            authors.append(pair["mentor_participant_id"])
            expected.rated_by_both += 1
        for offset, author in enumerate(authors):
            rating = 1 + (index + offset * 2) % 5
            topics = [SKILLS[(index + offset) % len(SKILLS)], GOALS[index % len(GOALS)]]
            calls.append(
                partial(
                    _feedback,
                    feedback,
                    expected,
                    session_id=session_id,
                    author=author,
                    rating=rating,
                    topics=topics,
                )
            )
            expected.ratings.append((session_id, pair_id, rating))
            expected.topics.update(topics)
    await _gather(calls)


async def _feedback(
    feedback: httpx.AsyncClient,
    expected: Expected,
    *,
    session_id: str,
    author: str,
    rating: int,
    topics: list[str],
) -> None:
    body = {
        "rating": rating,
        "topics": topics,
        "action_items": ["Draft the plan"],
        "private_notes": "Only for me.",
    }
    # Feedback opens once the feedback service has heard of the held session.
    given = await eventually(
        lambda: feedback.post(
            f"/v1/sessions/{session_id}/feedback", headers=_token(expected, author), json=body
        ),
        lambda r: r.status_code in {200, 201},
        timeout_s=60,
    )
    assert given.json()["rating"] == rating


async def _report_fit(feedback: httpx.AsyncClient, expected: Expected) -> dict[str, Any]:
    """Every holding mentee answers "good fit?"; the first one says no."""
    holding = _holding(expected)
    for index, pair in enumerate(holding):
        good = index != 0
        answer = {"good_fit": good} | ({} if good else {"concern": "goals_mismatch"})
        reported = await feedback.post(
            f"/v1/pairs/{pair['pair_id']}/fit",
            headers=_token(expected, pair["mentee_participant_id"]),
            json=answer,
        )
        assert reported.status_code in {200, 201}, reported.text
        expected.fits.append(good)
    return holding[0]


async def _set_goals(feedback: httpx.AsyncClient, expected: Expected) -> None:
    for index, pair in enumerate(_holding(expected)[1:11]):
        mentee = _token(expected, pair["mentee_participant_id"])
        topic = GOALS[index % len(GOALS)]
        created = await feedback.post(
            f"/v1/pairs/{pair['pair_id']}/goals",
            headers=mentee,
            json={"topic": topic, "title": "Lead the next planning round"},
        )
        assert created.status_code in {200, 201}, created.text
        done = index % 3 == 0
        progressed = await feedback.patch(
            f"/v1/goals/{created.json()['goal_id']}",
            headers=mentee,
            json={"progress_percent": 100 if done else 40},
        )
        assert progressed.status_code == 200, progressed.text
        expected.goals.append((topic, done))


async def _answer_surveys(feedback: httpx.AsyncClient, program_id: str, expected: Expected) -> None:
    for index, participant_id in enumerate(sorted(expected.persons)[:24]):
        growth, relationship, recommend = 1 + index % 5, 1 + (index * 2) % 5, index % 11
        again = index % 4 != 0
        answered = await feedback.post(
            f"/v1/programs/{program_id}/surveys/mid_program",
            headers=_token(expected, participant_id),
            json={
                "growth_rating": growth,
                "relationship_rating": relationship,
                "recommend_score": recommend,
                "would_join_again": again,
            },
        )
        assert answered.status_code in {200, 201}, answered.text
        expected.surveys.append((growth, relationship, recommend, again))


async def _poor_fit_ends_the_pair_and_rematches(
    matching: httpx.AsyncClient, program_id: str, poor_fit: dict[str, Any], expected: Expected
) -> None:
    ended = await eventually(
        lambda: matching.get(f"/v1/pairs/{poor_fit['pair_id']}", headers=ADMIN_HEADERS),
        lambda r: r.json()["status"] == "ended",
        timeout_s=60,
    )
    expected.ended[ended.json()["end_reason"]] += 1

    async def runs() -> list[dict[str, Any]]:
        response = await matching.get(
            f"/v1/programs/{program_id}/matching-runs", headers=ADMIN_HEADERS
        )
        listed: list[dict[str, Any]] = response.json()["runs"]
        return listed

    settled = await eventually(
        runs,
        lambda found: (
            len(found) == 2 and all(r["status"] in {"proposed", "approved"} for r in found)
        ),
        timeout_s=120,
    )
    expected.runs = len(settled)
    rematch = next(r for r in settled if r["status"] == "proposed")
    part, parts = 1, 1
    while part <= parts:
        page = await matching.get(
            f"/v1/matching-runs/{rematch['run_id']}/proposal",
            params={"part": part},
            headers=ADMIN_HEADERS,
        )
        assert page.status_code == 200, page.text
        expected.unmatched.update(person["reason"] for person in page.json()["unmatched"])
        part, parts = part + 1, page.json()["parts"]


async def _every_session(scheduling: httpx.AsyncClient, expected: Expected) -> list[dict[str, Any]]:
    """Every session as scheduling has it, once the ended pair's sessions are cancelled."""

    async def series(pair_id: str) -> list[dict[str, Any]]:
        response = await scheduling.get(f"/v1/pairs/{pair_id}/sessions", headers=ADMIN_HEADERS)
        sessions: list[dict[str, Any]] = response.json()["sessions"]
        return sessions

    ended = next(p["pair_id"] for p in _holding(expected)[:1])
    await eventually(
        lambda: series(ended),
        lambda found: all(s["status"] != "scheduled" for s in found),
        timeout_s=60,
    )
    found = await _gather([partial(series, p["pair_id"]) for p in expected.pairs])
    return [session for sessions in found for session in sessions]


def _survey_summary(answers: list[tuple[int, int, int, bool]]) -> dict[str, Any]:
    count = len(answers)
    promoters = sum(1 for *_, recommend, _again in answers if recommend >= 9)
    detractors = sum(1 for *_, recommend, _again in answers if recommend <= 6)
    return {
        "responses": count,
        "nps": round(100 * (promoters - detractors) / count, 2),
        "would_join_again_share": round(sum(1 for *_, again in answers if again) / count, 4),
        "average_growth": round(statistics.fmean(a[0] for a in answers), 4),
        "average_relationship": round(statistics.fmean(a[1] for a in answers), 4),
    }


def _expected_reports(
    program_id: str, expected: Expected, sessions: list[dict[str, Any]], poor_fit: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Each report's fields, recounted from what the test did."""
    roles = Counter(person.answers["role"] for person in expected.persons.values())
    capacity = sum(p.answers.get("capacity", 0) for p in expected.persons.values())
    statuses = Counter(session["status"] for session in sessions)
    scores = [pair["score"] for pair in expected.pairs]
    active_pairs = [p for p in expected.pairs if p["pair_id"] != poor_fit["pair_id"]]
    mentees = roles["mentee"] + roles["both"]
    matched = len({p["mentee_participant_id"] for p in active_pairs})
    ratings = [rating for _, _, rating in expected.ratings]
    goals_done = sum(1 for _, done in expected.goals if done)
    return {
        "registration": {
            "participants": len(expected.persons),
            "mentors": roles["mentor"],
            "mentees": roles["mentee"],
            "both": roles["both"],
            "withdrawn": expected.withdrawn,
            "mentor_capacity": capacity,
            "mentee_demand": mentees,
            "registrations_by_day": [
                {"day": day, "count": n} for day, n in sorted(expected.registered_on.items())
            ],
        },
        "pairing": {
            "pairs": len(expected.pairs),
            "active_pairs": len(active_pairs),
            "mentees": mentees,
            "mentees_matched": matched,
            "match_rate": round(matched / mentees, 4),
            "average_score": round(statistics.fmean(scores), 4),
            "score_distribution": [
                {"low": i, "high": i + 1, "pairs": sum(1 for s in scores if math.floor(s) == i)}
                for i in range(math.floor(max(scores)) + 1)
            ],
            "runs": expected.runs,
            "runs_approved": 1,
            "unmatched_by_reason": dict(sorted(expected.unmatched.items())),
            "ended_by_reason": dict(expected.ended),
        },
        "sessions": {
            "sessions": len(sessions),
            "scheduled": statuses["scheduled"],
            "held": len(expected.held),
            "missed": 0,
            "cancelled": statuses["cancelled"],
            "funnel": {
                "scheduled": len(sessions),
                "held": len(expected.held),
                "rated_by_both": expected.rated_by_both,
            },
        },
        "scores": {
            "ratings": len(ratings),
            "average_rating": round(statistics.fmean(ratings), 4),
            "rating_distribution": {str(n): ratings.count(n) for n in range(1, 6)},
            "fit_good": expected.fits.count(True),
            "fit_not_good": expected.fits.count(False),
            "fit_concerns": {"goals_mismatch": 1},
            "surveys": _survey_summary(expected.surveys),
        },
        "skills": {
            "topics": [
                {"topic": topic, "mentions": n}
                for topic, n in sorted(expected.topics.items(), key=lambda t: (-t[1], t[0]))
            ],
            "goals": len(expected.goals),
            "goals_completed": goals_done,
            "goal_completion_rate": round(goals_done / len(expected.goals), 4),
        },
        "health": {
            "inactive_pairs": [],
            "low_ratings": sorted(
                (
                    {"session_id": s, "pair_id": p, "rating": r}
                    for s, p, r in expected.ratings
                    if r <= 2
                ),
                key=lambda flag: (flag["session_id"], flag["pair_id"], flag["rating"]),
            ),
            "not_a_good_fit": [{"pair_id": poor_fit["pair_id"], "concern": "goals_mismatch"}],
            "mentors_over_capacity": [],
        },
    }


def _answer_distribution(expected: Expected, keys: set[str]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {key: Counter() for key in keys}
    for person in expected.persons.values():
        for key in keys:
            answer = person.answers.get(key)
            if answer is not None:
                counts[key].update(answer if isinstance(answer, list) else [str(answer)])
    return {key: dict(sorted(c.items())) for key, c in counts.items() if c}


async def _reports_match(
    analytics: httpx.AsyncClient,
    program_id: str,
    expected: Expected,
    sessions: list[dict[str, Any]],
    poor_fit: dict[str, Any],
) -> None:
    wanted = _expected_reports(program_id, expected, sessions, poor_fit)

    async def reports() -> dict[str, dict[str, Any]]:
        found = {}
        for name in wanted:
            response = await analytics.get(
                f"/v1/programs/{program_id}/reports/{name}", headers=ADMIN_HEADERS
            )
            response.raise_for_status()
            found[name] = response.json()
        return found

    def shown(found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {name: {k: found[name][k] for k in fields} for name, fields in wanted.items()}

    found = await eventually(reports, lambda got: shown(got) == wanted, timeout_s=120)
    for name, fields in wanted.items():
        assert shown(found)[name] == fields, name

    answers = found["registration"]["answers"]
    assert {"role", "seniority", "skills_to_grow", "interests"} <= set(answers)
    assert answers == _answer_distribution(expected, set(answers))
    key_result = found["health"]["key_result"]
    assert (key_result["actual"], key_result["on_track"]) == (0.0, False)
    held_weeks = Counter(
        f"{held.isocalendar()[0]}-W{held.isocalendar()[1]:02d}"
        for held in (
            datetime.fromisoformat(s["held_at"]) for s in sessions if s["status"] == "held"
        )
    )
    assert found["sessions"]["held_by_week"] == [
        {"week": week, "held": n} for week, n in sorted(held_weeks.items())
    ]
    csv = await analytics.get(
        f"/v1/programs/{program_id}/reports/sessions.csv", headers=ADMIN_HEADERS
    )
    assert csv.status_code == 200
    assert f"\r\nheld,{len(expected.held)}\r\n" in csv.text
