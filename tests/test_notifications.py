"""Registration -> matching -> scheduling -> notifications, over the broker, into a real SMTP
server: the match and one iTIP REQUEST per planned session to each member, a moved session's
higher SEQUENCE, a CANCEL, and one reminder per lead with two notifications replicas and a
restart in between."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from mentorship_contracts.types import utc_now
from mentorship_devstack.api import create_program, register
from mentorship_devstack.mailbox import Mailbox
from mentorship_devstack.pytest_plugin import ServiceLauncher, eventually
from mentorship_devstack.services import ServiceProcess
from mentorship_devstack.stack import Infrastructure
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, participant_token
from mentorship_devstack.workloads import people

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN = bearer(DEV_ADMIN_TOKEN)
STACK_SERVICES = ("registration", "matching", "scheduling", "feedback")


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with Mailbox(http_port=None) as running:
        yield running


@dataclass
class Notifiers:
    """Starts notifications replicas, all pointed at the stack and the mailbox."""

    launcher: ServiceLauncher
    env: dict[str, str]

    def start(self) -> ServiceProcess:
        start: Any = self.launcher  # its keyword arguments are environment variables
        process: ServiceProcess = start("notifications", **self.env)
        return process


@pytest.fixture(scope="module")
def notifiers(
    stack: dict[str, ServiceProcess],
    infrastructure: Infrastructure,
    prefix: str,
    mailbox: Mailbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Notifiers]:
    launcher = ServiceLauncher(infrastructure, prefix, tmp_path_factory.mktemp("notifications"))
    env = {
        "SMTP_PORT": str(mailbox.smtp_port),
        "REGISTRATION_URL": stack["registration"].base_url,
        "FEEDBACK_URL": stack["feedback"].base_url,
        "ANALYTICS_URL": stack["registration"].base_url,
        "DELIVERY_POLL_S": "0.2",
        "DELIVERY_LEASE_S": "10",
        "SMTP_RATE_PER_S": "500",
    }
    yield Notifiers(launcher, env)
    launcher.stop_all()


def calendar_of(message: EmailMessage) -> Calendar | None:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_content())
    return None


def mail_to(mailbox: Mailbox, address: str) -> list[EmailMessage]:
    return [m.parsed() for m in mailbox.messages if address in m.recipients]


def invitations(messages: list[EmailMessage], uid: str | None = None) -> list[tuple[str, int, Any]]:
    """(method, sequence, event) of each invitation, optionally of one UID."""
    found = []
    for message in messages:
        calendar = calendar_of(message)
        if calendar is None:
            continue
        (event,) = calendar.walk("VEVENT")
        if uid is None or str(event["UID"]) == uid:
            found.append((str(calendar["METHOD"]), int(event.decoded("SEQUENCE")), event))
    return found


async def wait(probe: Any, timeout_s: float = 90.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not probe():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail("not reached in time")
        await asyncio.sleep(0.2)


async def test_a_pair_hears_of_its_match_its_sessions_their_changes_and_reminders_once(
    stack: dict[str, ServiceProcess], notifiers: Notifiers, mailbox: Mailbox
) -> None:
    first_replica, second_replica = notifiers.start(), notifiers.start()

    def client(name: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=stack[name].base_url, timeout=10.0)

    crowd = people(8, seed=11)
    email_of: dict[str, str] = {}
    employee_of: dict[str, str] = {}
    async with client("registration") as registration:
        today = utc_now().date()
        program_id = await create_program(
            registration,
            starts_on=(today - timedelta(days=3)).isoformat(),
            ends_on=(today + timedelta(days=40)).isoformat(),
            cadence="weekly",
        )
        for person in crowd:
            registered = await register(registration, program_id, person)
            email_of[registered["participant_id"]] = person.email
            employee_of[registered["participant_id"]] = person.employee_id

    async with client("matching") as matching:
        await eventually(
            lambda: matching.get(f"/v1/programs/{program_id}/pool", headers=ADMIN),
            lambda r: r.status_code == 200 and r.json()["mentors"] + r.json()["mentees"] >= 7,
            timeout_s=60,
        )
        started = await matching.post(
            f"/v1/programs/{program_id}/matching-runs", headers=ADMIN, json={}
        )
        run_id = started.json()["run_id"]
        proposed = await eventually(
            lambda: matching.get(f"/v1/matching-runs/{run_id}", headers=ADMIN),
            lambda r: r.json()["status"] == "proposed",
            timeout_s=90,
        )
        assert proposed.json()["summary"]["mentees_matched"] >= 1
        await matching.post(f"/v1/matching-runs/{run_id}/approve", headers=ADMIN)
        pairs = await eventually(
            lambda: matching.get(f"/v1/programs/{program_id}/pairs", headers=ADMIN),
            lambda r: len(r.json()["pairs"]) >= 1,
            timeout_s=60,
        )
    pair = pairs.json()["pairs"][0]
    mentor, mentee = pair["mentor_participant_id"], pair["mentee_participant_id"]
    members = {mentor: email_of[mentor], mentee: email_of[mentee]}
    mentee_token = bearer(participant_token(employee_of[mentee]))

    async with client("scheduling") as scheduling:
        series = await eventually(
            lambda: scheduling.get(f"/v1/pairs/{pair['pair_id']}/sessions", headers=mentee_token),
            lambda r: r.status_code == 200 and len(r.json()["sessions"]) >= 2,
            timeout_s=60,
        )
        sessions = series.json()["sessions"]
        uids = {f"{s['session_id']}@scheduling.mentorship" for s in sessions}

        # Each member: one match e-mail and one REQUEST per planned session.
        def planned_arrived() -> bool:
            return all(
                {str(i[2]["UID"]) for i in invitations(mail_to(mailbox, address))} >= uids
                and any("match" in str(m["Subject"]) for m in mail_to(mailbox, address))
                for address in members.values()
            )

        await wait(planned_arrived)
        pairs_of_mentor = sum(p["mentor_participant_id"] == mentor for p in pairs.json()["pairs"])
        for participant_id, address in members.items():
            received = mail_to(mailbox, address)
            matches = [m for m in received if "You have a match" in str(m["Subject"])]
            assert len(matches) == (pairs_of_mentor if participant_id == mentor else 1)
            text = matches[0].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            assert "Why you were matched:" in text
            assert "Getting to know each other" in text  # feedback's first agenda
            found = [i for i in invitations(received) if str(i[2]["UID"]) in uids]
            assert sorted(str(event["UID"]) for _, _, event in found) == sorted(uids)
            assert {(method, sequence) for method, sequence, _ in found} == {("REQUEST", 0)}

        # The first session moves to ten minutes from now: a REQUEST with SEQUENCE 1, and the
        # reminders due by now collapse into one, which must arrive once per member even as a
        # replica is killed and another started.
        first, second = sessions[0], sessions[1]
        soon = (utc_now() + timedelta(minutes=10)).replace(microsecond=0)
        moved = await scheduling.post(
            f"/v1/sessions/{first['session_id']}/reschedule",
            headers=mentee_token,
            json={"starts_at": soon.isoformat()},
        )
        assert moved.status_code == 200, moved.text
        first_replica.kill()
        third_replica = notifiers.start()
        first_uid = f"{first['session_id']}@scheduling.mentorship"

        def moved_arrived() -> bool:
            return all(
                any(seq == 1 for _, seq, _ in invitations(mail_to(mailbox, a), first_uid))
                for a in members.values()
            )

        await wait(moved_arrived)
        for address in members.values():
            (method, _, event) = next(
                i for i in invitations(mail_to(mailbox, address), first_uid) if i[1] == 1
            )
            assert method == "REQUEST"
            assert event.decoded("DTSTART") == soon

        def reminded() -> bool:
            return all(
                any("Reminder" in str(m["Subject"]) for m in mail_to(mailbox, a))
                for a in members.values()
            )

        await wait(reminded, timeout_s=120)
        second_replica.stop()
        notifiers.start()
        await asyncio.sleep(5)
        for address in members.values():
            reminders = [m for m in mail_to(mailbox, address) if "Reminder" in str(m["Subject"])]
            assert len(reminders) == 1, address

        cancelled = await scheduling.post(
            f"/v1/sessions/{second['session_id']}/cancel",
            headers=mentee_token,
            json={"reason": "participant_request"},
        )
        assert cancelled.status_code == 200, cancelled.text
        second_uid = f"{second['session_id']}@scheduling.mentorship"

        def cancel_arrived() -> bool:
            return all(
                any(m == "CANCEL" for m, _, _ in invitations(mail_to(mailbox, a), second_uid))
                for a in members.values()
            )

        await wait(cancel_arrived)
        for address in members.values():
            found = invitations(mail_to(mailbox, address), second_uid)
            cancel = [(seq, event) for method, seq, event in found if method == "CANCEL"]
            assert len(cancel) == 1
            assert cancel[0][0] == 1
            assert str(cancel[0][1]["STATUS"]) == "CANCELLED"
    assert third_replica.running
