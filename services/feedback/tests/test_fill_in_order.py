"""A pair's members filled in before their registrations arrive lose nothing of them.

`PairCreated` and the registrations come on independent topics, so a pair can name a
member feedback has not heard of yet: feedback fills them in from the pair as a placeholder.
Whatever order the events arrive in (one per batch or all in one) and whatever their times,
the stored participant is the same: the registration's, skills and manager included.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.domain.membership import Identity, Known, identities_applied, pair_members
from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_contracts.catalog import CATALOG
from mentorship_contracts.envelope import wrap
from mentorship_contracts.events import PairCreated, ParticipantRegistered, ParticipantUpdated
from mentorship_contracts.examples import example
from mentorship_contracts.types import ParticipantRole
from mentorship_devstack.pytest_plugin import SettingsFactory
from mentorship_kit.outbox import Transaction

from .test_batched_facts import Feedback, feedback

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
MENTOR, MENTEE, BOTH = ParticipantRole.MENTOR, ParticipantRole.MENTEE, ParticipantRole.BOTH


def real(person: str, as_of: datetime, skills: tuple[str, ...] = ()) -> Identity:
    return Identity("e1", person, "prog", MENTEE, as_of, skills=skills, manager_person_id="boss")


def pair_at(as_of: datetime) -> Identity:
    return Identity("e1", "from the pair", "prog", MENTEE, as_of, placeholder=True)


def test_a_registration_older_than_the_pair_replaces_its_placeholder() -> None:
    placeholder_stored = {"e1": Known(T0 + timedelta(days=1), placeholder=True)}

    applied = identities_applied(placeholder_stored, [real("registered", T0, ("a",))], set())

    assert applied["e1"].skills == ("a",)


def test_a_placeholder_never_replaces_a_registration_nor_another_placeholder() -> None:
    later = T0 + timedelta(days=1)
    assert identities_applied({"e1": Known(T0)}, [pair_at(later)], set()) == {}
    assert identities_applied({"e1": Known(T0, placeholder=True)}, [pair_at(later)], set()) == {}


def test_registrations_keep_their_own_versions_over_a_placeholder() -> None:
    """Newer registration wins, older is skipped, whether the placeholder came first or not."""
    older, newer = real("older", T0, ("old",)), real("newer", T0 + timedelta(hours=1), ("new",))
    pair = pair_at(T0 + timedelta(days=1))

    for incoming in itertools.permutations([older, newer, pair]):
        assert identities_applied({}, incoming, set())["e1"] is newer


_EVENTS = {
    "registered": real("registered", T0, ("a", "b")),
    "updated": real("updated", T0 + timedelta(minutes=5), ("c",)),
    "pair": pair_at(T0 + timedelta(minutes=2)),
}


@given(
    order=st.permutations(sorted(_EVENTS)),
    cuts=st.sets(st.integers(min_value=1, max_value=len(_EVENTS) - 1)),
)
def test_any_order_and_batching_stores_the_newest_registration(
    order: list[str], cuts: set[int]
) -> None:
    """Events split into batches at ``cuts``, each batch applied to what the last stored."""
    stored: dict[str, Known] = {}
    final: dict[str, Identity] = {}
    bounds = [0, *sorted(cuts), len(order)]
    for start, end in itertools.pairwise(bounds):
        applied = identities_applied(stored, [_EVENTS[name] for name in order[start:end]], set())
        final |= applied
        stored |= {key: Known(found.as_of, found.placeholder) for key, found in applied.items()}

    assert final["e1"] is _EVENTS["updated"]


def test_the_placeholders_are_the_pairs_members() -> None:
    pair = paired()
    mentor, mentee = pair_members(pair, T0)
    assert (mentor.participant_id, mentor.role, mentor.placeholder) == ("m1", MENTOR, True)
    assert (mentee.participant_id, mentee.person_id, mentee.role) == ("e1", "person-e1", MENTEE)


def paired(n: str = "1") -> PairCreated:
    return example(
        PairCreated,
        pair_id=f"pair-{n}",
        program_id="prog",
        mentor_participant_id=f"m{n}",
        mentee_participant_id=f"e{n}",
        mentor_person_id=f"person-m{n}",
        mentee_person_id=f"person-e{n}",
    )


def registration(
    kind: type[ParticipantRegistered] | type[ParticipantUpdated],
    participant_id: str,
    role: ParticipantRole,
    skills: tuple[str, ...],
    manager: str,
) -> IntegrationEvent:
    profile = example(ParticipantRegistered).profile.model_copy(update={"skills_wanted": skills})
    return example(
        kind,
        participant_id=participant_id,
        person_id=f"person-{participant_id}",
        program_id="prog",
        role=role,
        capacity=1 if role is not MENTEE else 0,
        reporting_line=(manager, "person-ceo"),
        profile=profile,
    )


def timeline(n: str) -> dict[str, tuple[IntegrationEvent, datetime]]:
    """One pair's events, each with when it happened: the pair comes after the registrations."""
    return {
        "mentor registered": (
            registration(ParticipantRegistered, f"m{n}", BOTH, ("coaching",), "person-mb"),
            T0,
        ),
        "mentee registered": (
            registration(ParticipantRegistered, f"e{n}", MENTEE, ("delegation",), "person-eb"),
            T0 + timedelta(minutes=1),
        ),
        "mentee updated": (
            registration(
                ParticipantUpdated, f"e{n}", MENTEE, ("delegation", "negotiation"), "person-eb2"
            ),
            T0 + timedelta(minutes=3),
        ),
        "pair created": (paired(n), T0 + timedelta(minutes=10)),
    }


