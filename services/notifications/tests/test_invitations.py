"""Invitations to register and managers' messages: people who are not participants, reached
through registration's directory by person id, with the notifications service's credential."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest

from mentorship_contracts.events import (
    DirectoryPersonErased,
    InvitationReminderSent,
    InvitationSent,
    MatchingRunProposed,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import utc_now
from mentorship_devstack.tokens import (
    DEV_ADMIN_TOKEN,
    DEV_NOTIFIER_TOKEN,
    bearer,
    dev_person_id,
    participant_token,
)

from .conftest import Service
from .scenario import PROGRAM, program
from .support import deliver
from .test_email import body, received, to

pytestmark = pytest.mark.integration
ADMIN = bearer(DEV_ADMIN_TOKEN)
INVITEE = dev_person_id("e-invitee")


def invitation(person_id: str = INVITEE, invitation_id: str = "inv-1") -> InvitationSent:
    return InvitationSent(
        invitation_id=invitation_id,
        program_id=PROGRAM,
        person_id=person_id,
        department="engineering",
        sent_at=utc_now(),
    )


def reminder(number: int, invitation_id: str = "inv-1") -> InvitationReminderSent:
    return InvitationReminderSent(
        invitation_id=invitation_id,
        program_id=PROGRAM,
        person_id=INVITEE,
        reminder=number,
        sent_at=utc_now(),
    )


def plain(message: EmailMessage) -> str:
    return body(message, "plain").replace("\r\n", "\n")


async def test_an_invitee_is_invited_then_reminded_once_each_with_a_link_to_register(
    service: Service,
) -> None:
    closes = (utc_now() + timedelta(days=10)).replace(hour=16, minute=0, second=0, microsecond=0)
    service.others.add_person(INVITEE, "Joan Clarke", "joan@example.com", "Europe/London")
    await deliver(service.runtime, program(registration_closes_at=closes))
    first = invitation()
    await deliver(service.runtime, first)
    await deliver(service.runtime, first)  # redelivered: still one message
    (message,) = await received(service.mailbox, 1)
    assert to(message) == "Joan Clarke <joan@example.com>"
    assert str(message["Subject"]) == "You are invited to join Pilot"
    text = plain(message)
    assert text.startswith("Hello Joan Clarke,\n\nYou are invited to join Pilot")
    link = f"{service.settings.portal_base_url}/programs/{PROGRAM}/register"
    assert f"Register now: {link}\n" in text
    assert f'href="{link}"' in body(message, "html")
    assert "Registration closes on" in text
    assert "(Europe/London)" in text
    assert "because you were invited to join Pilot" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert service.others.contact_credentials == [f"Bearer {DEV_NOTIFIER_TOKEN}"]

    await deliver(service.runtime, reminder(1))
    await deliver(service.runtime, reminder(1))
    await deliver(service.runtime, reminder(2))
    messages = await received(service.mailbox, 3)
    await service.dispatcher.run_once()
    assert len(service.mailbox.messages) == 3
    reminders = [m for m in messages if str(m["Subject"]).startswith("Reminder")]
    assert len(reminders) == 2
    assert all("have not registered yet" in plain(m) for m in reminders)
    assert all(f"Register now: {link}" in plain(m) for m in reminders)


async def test_an_unknown_or_deactivated_invitee_is_failed_not_retried(service: Service) -> None:
    gone = dev_person_id("e-gone")
    service.others.add_person(gone, "Gone", "gone@example.com", active=False)
    await deliver(service.runtime, program())
    await deliver(service.runtime, invitation(dev_person_id("e-unknown"), "inv-2"))
    await deliver(service.runtime, invitation(gone, "inv-3"))
    for _ in range(40):
        await service.dispatcher.run_once()
        listed = await service.client.get("/v1/deliveries?status=failed", headers=ADMIN)
        if len(listed.json()["deliveries"]) == 2:
            break
    errors = sorted(d["error"] for d in listed.json()["deliveries"])
    assert errors == ["inactive", "no_contact"]
    assert service.mailbox.messages == []


async def test_an_erased_invitee_gets_nothing_and_leaves_nothing(service: Service) -> None:
    erased = dev_person_id("e-erased")
    service.others.add_person(erased, "Erased", "erased@example.com")
    await deliver(service.runtime, program())
    now = utc_now()
    quiet = {
        "start": (now - timedelta(hours=1)).strftime("%H:%M"),
        "end": (now + timedelta(hours=2)).strftime("%H:%M"),
    }
    chosen = await service.client.put(
        "/v1/me/notification-preferences",
        headers=bearer(participant_token("e-erased")),
        json={"quiet_hours": quiet, "time_zone": "UTC"},
    )
    assert chosen.status_code == 200, chosen.text
    await deliver(service.runtime, invitation(erased, "inv-4"))  # held by quiet hours
    await deliver(service.runtime, DirectoryPersonErased(person_id=erased, erased_at=utc_now()))
    await deliver(service.runtime, invitation(erased, "inv-5"))  # late: plans nothing
    database = service.runtime.database
    for name in await database.list_collection_names():
        found = await database[name].find_one(
            {"$or": [{"person_id": erased}, {"recipient_id": erased}, {"_id": erased}]}
        )
        assert found is None, name
    await service.dispatcher.run_once()
    assert service.mailbox.messages == []


async def test_managers_named_by_employee_id_are_reached_through_the_directory(
    service: Service,
) -> None:
    manager = dev_person_id("e-manager")
    service.others.add_person(manager, "Mia Manager", "mia@example.com")
    await deliver(service.runtime, program())
    changed = await service.client.patch(
        f"/v1/programs/{PROGRAM}/notification-settings",
        headers=ADMIN,
        json={
            "managers": [
                {"employee_id": "e-manager", "language": "fr"},
                {"name": "Team mailbox", "email": "team@example.com"},
            ]
        },
    )
    assert changed.status_code == 200, changed.text
    shown = changed.json()["managers"]
    assert shown[0]["person_id"] == manager
    assert shown[0]["email"] is None  # read from the directory when a message goes
    assert shown[1]["email"] == "team@example.com"
    both = await service.client.patch(
        f"/v1/programs/{PROGRAM}/notification-settings",
        headers=ADMIN,
        json={"managers": [{"employee_id": "e-x", "email": "x@example.com", "name": "X"}]},
    )
    assert both.status_code == 422
    assert both.json()["errors"][0]["field"] == "body.managers.0"

    proposed = example(
        MatchingRunProposed,
        program_id=PROGRAM,
        requires_approval=True,
        part=1,
        mentees_matched=9,
        mentees_considered=10,
        mentors_considered=6,
    )
    await deliver(service.runtime, proposed)
    messages = await received(service.mailbox, 2)
    assert sorted(map(to, messages)) == [
        "Mia Manager <mia@example.com>",
        "Team mailbox <team@example.com>",
    ]
    to_mia = next(m for m in messages if "mia@" in to(m))
    assert str(to_mia["Subject"]) == "Une proposition d\u2019appariement pour Pilot est prête"
    link = f"/console/programs/{PROGRAM}/matching/runs/{proposed.run_id}"
    assert link in plain(to_mia)
    assert "en tant que responsable de Pilot" in plain(to_mia)
    assert f"Bearer {DEV_NOTIFIER_TOKEN}" in service.others.contact_credentials

    service.others.health = {"inactive_pairs": [{"pair_id": "a"}]}
    now = utc_now()
    monday = now - timedelta(days=now.weekday())
    service.mailbox.clear()
    assert await service.scheduled.health_digests(monday) == 1
    digests = await received(service.mailbox, 2)
    assert sorted(map(to, digests)) == [
        "Mia Manager <mia@example.com>",
        "Team mailbox <team@example.com>",
    ]

    await deliver(service.runtime, DirectoryPersonErased(person_id=manager, erased_at=utc_now()))
    after = await service.client.get(f"/v1/programs/{PROGRAM}/notification-settings", headers=ADMIN)
    assert [m["email"] for m in after.json()["managers"]] == ["team@example.com"]


async def test_the_programs_own_managers_get_its_proposals_and_digest_through_the_directory(
    service: Service,
) -> None:
    boss, deputy = dev_person_id("e-boss"), dev_person_id("e-deputy")
    service.others.add_person(boss, "Barbara Boss", "barbara@example.com")
    service.others.add_person(deputy, "Dan Deputy", "dan@example.com")
    await deliver(service.runtime, program(managers=(boss, deputy)))
    listed = await service.client.patch(  # the deputy also set here: still one message
        f"/v1/programs/{PROGRAM}/notification-settings",
        headers=ADMIN,
        json={"managers": [{"employee_id": "e-deputy"}]},
    )
    assert listed.status_code == 200, listed.text
    proposed = example(MatchingRunProposed, program_id=PROGRAM, requires_approval=True, part=1)
    await deliver(service.runtime, proposed)
    messages = await received(service.mailbox, 2)
    await service.dispatcher.run_once()
    assert sorted(to(m.parsed()) for m in service.mailbox.messages) == [
        "Barbara Boss <barbara@example.com>",
        "Dan Deputy <dan@example.com>",
    ]
    to_boss = next(m for m in messages if "barbara@" in to(m))
    assert "as a manager of Pilot" in plain(to_boss)
    assert to_boss["List-Unsubscribe"] is None

    service.others.health = {"inactive_pairs": []}
    service.mailbox.clear()
    now = utc_now()
    assert await service.scheduled.health_digests(now - timedelta(days=now.weekday())) == 1
    digests = await received(service.mailbox, 2)
    assert sorted(map(to, digests)) == [
        "Barbara Boss <barbara@example.com>",
        "Dan Deputy <dan@example.com>",
    ]
    assert "Nothing needs your attention this week" in plain(digests[0])
