"""Benchmark: the notifications of 5,000 new pairs, e-mails and invitations, over real SMTP.

Starts the embedded Kafka and MongoDB (or uses ``KAFKA_BOOTSTRAP`` / ``MONGODB_URL``), a local
SMTP server (aiosmtpd, the one ``make run`` uses), a stand-in for registration's contact API
and feedback's agendas (a local HTTP server: the benchmark measures notifications, not
registration), and the notifications service as a real process. It first measures the
baseline: the raw rate at which aiosmtplib sends comparable messages to the same server over
as many connections as the service uses. Then it publishes, as scheduling and matching would,
a program, ``--pairs`` PairCreated events and ``--sessions`` SessionScheduled per pair, and
waits until every member's match e-mail and every invitation is in the inbox. It prints both
rates in messages per second, and as its last line (for ``make bench``):

    notifications pairs=<n> messages=<m> messages_per_s=<r> raw_messages_per_s=<r> vs_raw=<x>

    python benchmarks/bench_notifications.py --pairs 5000 --sessions 1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from datetime import timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import aiosmtplib
from aiokafka import AIOKafkaProducer

from mentorship_contracts import IntegrationEvent, encode, seal
from mentorship_contracts.events import PairCreated, ProgramCreated, SessionScheduled
from mentorship_contracts.examples import example
from mentorship_contracts.types import utc_now
from mentorship_devstack.mailbox import Mailbox
from mentorship_devstack.pytest_plugin import ServiceLauncher, fresh_kafka_prefix
from mentorship_devstack.stack import provide

PROGRAM = "bench-program"
PUBLISH_CHUNK = 2000


def contact(participant_id: str) -> dict[str, str]:
    """What registration answers for a participant."""
    return {
        "participant_id": participant_id,
        "name": f"Person {participant_id}",
        "email": f"{participant_id}@example.com",
        "time_zone": "Europe/Paris",
    }


class Directory(BaseHTTPRequestHandler):
    """Contacts for any participant id (one, or many at once), and feedback's agendas."""

    contact_requests = 0
    """Contact requests answered (the service reads many contacts per request when it can)."""

    def log_message(self, *_: Any) -> None:
        return

    def do_POST(self) -> None:
        Directory.contact_requests += 1
        length = int(self.headers.get("Content-Length", 0))
        wanted = json.loads(self.rfile.read(length))["participant_ids"]
        if self.path != "/v1/participants/contacts":
            self.send_response(404)
            self.end_headers()
            return
        self._answer({"contacts": [contact(pid) for pid in wanted], "missing": []})

    def _answer(self, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        parts = self.path.strip("/").split("/")
        if parts[:2] == ["v1", "participants"]:
            Directory.contact_requests += 1
            body: Any = contact(parts[2])
        elif self.path == "/v1/agenda-templates":
            body = {"templates": []}
        else:
            self.send_response(404)
            self.end_headers()
            return
        self._answer(body)


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user and system) the process ``pid`` has used so far, if /proc tells.

    On a shared machine the wall-clock rate moves with everyone else's load; the service's CPU
    time per message much less.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sample_message(index: int) -> EmailMessage:
    """A message of the size and shape the service sends (text, HTML, an invitation)."""
    message = EmailMessage()
    message["From"] = "Mentoring <mentoring@localhost>"
    message["To"] = f"p{index}@example.com"
    message["Subject"] = "Mentoring session on Monday 1 March 2027, 10:00 (Europe/Paris)"
    message["Message-ID"] = f"<baseline-{index}@bench>"
    message.set_content("Hello,\n\nYour mentoring session is planned.\n" * 10)
    message.add_alternative("<p>Your mentoring session is planned.</p>" * 60, subtype="html")
    message.add_alternative(
        "BEGIN:VCALENDAR\r\n" + "X:Y\r\n" * 30 + "END:VCALENDAR\r\n",
        subtype="calendar",
        params={"method": "REQUEST"},
    )
    return message


async def baseline(mailbox: Mailbox, count: int, connections: int) -> float:
    """Messages per second aiosmtplib alone sends to ``mailbox`` over reused connections."""
    messages = [sample_message(index) for index in range(count)]
    queue: asyncio.Queue[EmailMessage] = asyncio.Queue()
    for message in messages:
        queue.put_nowait(message)

    async def worker() -> None:
        client = aiosmtplib.SMTP(hostname=mailbox.host, port=mailbox.smtp_port, start_tls=False)
        await client.connect()
        try:
            while not queue.empty():
                await client.send_message(queue.get_nowait())
        finally:
            await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return count / (time.perf_counter() - started)