def sealed(event: IntegrationEvent, occurred_at: datetime) -> Envelope[Any]:
    return wrap(
        event,
        source="test",
        aggregate_id=CATALOG.route(event).key_of(event),
        occurred_at=occurred_at,
    )


async def deliver(
    service: Feedback, batches: Sequence[Sequence[tuple[IntegrationEvent, datetime]]]
) -> None:
    """Each batch in a transaction of its own, each event stamped with its time."""
    handlers = service.runtime.handlers
    for batch in batches:

        async def handle(tx: Transaction, batch: Sequence[Any] = batch) -> None:
            for event, at in batch:
                handler = handlers.handler_for(event.event_type, event.schema_version)
                assert handler is not None
                await handler(sealed(event, at), tx)

        await service.transactor.run(handle)


_ORDERS = list(itertools.permutations(sorted(timeline("x"))))


@pytest.mark.integration
async def test_every_delivery_order_stores_the_same_participants(
    make_settings: SettingsFactory,
) -> None:
    """Every order of one pair's events, one per batch and all in one, gives one document."""
    async with feedback(make_settings) as service:
        participants = service.directory._participants
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        for number, order in enumerate(_ORDERS):
            for batched in (False, True):
                n = f"{number}{'b' if batched else 's'}"
                events = [timeline(n)[name] for name in order]
                await deliver(service, [events] if batched else [[event] for event in events])

                for member in ("m", "e"):
                    document = await participants.find_one({"_id": f"{member}{n}"}, {"_id": 0})
                    assert document is not None, (order, batched)
                    document["person_id"] = document["person_id"].replace(n, "")
                    seen[(member, f"{order}, batched={batched}")] = document

        expected = {
            "m": {
                "person_id": "person-m",
                "program_id": "prog",
                "role": "both",
                "as_of": T0.replace(tzinfo=None),
                "placeholder": False,
                "skills": ["coaching"],
                "manager_person_id": "person-mb",
            },
            "e": {
                "person_id": "person-e",
                "program_id": "prog",
                "role": "mentee",
                "as_of": (T0 + timedelta(minutes=3)).replace(tzinfo=None),
                "placeholder": False,
                "skills": ["delegation", "negotiation"],
                "manager_person_id": "person-eb2",
            },
        }
        for (member, how), document in seen.items():
            stored = {**document, "as_of": document["as_of"].replace(tzinfo=None)}
            assert stored == expected[member], how
        assert len(seen) == 2 * 2 * len(_ORDERS)


@pytest.mark.integration
async def test_a_pair_before_the_registrations_then_a_360_rating_sees_the_skills(
    make_settings: SettingsFactory,
) -> None:
    """The reported case: pair first, older registration second; skills and manager kept."""
    async with feedback(make_settings) as service:
        events = timeline("r")
        order = ("pair created", "mentee registered", "mentor registered")

        await deliver(service, [[events[name]] for name in order])

        directory = service.directory
        assert await directory.skills_of("er") == ("delegation",)
        assert await directory.manager_of("er") == "person-eb"
        assert await directory.skills_of("mr") == ("coaching",)
        mentor = await directory.participant_in("person-mr", "prog")
        assert mentor is not None
        assert mentor.role is BOTH  # the registration's role, not the pair's
        assert await directory.pairs.get("pair-r") is not None  # the pair itself is kept
