"""Program managers in feedback: a manager of program A reads A's pairs and gets 403 on B."""

from __future__ import annotations

import httpx
import pytest

from feedback.app import build_app
from feedback.settings import FeedbackSettings
from mentorship_contracts.events import ProgramCreated, SessionCompleted
from mentorship_contracts.examples import example
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import dev_person_id

from .scenario import ADMIN, MENTEE, MENTOR, SESSION, as_person, history, pair

pytestmark = pytest.mark.integration

OTHER = "prog-other"
MANAGER_A = as_person("pm-a")


def _forbidden(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "forbidden"


async def test_a_manager_of_a_reads_a_and_is_refused_b(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    events = history()
    program_a = events[0]
    assert isinstance(program_a, ProgramCreated)
    events[0] = program_a.model_copy(update={"managers": (dev_person_id("pm-a"),)})
    events += [
        program_a.model_copy(update={"program_id": OTHER, "managers": (dev_person_id("pm-b"),)}),
        pair("pair-b", program_id=OTHER),
        example(
            SessionCompleted,
            session_id="pair-b.s001",
            pair_id="pair-b",
            program_id=OTHER,
            participant_ids=(MENTOR, MENTEE),
        ),
    ]
    async with serve_app(build_app(settings)) as client:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)
        await eventually(
            lambda: client.get("/v1/sessions/pair-b.s001/feedback", headers=ADMIN),
            lambda response: response.status_code == 200,
        )

        for path in ("fit", "agreement", "goals"):
            mine = await client.get(f"/v1/pairs/pair-1/{path}", headers=MANAGER_A)
            assert mine.status_code in {200, 404}, mine.text  # no agreement yet is a 404
            _forbidden(await client.get(f"/v1/pairs/pair-b/{path}", headers=MANAGER_A))
        fits = await client.get("/v1/pairs/pair-1/fit", headers=MANAGER_A)
        assert fits.status_code == 200, fits.text
        feedback = await client.get(f"/v1/sessions/{SESSION}/feedback", headers=MANAGER_A)
        assert feedback.status_code == 200, feedback.text
        _forbidden(await client.get("/v1/sessions/pair-b.s001/feedback", headers=MANAGER_A))

        # Managers read; only the pair's members give feedback.
        _forbidden(
            await client.post("/v1/pairs/pair-1/fit", json={"good_fit": True}, headers=MANAGER_A)
        )
        _forbidden(await client.get("/v1/pairs/pair-1/fit", headers=as_person("nobody")))
