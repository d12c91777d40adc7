"""#12.3: a 3,000-pair approval whose worker is SIGKILLed mid-way resumes in the next
process and creates every pair exactly once.

The approval used to fail outright at this size: each 500-pair part took longer than the
worker's heartbeat interval, the heartbeat rewrote the run document the part's transaction
was writing, and the part was restarted until the run gave up.
"""

from __future__ import annotations

import signal
from collections import defaultdict
from typing import Any

import httpx
import pytest

from mentorship_contracts import decode
from mentorship_contracts.events import PairCreated, ProgramCreated
from mentorship_contracts.examples import example
from mentorship_contracts.topics import PAIRS
from mentorship_devstack.api import ADMIN_HEADERS
from mentorship_devstack.kafka_tools import publish_events, read_topic
from mentorship_devstack.pytest_plugin import Launcher, eventually
from mentorship_devstack.stack import Infrastructure
from mentorship_devstack.workloads import matching_pool

pytestmark = pytest.mark.timeout(1800)

PROGRAM = "prog-large-approval"
MENTEES = 4200
"""About 3,100 pairs with `matching_pool`'s capacities and rules."""
Json = dict[str, Any]


async def _get(client: httpx.AsyncClient, url: str) -> Json:
    response = await client.get(url, headers=ADMIN_HEADERS)
    response.raise_for_status()
    body: Json = response.json()
    return body


async def _all_pairs(client: httpx.AsyncClient) -> list[Json]:
    pairs: list[Json] = []
    after: str | None = None
    while True:
        query = f"?limit=500&after={after}" if after else "?limit=500"
        page = await _get(client, f"/v1/programs/{PROGRAM}/pairs{query}")
        pairs += page["pairs"]
        after = page["next_after"]
        if after is None:
            return pairs


async def _proposed(client: httpx.AsyncClient, run: Json) -> set[tuple[str, str]]:
    proposed: set[tuple[str, str]] = set()
    for part in range(1, run["summary"]["parts"] + 1):
        page = await _get(client, f"/v1/matching-runs/{run['run_id']}/proposal?part={part}")
        proposed |= {
            (p["mentor_participant_id"], p["mentee_participant_id"]) for p in page["pairs"]
        }
    return proposed


async def test_a_killed_approval_resumes_and_creates_every_pair_once(
    launch: Launcher, infrastructure: Infrastructure, kafka_prefix: str
) -> None:
    doomed = launch("matching")
    program = example(ProgramCreated, program_id=PROGRAM, auto_approve_matches=False)
    pool = matching_pool(MENTEES, seed=12, program_id=PROGRAM)
    await publish_events(infrastructure.kafka_bootstrap, [program, *pool], prefix=kafka_prefix)

    async with httpx.AsyncClient(base_url=doomed.base_url, timeout=60) as client:
        await eventually(
            lambda: _get(client, f"/v1/programs/{PROGRAM}/pool"),
            lambda body: body.get("mentors", 0) + body.get("mentees", 0) == len(pool),
            timeout_s=1200,
            interval_s=1,
        )
        started = await client.post(
            f"/v1/programs/{PROGRAM}/matching-runs",
            json={"time_limit_s": 600},
            headers=ADMIN_HEADERS,
        )
        run_url = f"/v1/matching-runs/{started.json()['run_id']}"
        run = await eventually(
            lambda: _get(client, run_url),
            lambda body: body["status"] == "proposed",
            timeout_s=600,
            interval_s=0.5,
        )
        wanted = run["summary"]["mentees_matched"]
        assert wanted >= 3000
        proposed = await _proposed(client, run)
        (await client.post(f"{run_url}/approve", headers=ADMIN_HEADERS)).raise_for_status()
        midway = await eventually(
            lambda: _get(client, run_url),
            lambda body: (body["approval"] or {}).get("pairs_created", 0) > 0,
            timeout_s=600,
            interval_s=0.02,
        )
    assert midway["status"] == "approving", "the approval finished before it could be killed"
    doomed.process.send_signal(signal.SIGKILL)
    assert doomed.process.wait(30) == -signal.SIGKILL

    successor = launch("matching")
    async with httpx.AsyncClient(base_url=successor.base_url, timeout=60) as client:
        approved = await eventually(
            lambda: _get(client, run_url),
            lambda body: body["status"] in {"approved", "failed"},
            timeout_s=600,
            interval_s=0.5,
        )
        assert approved["status"] == "approved", approved["error"]
        assert approved["approval"]["pairs_created"] == wanted
        assert approved["approval"]["pairs_skipped"] == 0
        pairs = await _all_pairs(client)

    assert len(pairs) == wanted
    assert len({pair["pair_id"] for pair in pairs}) == wanted
    assert len({pair["mentee_participant_id"] for pair in pairs}) == wanted
    assert {(p["mentor_participant_id"], p["mentee_participant_id"]) for p in pairs} == proposed

    records = await read_topic(
        infrastructure.kafka_bootstrap,
        f"{kafka_prefix}{PAIRS.name}",
        until=lambda found: len({record.key for record in found}) >= wanted,
        timeout_s=300,
    )
    announced: defaultdict[str, set[str]] = defaultdict(set)
    for record in records:
        envelope = decode(record.value)
        if isinstance(envelope.data, PairCreated):
            announced[envelope.data.pair_id].add(str(envelope.event_id))
    assert set(announced) == {pair["pair_id"] for pair in pairs}
    assert all(len(ids) == 1 for ids in announced.values()), "a pair announced twice"
