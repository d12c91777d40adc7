"""Outcomes' messages: a mentor's recognition, and 360 raters invited with their answer link.

Raters are no participants: the manager and a peer named by employee id are reached through
registration's directory by person id (their preferences apply), a peer named by e-mail at the
address feedback keeps; the link itself is read from feedback when the message goes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentorship_contracts.events import MentorRecognized, ParticipantErased, RaterInvited
from mentorship_contracts.types import AssessmentMoment, RaterKind, RecognitionSource, utc_now
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer, dev_person_id, participant_token

from .conftest import Service
from .scenario import EMPLOYEES, MENTEE, MENTOR, PROGRAM, program, registered
from .support import deliver
from .test_email import body, received, to
from .test_invitations import plain

pytestmark = pytest.mark.integration
BOSS = dev_person_id("e-boss")
PAL = dev_person_id("e-pal")


def recognized(recognition_id: str = "rec-1") -> MentorRecognized:
    return MentorRecognized(
        recognition_id=recognition_id,
        program_id=PROGRAM,
        participant_id=MENTOR,
        source=RecognitionSource.RULE,
        sessions_held=8,
        average_rating=4.75,
        recognized_at=utc_now(),
    )


def invited(request_id: str, kind: RaterKind, person_id: str | None) -> RaterInvited:
    return RaterInvited(
        request_id=request_id,
        program_id=PROGRAM,
        participant_id=MENTEE,
        rater_kind=kind,
        moment=AssessmentMoment.BASELINE,
        rater_person_id=person_id,
        expires_at=utc_now() + timedelta(days=21),
        invited_at=utc_now(),
    )


async def test_a_recognised_mentor_is_told_once_in_their_language_unless_they_stopped_it(
    service: Service,
) -> None:
    service.others.add(MENTOR, "Grace Hopper", "grace@example.com", "America/New_York")
    await deliver(service.runtime, program())
    await deliver(service.runtime, registered(MENTOR, "mentor", languages=("fr",)))
    await received(service.mailbox, 1)  # the registration's confirmation
    service.mailbox.clear()
    await deliver(service.runtime, recognized())
    await deliver(service.runtime, recognized())  # redelivered: one message
    (message,) = await received(service.mailbox, 1)
    await service.dispatcher.run_once()
    assert len(service.mailbox.messages) == 1
    assert to(message) == "Grace Hopper <grace@example.com>"
    assert str(message["Subject"]) == "Votre mentorat dans Pilot est salué"
    text = plain(message)
    assert "Votre mentorat a atteint le seuil de reconnaissance de Pilot." in text
    assert (
        "Vous avez tenu 8\u00a0séances avec vos mentoré(e)s, qui les ont notées 4,8\u00a0sur\u00a05"
        in text
    )
    # It leads to the page where the mentor may write an impact story.
    portal = service.settings.portal_base_url
    assert f"Écrire un témoignage\u00a0: {portal}/me/stories\n" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The mentor stops recognitions: the next one plans nothing.
    stopped = await service.client.put(
        "/v1/me/notification-preferences",
        headers=bearer(participant_token(EMPLOYEES[MENTOR])),
        json={"unsubscribed": ["mentor_recognized"]},
    )
    assert stopped.status_code == 200, stopped.text
    await deliver(service.runtime, recognized("rec-2"))
    await service.dispatcher.run_once()
    assert len(service.mailbox.messages) == 1

    # An erased mentor is told nothing.
    await deliver(
        service.runtime,
        ParticipantErased(
            participant_id=MENTOR,
            program_id=PROGRAM,
            person_id=dev_person_id(EMPLOYEES[MENTOR]),
            erased_at=utc_now(),
        ),
    )
    await deliver(service.runtime, recognized("rec-3"))
    await service.dispatcher.run_once()
    assert len(service.mailbox.messages) == 1


async def test_manager_and_peers_get_their_own_answer_link(service: Service) -> None:
    service.others.add(MENTEE, "Ada Lovelace", "ada@example.com")
    service.others.add_person(BOSS, "Mia Manager", "mia@example.com", "Europe/London")
    service.others.add_person(PAL, "Pat Peer", "pat@example.com")
    for request_id, email in (("rr-boss", None), ("rr-pal", None), ("rr-kim", "kim@example.com")):
        service.others.raters[request_id] = {
            "request_id": request_id,
            "path": f"/v1/skills/rater-links/token-{request_id}.sig",
            "email": email,
        }
    await deliver(service.runtime, program())
    await deliver(service.runtime, registered(MENTEE, "mentee"))
    await received(service.mailbox, 1)  # the registration's confirmation
    service.mailbox.clear()
    # The peer named by employee id prefers French.
    chosen = await service.client.put(
        "/v1/me/notification-preferences",
        headers=bearer(participant_token("e-pal")),
        json={"language": "fr"},
    )
    assert chosen.status_code == 200, chosen.text
    await deliver(service.runtime, invited("rr-boss", RaterKind.MANAGER, BOSS))
    await deliver(service.runtime, invited("rr-pal", RaterKind.PEER, PAL))
    await deliver(service.runtime, invited("rr-kim", RaterKind.PEER, None))
    await deliver(service.runtime, invited("rr-kim", RaterKind.PEER, None))  # once
    messages = await received(service.mailbox, 3)
    await service.dispatcher.run_once()
    assert len(service.mailbox.messages) == 3
    by_address = {to(m): m for m in messages}
    assert sorted(by_address) == [
        "Mia Manager <mia@example.com>",
        "Pat Peer <pat@example.com>",
        "kim@example.com",
    ]
    portal = service.settings.portal_base_url
    boss = by_address["Mia Manager <mia@example.com>"]
    assert str(boss["Subject"]) == "Ada Lovelace asks for your view of their skills"
    text = plain(boss)
    assert text.startswith("Hello Mia Manager,\n\nAda Lovelace takes part in Pilot")
    assert "as their manager" in text
    assert f"Give your view: {portal}/skills/rater-links/token-rr-boss.sig\n" in text
    assert "(Europe/London)" in text
    assert "you are not signed up to anything" in text
    pal = by_address["Pat Peer <pat@example.com>"]
    assert " ".join(str(pal["Subject"]).split()) == (
        "Ada Lovelace vous demande votre avis sur ses compétences"
    )
    assert f"{portal}/skills/rater-links/token-rr-pal.sig" in plain(pal)
    assert "jamais une par une" in plain(pal)
    kim = by_address["kim@example.com"]
    assert "never one by one" in plain(kim)
    assert f'href="{portal}/skills/rater-links/token-rr-kim.sig"' in body(kim, "html")
    assert kim["List-Unsubscribe"] is None  # nobody the service knows: nothing to stop
    assert "token-rr-pal" not in plain(kim)


async def test_a_withdrawn_rater_request_fails_without_retrying(service: Service) -> None:
    service.others.add(MENTEE, "Ada Lovelace", "ada@example.com")
    await deliver(service.runtime, program())
    await deliver(service.runtime, invited("rr-gone", RaterKind.PEER, None))
    for _ in range(40):
        await service.dispatcher.run_once()
        listed = await service.client.get(
            "/v1/deliveries?status=failed", headers=bearer(DEV_ADMIN_TOKEN)
        )
        if listed.status_code == 200 and listed.json()["deliveries"]:
            break
    assert [d["error"] for d in listed.json()["deliveries"]] == ["no_contact"]
    assert service.mailbox.messages == []
