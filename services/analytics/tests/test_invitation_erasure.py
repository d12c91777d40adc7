"""The directory erasing a person deletes the invitations analytics keeps of them, in any order.

Invitations (`InvitationSent`, `InvitationReminderSent`, the registration funnel's) are kept
under the invitee's person key, as HRIS outcomes are, and go the same way (`ERASED_WITH_PERSON`):
`DirectoryPersonErased` deletes them in the transaction that marks the person erased; one of
theirs folded after it (delivered again, or its topic behind the directory's) is not stored;
and a database from before (layout below 5) loses those it kept at start-up. The funnel is
computed per read from the invitations, and invitations feed no counter: the counters stay
as they were, and the registration report differs only by the erased invitee's place in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import permutations
from typing import Any

import pytest

from analytics.adapters.read_models import RM_PREFIX, ReadModels
from analytics.app import build_app
from analytics.domain import reports
from analytics.domain.aggregates import effects_of
from analytics.domain.documents import (
    ERASED_WITH_PERSON,
    DirectoryFacts,
    InvitationFact,
    OutcomeFact,
    ParticipantFact,
    PersonFact,
)
from analytics.domain.facts import directory_key
from analytics.settings import AnalyticsSettings
from analytics.usecases.projection import Projected, Projection
from analytics.usecases.rebuild import AGGREGATES_VERSION, Rebuilder
from analytics.usecases.reports import ReportService
from mentorship_contracts import CATALOG, Envelope, IntegrationEvent
from mentorship_contracts.envelope import wrap
from mentorship_contracts.events import (
    DirectoryPersonChanged,
    DirectoryPersonErased,
    InvitationReminderSent,
    InvitationSent,
    OutcomeRecorded,
    ParticipantRegistered,
    ProgramCreated,
)
from mentorship_contracts.examples import example
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer
from mentorship_kit.mongo import Database, create_client
from mentorship_kit.outbox import Transaction

from .memory import Store, project
from .stored import transactor_on

PROGRAM = "prog-invitations"
START = datetime(2027, 1, 4, 9, tzinfo=UTC)
ERASED, KEPT, NEWCOMER = "person-erased", "person-kept", "person-newcomer"
INVITATIONS = f"{RM_PREFIX}{InvitationFact.collection}"


def _envelope(event: IntegrationEvent, minutes: int) -> Envelope[Any]:
    key = CATALOG.route(event).key_of(event)
    return wrap(
        event, source="test", aggregate_id=key, occurred_at=START + timedelta(minutes=minutes)
    )


def _invited(
    person_id: str, department: str, minutes: int, invitation_id: str = ""
) -> Envelope[Any]:
    event = example(
        InvitationSent,
        invitation_id=invitation_id or f"inv-{person_id}",
        program_id=PROGRAM,
        person_id=person_id,
        department=department,
        sent_at=START + timedelta(minutes=minutes),
    )
    return _envelope(event, minutes)


def _reminded(person_id: str, reminder: int, minutes: int) -> Envelope[Any]:
    event = example(
        InvitationReminderSent,
        invitation_id=f"inv-{person_id}",
        program_id=PROGRAM,
        person_id=person_id,
        reminder=reminder,
        sent_at=START + timedelta(minutes=minutes),
    )
    return _envelope(event, minutes)


def _registered(person_id: str, minutes: int) -> Envelope[Any]:
    event = example(
        ParticipantRegistered,
        participant_id=f"part-{person_id}",
        program_id=PROGRAM,
        person_id=person_id,
        registered_at=START + timedelta(minutes=minutes),
    )
    return _envelope(event, minutes)


PRELUDE = (
    _envelope(example(ProgramCreated, program_id=PROGRAM), 0),
    _envelope(example(DirectoryPersonChanged, person_id=ERASED, department="design"), 1),
    _envelope(example(DirectoryPersonChanged, person_id=KEPT, department="engineering"), 2),
)
INVITED, INVITED_KEPT, REMINDED = (
    _invited(ERASED, "design", 3),
    _invited(KEPT, "engineering", 4),
    _reminded(ERASED, 1, 5),
)
ERASURE = _envelope(example(DirectoryPersonErased, person_id=ERASED), 60)


def _history() -> list[Envelope[Any]]:
    """Two people invited (one reminded), both registered; the first has an outcome too."""
    return [
        *PRELUDE,
        INVITED,
        INVITED_KEPT,
        REMINDED,
        _registered(ERASED, 6),
        _registered(KEPT, 7),
        _envelope(example(OutcomeRecorded, outcome_id="out-erased", person_id=ERASED), 8),
    ]


def test_the_funnel_is_computed_per_read_as_invitations_feed_no_counter() -> None:
    """Why an erasure moves no counter: invitations and outcomes have no effects at all; the
    funnel and the outcomes report read them whole on each request
    (`ReadModels.directory_facts`, `OrganisationModels.outcomes`)."""
    store = project(_history(), [len(_history())])
    documents = [d for d in store.documents.values() if isinstance(d, ERASED_WITH_PERSON)]
    assert {type(d) for d in documents} == set(ERASED_WITH_PERSON)
    for document in documents:
        effects = effects_of(document)
        assert (effects.counts, effects.entries, effects.links) == ({}, {}, {})


def _funnel(store: Store) -> dict[str, Any]:
    """The funnel as the service computes it per read, from the store's documents."""
    facts = DirectoryFacts(
        program_id=PROGRAM,
        invitations=store.of_kind(InvitationFact),
        participants=store.of_kind(ParticipantFact),
        people={person.id: person for person in store.of_kind(PersonFact)},
    )
    return reports.invitation_funnel(facts).model_dump(mode="json")