def workload(pairs: int, sessions: int) -> list[IntegrationEvent]:
    """A program, its pairs and their first sessions."""
    now = utc_now().replace(microsecond=0)
    events: list[IntegrationEvent] = [example(ProgramCreated, program_id=PROGRAM, name="Bench")]
    for index in range(pairs):
        pair_id = f"pair-{index:06d}"
        mentor, mentee = f"mentor-{index:06d}", f"mentee-{index:06d}"
        events.append(
            example(
                PairCreated,
                pair_id=pair_id,
                program_id=PROGRAM,
                mentor_participant_id=mentor,
                mentee_participant_id=mentee,
                mentor_person_id=f"person-{mentor}",
                mentee_person_id=f"person-{mentee}",
                score=2.5,
                contributions={"skills": 1.5, "goals": 0.6, "time_zone": 0.4},
            )
        )
        events.extend(
            SessionScheduled(
                session_id=f"{pair_id}.s{number:03d}",
                pair_id=pair_id,
                program_id=PROGRAM,
                series_id=pair_id,
                sequence=number,
                participant_ids=(mentor, mentee),
                starts_at=now + timedelta(days=7 * number),
                duration_minutes=60,
            )
            for number in range(1, sessions + 1)
        )
    return events


async def publish(bootstrap: str, prefix: str, events: list[IntegrationEvent]) -> None:
    """Publish as the services' relays would."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        for start in range(0, len(events), PUBLISH_CHUNK):
            sends = []
            for event in events[start : start + PUBLISH_CHUNK]:
                encoded = encode(seal(event, source="bench"))
                sends.append(
                    await producer.send(
                        f"{prefix}{encoded.topic.name}",
                        encoded.value,
                        key=encoded.key.encode(),
                        headers=[(k, v.encode()) for k, v in encoded.headers.items()],
                    )
                )
            await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def main(pairs: int, sessions: int, timeout_s: float, connections: int) -> int:
    expected = pairs * 2 * (1 + sessions)
    directory = ThreadingHTTPServer(("127.0.0.1", 0), Directory)
    threading.Thread(target=directory.serve_forever, daemon=True).start()
    directory_url = f"http://127.0.0.1:{directory.server_port}"
    with (
        tempfile.TemporaryDirectory(prefix="bench-notifications-") as scratch,
        Mailbox(http_port=None) as mailbox,
    ):
        raw = await baseline(mailbox, min(expected, 3000), connections)
        mailbox.clear()
        running = provide(Path(scratch) / "stack")
        launcher = None
        try:
            prefix = await fresh_kafka_prefix(running.infrastructure)
            launcher = ServiceLauncher(running.infrastructure, prefix, Path(scratch) / "logs")
            service = launcher(
                "notifications",
                LOG_LEVEL="WARNING",
                KAFKA_SESSION_TIMEOUT_MS="6000",
                SMTP_PORT=str(mailbox.smtp_port),
                SMTP_CONNECTIONS=str(connections),
                SMTP_RATE_PER_S="100000",
                SMTP_MESSAGES_PER_CONNECTION="1000",
                REGISTRATION_URL=directory_url,
                FEEDBACK_URL=directory_url,
                DELIVERY_BATCH_SIZE="500",
                DELIVERY_POLL_S="0.1",
            )
            events = workload(pairs, sessions)
            started, cpu_started = time.perf_counter(), cpu_seconds(service.process.pid)
            await publish(running.infrastructure.kafka_bootstrap, prefix, events)
            published = time.perf_counter() - started
            deadline = time.monotonic() + timeout_s
            while len(mailbox.messages) < expected and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
            elapsed = time.perf_counter() - started
            received = len(mailbox.messages)
            cpu_ended = cpu_seconds(service.process.pid)
        finally:
            if launcher is not None:
                launcher.stop_all()
            running.stop()
            directory.shutdown()
    rate = received / elapsed
    cpu = "n/a"
    if cpu_started is not None and cpu_ended is not None and received:
        used = cpu_ended - cpu_started
        cpu = f"{used:.1f} s ({used / received * 1000:.1f} ms per message)"
    sys.stdout.write(
        f"published {len(events)} events in {published:.1f} s; {received}/{expected} messages "
        f"({pairs} pairs x 2 members x (1 match + {sessions} invitations)) in {elapsed:.1f} s; "
        f"{Directory.contact_requests} contact requests; service CPU {cpu}\n"
    )
    sys.stdout.write(
        f"notifications: {rate:.1f} messages/s end to end (events -> e-mails in the inbox); "
        f"baseline raw aiosmtplib to the same server: {raw:.1f} messages/s "
        f"({rate / raw:.1%} of it)\n"
    )
    sys.stdout.write(
        f"notifications pairs={pairs} messages={received} messages_per_s={rate:.1f} "
        f"raw_messages_per_s={raw:.1f} vs_raw={rate / raw:.3f}\n"
    )
    return 0 if received == expected else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=1, help="planned sessions per pair")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds to wait")
    parser.add_argument(
        "--connections", type=int, default=4, help="SMTP connections (service and baseline)"
    )
    arguments = parser.parse_args()
    raise SystemExit(
        asyncio.run(
            main(arguments.pairs, arguments.sessions, arguments.timeout, arguments.connections)
        )
    )
