"""Test doubles that are real servers: a stand-in for the other services' APIs (contacts,
agendas, health reports) that also records webhook posts, as a local HTTP receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID

from mentorship_contracts import IntegrationEvent, seal
from mentorship_kit.runtime import ServiceRuntime

AGENDAS = {
    "templates": [
        {
            "kind": "first_session",
            "title": "Getting to know each other",
            "purpose": "Build trust, share backgrounds and agree how you will work together.",
            "items": [{"item": "Introductions and career stories", "minutes": 20}],
            "questions": ["What brought you to this program?"],
        }
    ]
}


@dataclass
class Receiver:
    """Contacts by participant id, plus every POST it received (path, JSON body)."""

    contacts: dict[str, dict[str, str]] = field(default_factory=dict)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Contacts by person id (registration's directory: invitees, managers)."""
    contact_credentials: list[str] = field(default_factory=list)
    """The Authorization header of every contact request."""
    posts: list[tuple[str, Any]] = field(default_factory=list)
    health: dict[str, Any] = field(default_factory=dict)
    health_requests: int = 0
    answers: list[int] = field(default_factory=list)
    """Scripted statuses for the next POSTs (e.g. 429 then 200)."""
    contact_requests: int = 0
    raters: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Feedback's rater requests by id: their link path and, for a peer, an address."""
    url: str = ""

    def add(self, participant_id: str, name: str, email: str, zone: str = "Europe/Paris") -> None:
        """A participant registration knows."""
        self.contacts[participant_id] = {
            "participant_id": participant_id,
            "name": name,
            "email": email,
            "time_zone": zone,
        }

    def add_person(
        self,
        person_id: str,
        name: str,
        email: str,
        zone: str | None = None,
        *,
        active: bool = True,
    ) -> None:
        """A person the directory knows, by person id (not necessarily a participant)."""
        self.people[person_id] = {
            "person_id": person_id,
            "name": name,
            "email": email,
            "time_zone": zone,
            "active": active,
        }


@contextmanager
def receiver() -> Iterator[Receiver]:
    """A running `Receiver` on a free local port."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:
            return

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = self.path.split("?", 1)[0].strip("/").split("/")
            if parts[:2] in (["v1", "participants"], ["v1", "people"]) and parts[-1] == "contact":
                state.contact_requests += 1
                state.contact_credentials.append(self.headers.get("Authorization", ""))
                known = state.contacts if parts[1] == "participants" else state.people
                found: Any = known.get(parts[2])
                self._json(200 if found else 404, found or {"error": "not_found"})
            elif parts[:3] == ["v1", "skills", "rater-requests"] and parts[-1] == "delivery":
                rater: Any = state.raters.get(parts[3])
                self._json(200 if rater else 404, rater or {"error": "not_found"})
            elif self.path == "/v1/agenda-templates":
                self._json(200, AGENDAS)
            elif parts[:2] == ["v1", "programs"] and parts[-1] == "health":
                state.health_requests += 1
                self._json(200, state.health)
            elif parts[:2] == ["slack", "users.lookupByEmail"]:
                self._json(200, {"ok": True, "user": {"id": "U123"}})
            else:
                self._json(404, {})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"null")
            if self.path == "/v1/participants/contacts":  # registration's bulk lookup
                state.contact_requests += 1
                state.contact_credentials.append(self.headers.get("Authorization", ""))
                wanted = body["participant_ids"]
                self._json(
                    200,
                    {
                        "contacts": [state.contacts[p] for p in wanted if p in state.contacts],
                        "missing": [p for p in wanted if p not in state.contacts],
                    },
                )
                return
            status = state.answers.pop(0) if state.answers else 200
            state.posts.append((self.path, body))
            self._json(status, {"ok": status == 200})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


async def deliver(
    runtime: ServiceRuntime, *events: IntegrationEvent, event_id: UUID | None = None
) -> None:
    """Hand events to the service's handlers in one transaction, as the consumer does
    (``event_id``: the id of a single event, to deliver the same event again)."""

    async def work(tx: Any) -> None:
        envelopes = [seal(event, source="test", event_id=event_id) for event in events]
        await runtime.handlers.prepare(envelopes, tx)  # the batch hooks, as the consumer runs them
        for envelope in envelopes:
            handler = runtime.handlers.handler_for(envelope.event_type, envelope.schema_version)
            assert handler is not None, envelope.event_type
            await handler(envelope, tx)

    await runtime.transactor.run(work)