@pytest.mark.parametrize("batch_size", [1, 2, 5])
def test_an_erased_persons_invitations_go_whatever_the_order(batch_size: int) -> None:
    racing = [INVITED, REMINDED, INVITED_KEPT, _registered(ERASED, 6), ERASURE]
    without = project([*PRELUDE, *(e for e in racing if e not in (INVITED, REMINDED))], [1])
    for order in permutations(racing):
        store = project([*PRELUDE, *order], [batch_size])
        invitations = store.of_kind(InvitationFact)
        assert [i.id for i in invitations] == [f"inv-{KEPT}"], [e.event_type for e in order]
        assert store.settled()[1:] == without.settled()[1:]  # counters and sets alike
        assert _funnel(store)["invited"] == 1


async def _project(database: Database, batch: Sequence[Envelope[Any]]) -> Projected:
    projection = Projection(ReadModels(database))
    return await transactor_on(database).run(lambda tx: projection.project(batch, tx))


async def _invitations_of(database: Database, person_id: str) -> list[str]:
    cursor = database[INVITATIONS].find({"person_key": directory_key(person_id)})
    return sorted([document["_id"] async for document in cursor])


async def _registration(database: Database) -> dict[str, Any]:
    service = ReportService(ReadModels(database), inactive_after_days=45)
    return (await service.registration(PROGRAM)).model_dump(mode="json")


class _AbortedError(Exception):
    """Raised after the erasure's projection, to roll its transaction back."""


@pytest.mark.integration
async def test_the_erasure_deletes_the_invitations_in_its_transaction(database: Database) -> None:
    models = ReadModels(database)
    await _project(database, _history())
    assert await _invitations_of(database, ERASED) == [f"inv-{ERASED}"]
    before = await _registration(database)
    assert (before["invitations"]["invited"], before["invitations"]["registered"]) == (2, 2)
    counters = await models.counters_by_program()

    async def erase_then_fail(tx: Transaction) -> None:
        await Projection(models).project([ERASURE], tx)
        raise _AbortedError

    with pytest.raises(_AbortedError):
        await transactor_on(database).run(erase_then_fail)
    assert await _invitations_of(database, ERASED) == [f"inv-{ERASED}"], "rolled back together"
    person = await database[f"{RM_PREFIX}people"].find_one({"_id": directory_key(ERASED)})
    assert person is not None
    assert not person["erased"]

    projected = await _project(database, [ERASURE])

    assert projected.written == {
        f"{RM_PREFIX}people": 1,
        INVITATIONS: 1,
        f"{RM_PREFIX}{OutcomeFact.collection}": 1,
    }
    assert await _invitations_of(database, ERASED) == []
    assert await _invitations_of(database, KEPT) == [f"inv-{KEPT}"]
    assert await models.counters_by_program() == counters, "invitations feed no counter"
    after = await _registration(database)
    assert after["invitations"] == {
        "invited": 1,
        "registered": 1,
        "registration_rate": 1.0,
        "reminded": 0,
        "by_department": [{"department": "engineering", "invited": 1, "registered": 1}],
        "by_day": [{"day": "2027-01-04", "invited": 1, "registered": 1}],
    }
    assert {k: v for k, v in after.items() if k != "invitations"} == {
        k: v for k, v in before.items() if k != "invitations"
    }
    facts = await models.directory_facts(PROGRAM, funnel=True)
    assert directory_key(ERASED) not in facts.people, "the funnel reads nothing of them now"


