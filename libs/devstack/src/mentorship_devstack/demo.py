"""`devstack demo`: a realistic program on a running stack, so every report and chart has data.

It drives only the services' public HTTP APIs, as a program manager (the local admin token)
and as the participants themselves (their own tokens), and never touches a database or a
topic. Each run creates a new program, "Demo program N: Growing leaders", that started six
weeks ago and runs six months:

1. the program manager edits the standard questionnaire (GET, edit, PUT as read), imports a
   few hundred people from an HRIS-style CSV (`demo_org`), some mentees name preferred mentors
   and a few people withdraw;
2. a matching run proposes pairs, the manager approves them, scheduling plans their series;
3. most pairs hold their first session, some miss it, some cancel their second; both members
   give feedback, answer "is this a good fit?" (one mentee says no, which ends the pair and
   queues a re-match that the manager approves), agree how they work together, and mentees
   set goals with milestones; participants answer the mid-program survey; a mentor lowers
   their capacity below their pairs;
4. it waits until analytics reports all of it, then prints the dashboard's address and
   participant tokens to try, and writes shell variables for the README's examples.

The services only let a session be marked held from 30 minutes before its start, and planned
sessions start at the earliest two days after a pair is made, so a pair that "meets" moves
its first session to a few minutes from now and then marks it held, as a pair meeting early
would; the history therefore sits in the current week. A few first sessions are left moved to
a few minutes from now, unheld, for the user to mark held.
"""

from __future__ import annotations

import asyncio
import random
import shlex
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from dateutil.relativedelta import relativedelta

from mentorship_devstack import endpoints
from mentorship_devstack.demo_org import (
    ACTION_ITEMS,
    GOAL_PLANS,
    LEVELS,
    NOTES,
    SURVEY_COMMENTS,
    DemoPerson,
    csv_export,
    edit_questionnaire,
    organisation,
)
from mentorship_devstack.services import DEFAULT_PORTS, SERVICES
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, participant_token, stack_token

DEFAULT_PEOPLE = 300
DEFAULT_SEED = 7
MIN_PEOPLE, MAX_PEOPLE = 60, 5000
CONCURRENCY = 8
"""Requests in flight at once: a handful of busy users, not a load test."""
NAME_PREFIX = "Demo program"
ENV_FILE = "demo.env"
TOKEN_TTL_S = 12 * 3600
WAIT_S = 240.0
"""How long to wait for a service to catch up with an event before giving up (loaded
machines are slow: planning a few hundred series takes tens of seconds)."""
MEET_IN = timedelta(minutes=10)
"""A pair that meets moves its first session this far ahead, then marks it held."""
MISS_IN = timedelta(seconds=20)
"""A pair that misses its first session moves it this far ahead and marks it missed after."""

Json = dict[str, Any]


class DemoError(RuntimeError):
    """The demo cannot go on; the message says which request failed and what it answered."""


class Progress:
    """Says on stderr what the demo does, with the time since it began."""

    def __init__(self) -> None:
        self._started = time.monotonic()

    def __call__(self, message: str) -> None:
        """Print ``message``."""
        sys.stderr.write(f"[{time.monotonic() - self._started:5.1f}s] {message}\n")
        sys.stderr.flush()


def service_urls(state_dir: Path, overrides: Mapping[str, str]) -> dict[str, str]:
    """Each service's base URL: ``overrides``, else what `devstack run` recorded, else 800x."""
    unknown = sorted(set(overrides) - set(SERVICES))
    if unknown:
        msg = f"unknown services {unknown}; the services are {', '.join(SERVICES)}"
        raise DemoError(msg)
    recorded = endpoints.recorded(state_dir)
    return {
        name: (
            overrides.get(name) or recorded.get(name) or f"http://127.0.0.1:{DEFAULT_PORTS[name]}"
        ).rstrip("/")
        for name in SERVICES
    }


def parse_url_options(options: Sequence[str]) -> dict[str, str]:
    """``["analytics=http://host:9005", ...]`` as a mapping; raises DemoError naming a bad one."""
    urls: dict[str, str] = {}
    for option in options:
        name, _, url = option.partition("=")
        if not name or not url.startswith(("http://", "https://")):
            msg = f"--url {option!r}: expected NAME=http://host:port, e.g. analytics=http://127.0.0.1:8005"
            raise DemoError(msg)
        urls[name.strip()] = url.strip()
    return urls


@dataclass(frozen=True, slots=True)
class Participant:
    """A registered person: who they are in the organisation and in the program."""

    person: DemoPerson
    participant_id: str


@dataclass(frozen=True, slots=True)
class Pair:
    """A created pair and its members."""

    pair_id: str
    mentor: Participant
    mentee: Participant
    score: float


@dataclass(frozen=True, slots=True)
class Try:
    """Someone to try the platform as, with a token and what to try."""

    label: str
    participant: Participant
    token: str