@pytest.mark.integration
async def test_an_invitation_folded_after_the_erasure_is_not_stored(database: Database) -> None:
    await _project(database, _history())
    await _project(database, [ERASURE])
    late = [
        INVITED,  # delivered again: the same event, its document gone
        _reminded(ERASED, 2, 30),  # stamped before the erasure, folded after it
        _invited(ERASED, "design", 90, "inv-again"),  # a new invitation, after the erasure
    ]
    for envelope in late:
        assert (await _project(database, [envelope])).written == {}
        assert await _invitations_of(database, ERASED) == []

    together = await _project(database, [*late, _invited(NEWCOMER, "sales", 91)])

    assert together.written == {INVITATIONS: 1}, "only the newcomer's invitation is stored"
    assert await _invitations_of(database, ERASED) == []
    assert await _invitations_of(database, NEWCOMER) == [f"inv-{NEWCOMER}"]
    funnel = (await _registration(database))["invitations"]
    assert (funnel["invited"], funnel["reminded"]) == (2, 0)


async def _insert(database: Database, *documents: PersonFact | InvitationFact) -> None:
    for document in documents:
        collection = database[f"{RM_PREFIX}{document.collection}"]
        await collection.insert_one(document.model_dump(by_alias=True))


@pytest.mark.integration
@pytest.mark.parametrize("stored_version", [3, 4])
async def test_invitations_kept_from_erasures_before_go_at_start_up(
    database: Database, stored_version: int
) -> None:
    """A database the projection wrote before layout 5 kept the invitations of people erased
    since: `migrate` deletes them, once, whichever earlier layout it was at."""
    models = ReadModels(database)
    erased, kept = directory_key(ERASED), directory_key(KEPT)
    await _insert(
        database,
        PersonFact(id=erased, program_id="", erased=True),
        PersonFact(id=kept, program_id=""),
        InvitationFact(id="inv-1", program_id=PROGRAM, person_key=erased, sent_at=START),
        InvitationFact(id="inv-2", program_id="prog-other", person_key=erased, reminders=2),
        InvitationFact(id="inv-3", program_id=PROGRAM, person_key=kept, sent_at=START),
    )
    await models.set_schema_version(stored_version)
    assert (await _registration(database))["invitations"]["invited"] == 1

    await Rebuilder(models, transactor_on(database)).migrate()

    assert sorted([d["_id"] async for d in database[INVITATIONS].find({})]) == ["inv-3"]
    assert await models.schema_version() == AGGREGATES_VERSION >= 5
    assert (await _registration(database))["invitations"]["invited"] == 1
    assert await models.forget_erased() == {}, "nothing is left to delete"
    await Rebuilder(models, transactor_on(database)).migrate()
    assert sorted([d["_id"] async for d in database[INVITATIONS].find({})]) == ["inv-3"]


@pytest.mark.integration
async def test_the_service_forgets_the_invitations_and_takes_no_late_one(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    """Through Kafka: the invitations' topic is keyed by program, the directory's by person,
    so an invitation sent before the erasure may well be projected after it."""
    settings = make_settings(AnalyticsSettings)
    admin = bearer(DEV_ADMIN_TOKEN)
    mongo = create_client(settings.mongodb_url, app_name="test")
    database = mongo[settings.mongodb_database]

    async def publish(events: Sequence[Envelope[Any]]) -> None:
        await publish_events(settings.kafka_bootstrap, events, prefix=settings.kafka_topic_prefix)

    async with serve_app(build_app(settings)) as client:

        async def funnel() -> dict[str, Any]:
            response = await client.get(
                f"/v1/programs/{PROGRAM}/reports/registration", headers=admin
            )
            return dict(response.json()["invitations"]) if response.status_code == 200 else {}

        await publish(_history())
        await eventually(funnel, lambda found: found.get("registered") == 2, timeout_s=60)
        assert await _invitations_of(database, ERASED) == [f"inv-{ERASED}"]

        await publish([ERASURE])
        await eventually(lambda: _invitations_of(database, ERASED), lambda found: found == [])
        assert (await funnel())["invited"] == 1

        # Late ones, then a newcomer's on the same partition (one program): once the
        # newcomer's is counted, the late ones were projected before it.
        await publish([_reminded(ERASED, 2, 30), _invited(ERASED, "design", 90, "inv-again")])
        await publish([_invited(NEWCOMER, "sales", 91)])
        found = await eventually(funnel, lambda found: found.get("invited") == 2)
        assert [row["department"] for row in found["by_department"]] == ["engineering", "sales"]
        assert await _invitations_of(database, ERASED) == []
    await mongo.close()