@dataclass(slots=True)
class DemoResult:
    """What the demo made, as the summary and the env file say it."""

    program_id: str
    name: str
    urls: dict[str, str]
    registered: int = 0
    withdrawn: int = 0
    picks: int = 0
    pairs: int = 0
    rematched: int = 0
    held: int = 0
    missed: int = 0
    cancelled: int = 0
    feedback: int = 0
    fits: int = 0
    goals: int = 0
    surveys: int = 0
    ready_session: str = ""
    ready_pair: Pair | None = None
    tries: list[Try] = field(default_factory=list)

    @property
    def dashboard(self) -> str:
        """The program's dashboard, with the admin token."""
        return (
            f"{self.urls['analytics']}/dashboard?program={self.program_id}#token={DEV_ADMIN_TOKEN}"
        )


async def run_demo(
    urls: Mapping[str, str],
    *,
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
    token_for: Callable[[str], str] | None = None,
) -> DemoResult:
    """Create and fill a new demo program on the stack at ``urls``."""
    progress = progress or Progress()
    if not MIN_PEOPLE <= people <= MAX_PEOPLE:
        msg = f"--people must be between {MIN_PEOPLE} and {MAX_PEOPLE}, not {people}"
        raise DemoError(msg)
    clients = {name: httpx.AsyncClient(base_url=url, timeout=60.0) for name, url in urls.items()}
    try:
        demo = _Demo(
            clients,
            dict(urls),
            people=people,
            seed=seed,
            progress=progress,
            token_for=token_for
            or (lambda employee: participant_token(employee, ttl_s=TOKEN_TTL_S)),
        )
        return await demo.run()
    finally:
        for client in clients.values():
            await client.aclose()


async def _each[T](items: Iterable[T], action: Callable[[T], Awaitable[None]]) -> None:
    """``action`` on every item, a few at a time."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(item: T) -> None:
        async with gate:
            await action(item)

    await asyncio.gather(*(one(item) for item in items))


class _Demo:
    """One run of the demo."""

    def __init__(
        self,
        clients: Mapping[str, httpx.AsyncClient],
        urls: dict[str, str],
        *,
        people: int,
        seed: int,
        progress: Callable[[str], None],
        token_for: Callable[[str], str],
    ) -> None:
        self.token_for = token_for
        """Mints a participant's token (the stack's identity provider's, where one runs)."""
        self.http = clients
        self.say = progress
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.org = organisation(people, seed=seed)
        self.result = DemoResult(program_id="", name="", urls=urls)
        self.tokens: dict[str, str] = {}
        self.active: dict[str, Participant] = {}
        """Active participants by participant id."""
        self.pairs: list[Pair] = []
        self.held: list[tuple[Pair, str]] = []
        """(pair, session id) of every held session."""
        self.ratings: list[int] = []
        self.poor: Pair | None = None
        """The pair a mentee called not a good fit."""
        self.unmatched: dict[str, str] = {}
        """Participants a run left unmatched (participant id -> role)."""
        self.waiting: set[str] = set()
        """Mentees the first run left unmatched."""

    # ------------------------------------------------------------------ HTTP

    def token_of(self, participant: Participant) -> str:
        """The participant's own token (a JWT the local stack accepts)."""
        employee = participant.person.employee_id
        if employee not in self.tokens:
            self.tokens[employee] = self.token_for(employee)
        return self.tokens[employee]

    def token(self, participant: Participant) -> dict[str, str]:
        """The participant's own bearer header."""
        return bearer(self.token_of(participant))

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | None = None,
        params: Mapping[str, str | int] | None = None,
        ok: Iterable[int] = (200, 201, 202),
        wait_on: Iterable[int] = (),
        wait_s: float = WAIT_S,
    ) -> Json:
        """One request; statuses in ``wait_on`` (the service has not caught up) are retried."""
        ok, wait_on = set(ok), set(wait_on)
        deadline = time.monotonic() + wait_s
        delay = 0.1
        while True:
            try:
                response = await self.http[service].request(
                    method,
                    path,
                    headers=dict(headers if headers is not None else bearer(DEV_ADMIN_TOKEN)),
                    json=json,
                    content=content,
                    params=params,
                )
            except httpx.TransportError as error:
                if time.monotonic() > deadline:
                    msg = f"{service} at {self.result.urls[service]} does not answer: {error!r}"
                    raise DemoError(msg) from error
            else:
                if response.status_code in ok:
                    body: Json = response.json() if response.content else {}
                    return body
                if response.status_code not in wait_on or time.monotonic() > deadline:
                    msg = (
                        f"{service} refused {method} {path}: {response.status_code} "
                        f"{response.text[:800]}"
                    )
                    raise DemoError(msg)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def until(
        self,
        what: str,
        probe: Callable[[], Awaitable[Json]],
        done: Callable[[Json], bool],
        *,
        wait_s: float = WAIT_S,
    ) -> Json:
        """Poll ``probe`` until ``done``; raise DemoError saying ``what`` did not happen."""
        deadline = time.monotonic() + wait_s
        result = await probe()
        while not done(result):
            if time.monotonic() > deadline:
                msg = f"{what} did not happen within {wait_s:.0f}s; last answer: {result}"
                raise DemoError(msg[:1500])
            await asyncio.sleep(0.5)
            result = await probe()
        return result

    async def pages(self, service: str, path: str, key: str) -> list[Json]:
        """Every item of a paged listing (``limit``/``after``/``next_after``)."""
        items: list[Json] = []
        after: str | None = None
        while True:
            params: dict[str, str | int] = {"limit": 200} | ({"after": after} if after else {})
            body = await self.call(service, "GET", path, params=params)
            items.extend(body[key])
            after = body.get("next_after")
            if not after:
                return items

    # ------------------------------------------------------------------ the story

    async def run(self) -> DemoResult:
        await self.check_stack()
        await self.create_program()
        await self.edit_questionnaire()
        await self.import_people()
        await self.choose_mentors()
        await self.withdraw_some()
        await self.match()
        series = await self.plan_series()
        await self.meet(series)
        await self.give_feedback()
        await self.agree()
        await self.set_goals()
        poor_fit = await self.answer_fit()
        await self.answer_surveys()
        await self.lower_a_capacity()
        await self.rematch(poor_fit)
        await self.wait_for_reports()
        self.pick_tries()
        return self.result

    async def check_stack(self) -> None:
        missing = []
        for name in SERVICES:
            try:
                response = await self.http[name].get("/readyz", timeout=5.0)
            except httpx.TransportError:
                missing.append(name)
            else:
                if response.status_code != 200:
                    missing.append(name)
        if missing:
            where = ", ".join(f"{name} at {self.result.urls[name]}" for name in missing)
            msg = (
                f"the stack is not running or not ready ({where}): start it with `make run` "
                "(or pass --url NAME=URL for services elsewhere)"
            )
            raise DemoError(msg)
        self.say("the stack answers: " + ", ".join(f"{n} {u}" for n, u in self.result.urls.items()))

    async def create_program(self) -> None:
        programs = await self.pages("registration", "/v1/programs", "programs")
        number = 1 + sum(1 for p in programs if p["name"].startswith(NAME_PREFIX))
        today = datetime.now(UTC).date()
        starts = today - timedelta(weeks=6)
        ends: date = starts + relativedelta(months=6)
        now = datetime.now(UTC)
        settings = {
            "name": f"{NAME_PREFIX} {number}: Growing leaders",  # as `name` below
            "goal": "leadership_development",
            "goal_detail": "Help individual contributors grow into their next role.",
            "key_result": {
                "description": "80% of mentees hold 6 sessions",
                "metric": "mentees_with_6_sessions_share",
                "target": 0.8,
            },
            "format": "one_on_one",
            "starts_on": starts.isoformat(),
            "ends_on": ends.isoformat(),
            "cadence": "biweekly",
            "session_minutes": 45,
            "time_zone": "Europe/London",
            "registration_opens_at": (now - timedelta(weeks=10)).isoformat(),
            "registration_closes_at": (now + timedelta(weeks=2)).isoformat(),
            "matching_mode": "both",
            "auto_approve_matches": False,
        }
        name = f"{NAME_PREFIX} {number}: Growing leaders"
        program = await self.call("registration", "POST", "/v1/programs", json=settings)
        self.result.program_id, self.result.name = program["program_id"], name
        self.say(
            f'created "{name}" ({program["program_id"]}): started {starts}, '
            f"ends {ends}, sessions every two weeks"
        )

    @property
    def program_path(self) -> str:
        return f"/v1/programs/{self.result.program_id}"

    async def edit_questionnaire(self) -> None:
        path = f"{self.program_path}/questionnaire"
        read = await self.call("registration", "GET", path)
        saved = await self.call("registration", "PUT", path, json=edit_questionnaire(read))
        self.say(
            f"questionnaire edited and saved as read: version {saved['version']} caps mentors at "
            "3 mentees and asks how people heard about the program"
        )

    async def import_people(self) -> None:
        imported = await self.call(
            "registration",
            "POST",
            f"{self.program_path}/registrations/import",
            content=csv_export(self.org.people).encode(),
            headers=bearer(DEV_ADMIN_TOKEN) | {"content-type": "text/csv"},
        )
        if imported["failed"]:
            msg = f"the CSV import refused {imported['failed']} rows: {imported['errors'][:5]}"
            raise DemoError(msg)
        people = self.org.by_employee()
        registrations = await self.pages(
            "registration", f"{self.program_path}/registrations", "registrations"
        )
        self.active = {
            r["participant_id"]: Participant(people[r["employee_id"]], r["participant_id"])
            for r in registrations
        }
        self.result.registered = imported["registered"]
        roles = Counter(p.person.role for p in self.active.values())
        self.say(
            f"imported {imported['registered']} people from an HRIS CSV: {roles['mentor']} "
            f"mentors, {roles['mentee']} mentees, {roles['both']} both"
        )

    def _participants(self, role: str) -> list[Participant]:
        chosen = [p for p in self.active.values() if p.person.role == role]
        return sorted(chosen, key=lambda p: p.person.employee_id)

    async def choose_mentors(self) -> None:
        """About one mentee in ten names up to three mentors they would like."""
        mentors = self._participants("mentor") + self._participants("both")
        people = self.org.by_employee()
        choosing = [m for m in self._participants("mentee") if self.rng.random() < 0.1]
        picks: dict[str, list[str]] = {}
        for mentee in choosing:
            line = _reporting_line(mentee.person, people)
            fitting = [
                mentor.participant_id
                for mentor in mentors
                if _compatible(mentor.person, mentee.person, line)
                and mentor.person.discipline_for(mentee.person)
            ]
            if fitting:
                picks[mentee.participant_id] = self.rng.sample(
                    fitting, min(len(fitting), self.rng.randint(1, 3))
                )

        async def choose(mentee_id: str) -> None:
            mentee = self.active[mentee_id]
            body = mentee.person.registration() | {"preferred_mentors": picks[mentee_id]}
            await self.call(
                "registration",
                "PUT",
                f"{self.program_path}/registrations/me",
                headers=self.token(mentee),
                json=body,
            )

        await _each(sorted(picks), choose)
        self.result.picks = len(picks)
        self.say(f"{len(picks)} mentees named the mentors they would like (as themselves)")

    async def withdraw_some(self) -> None:
        leaving = self.rng.sample(self._participants("mentee"), 4)
        for participant in leaving:
            await self.call(
                "registration",
                "POST",
                f"{self.program_path}/registrations/me/withdraw",
                headers=self.token(participant),
            )
            del self.active[participant.participant_id]
        self.result.withdrawn = len(leaving)
        self.say(f"{len(leaving)} mentees withdrew before matching")

    async def match(self) -> None:
        active = len(self.active)
        await self.until(
            f"matching's pool holding the {active} active participants",
            lambda: self.call("matching", "GET", f"{self.program_path}/pool"),
            lambda pool: sum(pool[role] for role in ("mentors", "mentees", "both")) == active,
        )
        run = await self.call(
            "matching", "POST", f"{self.program_path}/matching-runs", json={"kind": "match"}
        )
        self.say(f"matching run {run['run_id']} queued for {active} participants")
        run = await self.settled_run(run["run_id"], {"proposed"})
        summary = run["summary"]
        reasons = await self.unmatched_reasons(run["run_id"], summary["parts"])
        self.waiting = {p for p, role in self.unmatched.items() if role != "mentor"}
        self.say(
            f"proposal: {summary['mentees_matched']} of {summary['mentees_considered']} mentees "
            f"matched (solver {summary['solver_status']}, gap {summary['gap']}); unmatched: "
            + ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
        )
        await self.approve(run["run_id"])

    async def settled_run(self, run_id: str, wanted: set[str]) -> Json:
        run = await self.until(
            f"matching run {run_id} finishing",
            lambda: self.call("matching", "GET", f"/v1/matching-runs/{run_id}"),
            lambda r: r["status"] in wanted | {"failed", "superseded"},
        )
        if run["status"] not in wanted:
            msg = f"matching run {run_id} ended {run['status']}: {run.get('error')}"
            raise DemoError(msg)
        return run

    async def unmatched_reasons(self, run_id: str, parts: int) -> Counter[str]:
        reasons: Counter[str] = Counter()
        for part in range(1, parts + 1):
            page = await self.call(
                "matching", "GET", f"/v1/matching-runs/{run_id}/proposal", params={"part": part}
            )
            reasons.update(person["reason"] for person in page["unmatched"])
            self.unmatched |= {p["participant_id"]: p["role"] for p in page["unmatched"]}
        return reasons

    async def approve(self, run_id: str) -> int:
        await self.call("matching", "POST", f"/v1/matching-runs/{run_id}/approve")
        run = await self.settled_run(run_id, {"approved"})
        created: int = run["approval"]["pairs_created"]
        listed = await self.until(
            f"the {created} pairs of run {run_id} being listed",
            self.listed_pairs,
            lambda body: len(body["pairs"]) >= len(self.pairs) + created,
        )
        known = {pair.pair_id for pair in self.pairs}
        for pair in listed["pairs"]:
            if pair["pair_id"] not in known:
                self.pairs.append(
                    Pair(
                        pair["pair_id"],
                        self.active[pair["mentor_participant_id"]],
                        self.active[pair["mentee_participant_id"]],
                        pair["score"],
                    )
                )
        self.result.pairs = len(self.pairs)
        self.say(f"run {run_id} approved: {_count(created, 'pair')} created")
        return created

    async def listed_pairs(self) -> Json:
        return {"pairs": await self.pages("matching", f"{self.program_path}/pairs", "pairs")}

    async def plan_series(self) -> dict[str, list[Json]]:
        """Each pair's sessions, once scheduling has planned them."""
        series: dict[str, list[Json]] = {}

        async def planned(pair: Pair) -> None:
            body = await self.call(  # 404: not heard of yet; 202: being planned
                "scheduling",
                "GET",
                f"/v1/pairs/{pair.pair_id}/sessions",
                ok=(200,),
                wait_on=(404, 202),
            )
            series[pair.pair_id] = body["sessions"]

        self.say(f"waiting for scheduling to plan the series of {len(self.pairs)} pairs")
        await _each(self.pairs, planned)
        sessions = sum(len(s) for s in series.values())
        self.say(f"{sessions} sessions planned, every two weeks until the program ends")
        return series

    def _ordered_pairs(self) -> list[Pair]:
        return sorted(self.pairs, key=lambda p: p.mentee.person.employee_id)

    async def meet(self, series: dict[str, list[Json]]) -> None:
        """Most pairs meet; some miss their first session; some cancel their second."""
        pairs = self._ordered_pairs()
        self.rng.shuffle(pairs)
        ready, missing = pairs[:2], pairs[2 : 2 + max(2, len(pairs) // 14)]
        meeting = pairs[len(ready) + len(missing) :][: round(len(pairs) * 0.65)]
        cancelling = [p for p in pairs[len(ready) :] if self.rng.random() < 0.12]

        def first(pair: Pair) -> str:
            session_id: str = series[pair.pair_id][0]["session_id"]
            return session_id

        async def move(pair: Pair, member: Participant, ahead: timedelta) -> None:
            await self.call(
                "scheduling",
                "POST",
                f"/v1/sessions/{first(pair)}/reschedule",
                headers=self.token(member),
                json={"starts_at": (datetime.now(UTC) + ahead).isoformat()},
            )

        async def miss_soon(pair: Pair) -> None:
            await move(pair, pair.mentor, MISS_IN)

        missed_after = time.monotonic() + MISS_IN.total_seconds()
        await _each(missing, miss_soon)

        async def hold(plan: tuple[Pair, Participant, int]) -> None:
            pair, member, minutes = plan
            await move(pair, member, MEET_IN)
            await self.call(
                "scheduling",
                "POST",
                f"/v1/sessions/{first(pair)}/held",
                headers=self.token(member),
                json={"duration_minutes": minutes},
            )

        # Who records it and how long it lasted are drawn before the requests run together,
        # so that one seed tells one story.
        await _each(
            [
                (
                    pair,
                    pair.mentee if self.rng.random() < 0.6 else pair.mentor,
                    self.rng.choice((30, 40, 45, 45, 50, 60)),
                )
                for pair in meeting
            ],
            hold,
        )
        self.held = [(pair, first(pair)) for pair in meeting]

        async def ready_to_hold(pair: Pair) -> None:
            await move(pair, pair.mentee, MEET_IN)

        await _each(ready, ready_to_hold)
        self.result.ready_pair, self.result.ready_session = ready[0], first(ready[0])

        async def cancel(plan: tuple[Pair, Participant]) -> None:
            pair, member = plan
            await self.call(
                "scheduling",
                "POST",
                f"/v1/sessions/{series[pair.pair_id][1]['session_id']}/cancel",
                headers=self.token(member),
                json={"reason": "participant_request"},
            )

        await _each(
            [(p, p.mentor if self.rng.random() < 0.5 else p.mentee) for p in cancelling], cancel
        )
        await asyncio.sleep(max(0.0, missed_after - time.monotonic() + 1))

        async def missed(pair: Pair) -> None:
            await self.call(
                "scheduling",
                "POST",
                f"/v1/sessions/{first(pair)}/missed",
                headers=self.token(pair.mentor),
                wait_on=(409,),  # not started yet on a slow clock
                wait_s=30,
            )

        await _each(missing, missed)
        self.result.held, self.result.missed = len(self.held), len(missing)
        self.result.cancelled = len(cancelling)
        self.say(
            f"{len(self.held)} pairs held their first session, {len(missing)} missed it, "
            f"{len(cancelling)} cancelled their second; {len(ready)} first sessions start in "
            "10 minutes, ready to be marked held"
        )

    def _feedback(self, pair: Pair, author: Participant) -> Json:
        """What ``author`` says about the pair's session: topics from the mentee's answers."""
        mentee = pair.mentee.person.answers
        wanted = [*mentee.get("skills_to_grow", []), *mentee.get("goals_to_reach", [])]
        topics = self.rng.sample(wanted, min(len(wanted), self.rng.randint(1, 3)))
        body: Json = {
            "rating": self.rng.choices((1, 2, 3, 4, 5), weights=(1, 3, 12, 40, 44))[0],
            "topics": topics,
            "action_items": [
                self.rng.choice(ACTION_ITEMS).format(topic=topics[0].replace("_", " "))
            ],
            "private_notes": self.rng.choice(NOTES),
        }
        if author is pair.mentee:
            body["progress"] = [{"topic": topics[0], "level": self.rng.randint(1, 3)}]
        return body

    async def give_feedback(self) -> None:
        """Mentees rate every held session; most mentors do too."""
        given: list[tuple[str, Participant, Json]] = []
        for pair, session_id in sorted(self.held, key=lambda h: h[1]):
            authors = [pair.mentee, *([pair.mentor] if self.rng.random() < 0.8 else [])]
            given += [(session_id, author, self._feedback(pair, author)) for author in authors]
        if given and min(body["rating"] for *_, body in given) > 2:
            given[-1][2]["rating"] = 2  # one session went badly

        async def submit(item: tuple[str, Participant, Json]) -> None:
            session_id, author, body = item
            await self.call(
                "feedback",
                "POST",
                f"/v1/sessions/{session_id}/feedback",
                headers=self.token(author),
                json=body,
                wait_on=(404, 409),  # feedback has not heard of the held session yet
            )

        await _each(given, submit)
        self.ratings = [body["rating"] for *_, body in given]
        self.result.feedback = len(given)
        both = len(given) - len(self.held)
        self.say(
            f"{len(given)} session ratings (average {statistics.fmean(self.ratings):.2f}), "
            f"{both} sessions rated by both members"
        )

    async def agree(self) -> None:
        """Pairs that met write down their mentoring agreement; both acknowledge it."""

        async def agree(pair: Pair) -> None:
            agreement = await self.call(
                "feedback",
                "PUT",
                f"/v1/pairs/{pair.pair_id}/agreement",
                headers=self.token(pair.mentor),
                json={
                    "expectations": "Work on the goals in the development plan; come prepared.",
                    "meeting_frequency": "Every two weeks, 45 minutes, video unless we are "
                    "in the same office",
                    "confidentiality": "What we discuss stays between us unless we agree "
                    "otherwise.",
                    "boundaries": "No performance reviews; the mentor is not in the reporting "
                    "line.",
                },
                wait_on=(404, 409),
            )
            await self.call(
                "feedback",
                "POST",
                f"/v1/pairs/{pair.pair_id}/agreement/acknowledge",
                headers=self.token(pair.mentee),
                json={"version": agreement["version"]},
            )

        agreeing = [pair for pair, _ in self.held if self.rng.random() < 0.7]
        await _each(agreeing, agree)
        self.say(f"{len(agreeing)} pairs agreed how they work together (both acknowledged)")

    async def set_goals(self) -> None:
        """Mentees who met put goals with milestones in their development plan."""
        plans: list[tuple[Pair, str, int]] = []
        for pair, _ in self.held:
            if self.rng.random() < 0.7:
                for goal in pair.mentee.person.answers.get("goals_to_reach", [])[:2]:
                    done = self.rng.choices((0, 1, 2, 3), weights=(3, 4, 2, 1))[0]
                    plans.append((pair, goal, done))

        async def plan(item: tuple[Pair, str, int]) -> None:
            pair, goal, reached = item
            title, milestones = GOAL_PLANS[goal]
            created = await self.call(
                "feedback",
                "POST",
                f"/v1/pairs/{pair.pair_id}/goals",
                headers=self.token(pair.mentee),
                json={"topic": goal, "title": title, "milestones": list(milestones)},
                wait_on=(404, 409),
            )
            if reached:
                await self.call(
                    "feedback",
                    "PATCH",
                    f"/v1/goals/{created['goal_id']}",
                    headers=self.token(pair.mentee),
                    json={"milestones_reached": list(range(reached))},
                )

        await _each(plans, plan)
        completed = sum(1 for _, goal, reached in plans if reached == len(GOAL_PLANS[goal][1]))
        self.result.goals = len(plans)
        self.say(f"{len(plans)} goals with milestones in mentees' plans, {completed} completed")

    def _poor_fit(self, held: Sequence[Pair]) -> Pair:
        """The pair that does not work out: one whose mentor a waiting mentee could have.

        Its end frees the mentor, so the re-match gives that mentee a mentor (and the
        pairing report counts a re-match).
        """
        people = self.org.by_employee()
        waiting = [self.active[p] for p in sorted(self.waiting) if p in self.active]

        def takers(pair: Pair) -> int:
            return sum(
                1
                for mentee in waiting
                if _compatible(
                    pair.mentor.person, mentee.person, _reporting_line(mentee.person, people)
                )
            )

        return max(held, key=takers)  # the first of the best, in the given order

    async def answer_fit(self) -> Pair:
        """After the first session both say whether the pairing fits; one mentee says no."""
        answers: list[tuple[Pair, Participant, bool]] = []
        held = sorted((pair for pair, _ in self.held), key=lambda p: p.mentee.person.employee_id)
        poor = self.poor = self._poor_fit(held)
        for pair in held:
            if pair is poor or self.rng.random() < 0.95:
                answers.append((pair, pair.mentee, pair is not poor))
            if pair is not poor and self.rng.random() < 0.7:
                answers.append((pair, pair.mentor, True))

        async def answer(item: tuple[Pair, Participant, bool]) -> None:
            pair, member, good = item
            body: Json = {"good_fit": good}
            if not good:
                body |= {
                    "concern": "goals_mismatch",
                    "reason": "We want different things from the program; I would rather "
                    "work with someone who moved into management recently.",
                }
            await self.call(
                "feedback",
                "POST",
                f"/v1/pairs/{pair.pair_id}/fit",
                headers=self.token(member),
                json=body,
                wait_on=(404, 409),
            )

        await _each(answers, answer)
        self.result.fits = len(answers)
        self.say(
            f"{len(answers)} answers to 'is this a good fit?'; one mentee said no "
            f"(pair {poor.pair_id}), which ends the pair and queues a re-match"
        )
        return poor

    def _survey(self, participant: Participant) -> Json:
        answers = participant.person.answers
        skills = answers.get("skills_to_grow") or answers.get("skills_to_mentor") or []
        return {
            "growth_rating": self.rng.choices((2, 3, 4, 5), weights=(1, 3, 5, 3))[0],
            "relationship_rating": self.rng.choices((2, 3, 4, 5), weights=(1, 2, 5, 4))[0],
            "skills_developing": skills[:2],
            "recommend_score": self.rng.choices(
                range(11), weights=(1, 0, 1, 1, 1, 2, 3, 5, 10, 9, 8)
            )[0],
            "would_join_again": self.rng.random() < 0.85,
            "comments": self.rng.choice(SURVEY_COMMENTS),
        }

    async def answer_surveys(self) -> None:
        """About half of the participants answer the mid-program survey."""
        people = sorted(self.active.values(), key=lambda p: p.person.employee_id)
        answering = [p for p in people if self.rng.random() < 0.45]

        async def answer(item: tuple[Participant, Json]) -> None:
            participant, body = item
            await self.call(
                "feedback",
                "POST",
                f"{self.program_path}/surveys/mid_program",
                headers=self.token(participant),
                json=body,
                wait_on=(403, 409),  # feedback has not heard of the participant yet
            )

        await _each([(p, self._survey(p)) for p in answering], answer)
        self.result.surveys = len(answering)
        self.say(f"{len(answering)} participants answered the mid-program survey")

    async def lower_a_capacity(self) -> None:
        """A mentor with two mentees takes on a new project and lowers their capacity to 1."""
        poor = self.poor.mentor.participant_id if self.poor else None
        load = Counter(
            p.mentor.participant_id for p in self.pairs if p.mentor.participant_id != poor
        )
        busy = sorted(
            (self.active[mentor] for mentor, n in load.items() if n >= 2),
            key=lambda p: p.person.employee_id,
        )
        if not busy:
            self.say("no mentor has two mentees: no capacity to lower")
            return
        mentor = busy[0]
        body = mentor.person.registration()
        body["answers"] = body["answers"] | {"capacity": 1}
        await self.call(
            "registration",
            "PUT",
            f"{self.program_path}/registrations/me",
            headers=self.token(mentor),
            json=body,
        )
        self.say(
            f"mentor {mentor.person.name} lowered their capacity to 1 while mentoring "
            f"{load[mentor.participant_id]}"
        )

    async def rematch(self, poor: Pair) -> None:
        ended = await self.until(
            f"matching ending pair {poor.pair_id} after 'not a good fit'",
            lambda: self.call("matching", "GET", f"/v1/pairs/{poor.pair_id}"),
            lambda pair: pair["status"] == "ended",
        )
        path = f"{self.program_path}/matching-runs"
        try:
            await self.until(
                "matching queueing a re-match",
                lambda: self.call("matching", "GET", path),
                lambda body: len(body["runs"]) >= 2,
                wait_s=60,
            )
        except DemoError:  # MATCHING_REMATCH_ON_EARLY_END=false: the manager starts one
            await self.call("matching", "POST", path, json={"kind": "match"})
        runs = await self.until(
            "the re-match run being proposed",
            lambda: self.call("matching", "GET", path),
            lambda body: all(
                run["status"] in {"proposed", "approved", "failed"} for run in body["runs"]
            ),
        )
        proposed = [run for run in runs["runs"] if run["status"] == "proposed"]
        self.say(f"pair {poor.pair_id} ended ({ended['end_reason']}); re-match run proposed")
        for run in proposed:
            self.result.rematched += await self.approve(run["run_id"])

    async def wait_for_reports(self) -> None:
        """Until analytics reports what the demo did (its reports are live, not nightly)."""
        names = ("registration", "pairing", "sessions", "scores", "skills", "health")
        expected: dict[str, Callable[[Json], bool]] = {
            "registration": lambda r: r["participants"] == len(self.active),
            "pairing": lambda r: r["pairs"] == len(self.pairs) and bool(r["ended_by_reason"]),
            "sessions": lambda r: (
                r["held"] == self.result.held
                and r["missed"] == self.result.missed
                and r["cancelled"] >= self.result.cancelled
            ),
            "scores": lambda r: (
                r["ratings"] == self.result.feedback
                and r["fit_not_good"] == 1
                and r["surveys"]["responses"] == self.result.surveys
            ),
            "skills": lambda r: r["goals"] == self.result.goals and bool(r["topics"]),
            "health": lambda r: bool(
                r["low_ratings"] and r["not_a_good_fit"] and r["mentors_over_capacity"]
            ),
        }

        async def reports() -> Json:
            found: Json = {}
            for name in names:
                found[name] = await self.call(
                    "analytics", "GET", f"{self.program_path}/reports/{name}"
                )
            return found

        def lagging(found: Json) -> list[str]:
            return [name for name in names if not expected[name](found[name])]

        self.say("waiting for analytics to report all of it")
        found = await self.until("analytics reporting the demo", reports, lambda f: not lagging(f))
        sessions, scores = found["sessions"], found["scores"]
        self.say(
            f"reported: {found['registration']['participants']} participants, "
            f"{found['pairing']['active_pairs']} active pairs (match rate "
            f"{found['pairing']['match_rate']:.0%}), {sessions['held']} sessions held, "
            f"{sessions['missed']} missed, {sessions['cancelled']} cancelled, average rating "
            f"{scores['average_rating']}, NPS {scores['surveys']['nps']}"
        )

    def pick_tries(self) -> None:
        ready = self.result.ready_pair
        assert ready is not None
        met = next(pair for pair, _ in sorted(self.held, key=lambda h: h[1]) if pair != self.poor)
        chosen = (
            ("mentee whose session is ready to be marked held", ready.mentee),
            ("their mentor", ready.mentor),
            ("a mentee who met their mentor", met.mentee),
        )
        self.result.tries = [Try(label, who, self.token_of(who)) for label, who in chosen]


def _reporting_line(person: DemoPerson, people: Mapping[str, DemoPerson]) -> set[str]:
    line: set[str] = set()
    manager = person.manager_employee_id
    while manager is not None and manager in people and manager not in line:
        line.add(manager)
        manager = people[manager].manager_employee_id
    return line


def _utc_offset_hours(zone: str) -> float:
    offset = datetime.now(ZoneInfo(zone)).utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


def _compatible(mentor: DemoPerson, mentee: DemoPerson, line: Collection[str]) -> bool:
    """Whether matching's default hard rules allow the pair, as far as the answers tell.

    The mentor is more senior, outside the mentee's reporting line, shares a language, works
    at most 6 hours away, and has a place in common with the mentee or both meet remotely.
    """
    gap = abs(
        _utc_offset_hours(mentor.answers["time_zone"])
        - _utc_offset_hours(mentee.answers["time_zone"])
    )
    places = set(mentor.answers["locations"]) & set(mentee.answers["locations"])
    return (
        LEVELS.index(mentor.seniority) > LEVELS.index(mentee.seniority)
        and mentor.employee_id not in line
        and bool(set(mentor.answers["languages"]) & set(mentee.answers["languages"]))
        and min(gap, 24 - gap) <= 6
        and bool(places)
    )


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def env_lines(result: DemoResult) -> list[str]:
    """Shell variables for the README's examples (``source .devstack/demo.env``)."""
    ready = result.ready_pair
    assert ready is not None
    values = {
        "PROGRAM": result.program_id,
        "PAIR": ready.pair_id,
        "SESSION": result.ready_session,
        "MENTEE_ID": ready.mentee.person.employee_id,
        "MENTEE": f"Authorization: Bearer {result.tries[0].token}",
        "MENTOR": f"Authorization: Bearer {result.tries[1].token}",
        "ADMIN": f"Authorization: Bearer {DEV_ADMIN_TOKEN}",
        **{f"{name.upper()}_URL": url for name, url in result.urls.items()},
    }
    return [f"{name}={shlex.quote(value)}" for name, value in values.items()]


def summary(result: DemoResult, env_file: Path) -> str:
    """What the demo prints when done."""
    scheduling = result.urls["scheduling"]
    lines = [
        "",
        f'"{result.name}" ({result.program_id}) is ready:',
        (
            f"  {result.registered} people registered ({result.withdrawn} withdrew), "
            f"{result.pairs} pairs ({result.rematched} from a re-match), {result.held} sessions "
            f"held, {result.missed} missed, {result.feedback} ratings, {result.goals} goals, "
            f"{result.surveys} survey answers"
        ),
        "",
        "Dashboard (program manager):",
        f"  {result.dashboard}",
        f"Reports, with the admin token ({DEV_ADMIN_TOKEN}):",
        (
            f"  {result.urls['analytics']}/v1/programs/{result.program_id}/reports/"
            "{registration,pairing,sessions,scores,skills,health}[.csv]"
        ),
        "",
        "Participant tokens to try (valid 12 hours; `devstack token <employee id>` makes more):",
    ]
    for attempt in result.tries:
        person = attempt.participant.person
        lines += [
            f"  {attempt.label}: {person.name} ({person.employee_id}, {person.department})",
            f"    {attempt.token}",
        ]
    lines += [
        "",
        f"Session {result.ready_session} starts in a few minutes; its mentee can mark it held:",
        f"  curl -s -XPOST {scheduling}/v1/sessions/{result.ready_session}/held \\",
        f"       -H 'Authorization: Bearer {result.tries[0].token}' \\",
        "       -H 'content-type: application/json' -d '{\"duration_minutes\": 45}'",
        "",
        f"Shell variables for the README's examples: source {env_file}",
        "",
    ]
    return "\n".join(lines)


def demo(
    state_dir: Path,
    *,
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
    url_options: Sequence[str] = (),
) -> int:
    """`devstack demo`: fill a new demo program, print where to look; 1 if it cannot."""
    progress = Progress()
    try:
        urls = service_urls(state_dir, parse_url_options(url_options))
        result = asyncio.run(
            run_demo(
                urls,
                people=people,
                seed=seed,
                progress=progress,
                token_for=lambda employee: stack_token(state_dir, employee, ttl_s=TOKEN_TTL_S),
            )
        )
    except DemoError as error:
        sys.stderr.write(f"devstack demo: {error}\n")
        return 1
    env_file = state_dir / ENV_FILE
    state_dir.mkdir(parents=True, exist_ok=True)
    env_file.write_text("\n".join(env_lines(result)) + "\n")
    sys.stdout.write(summary(result, env_file))
    sys.stdout.flush()
    return 0
