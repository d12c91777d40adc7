"""The HRIS outcome import: rows checked one by one, pseudonymised, recorded once, announced.

And their erasure: every outcome of an employee deleted and `OutcomesErased` staged in one
transaction, refused without the pseudonym key, idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, cast

import httpx
import pytest
from pymongo.asynchronous.client_session import AsyncClientSession

from feedback.adapters.records import Records
from feedback.app import build_app
from feedback.domain.outcomes import Outcome, OutcomeFileError, parse_csv, record_outcomes
from feedback.settings import FeedbackSettings
from feedback.usecases.outcome_erasure import OutcomeErasure
from feedback.usecases.outcomes import OutcomeImport
from mentorship_contracts import Envelope, decode
from mentorship_contracts.events import DirectoryPersonErased, OutcomeRecorded, OutcomesErased
from mentorship_contracts.topics import DEVELOPMENT
from mentorship_contracts.types import OutcomeKind
from mentorship_devstack.kafka_tools import publish_events, read_topic
from mentorship_devstack.pytest_plugin import AppServer, SettingsFactory, eventually
from mentorship_devstack.tokens import dev_person_id
from mentorship_kit.mongo import ensure_indexes
from mentorship_kit.outbox import OUTBOX_COLLECTION, OutboxRecord
from mentorship_kit.pseudonyms import Pseudonyms
from mentorship_kit.runtime import ServiceRuntime

from .scenario import ADMIN, as_person, problems

TODAY = date(2027, 6, 1)
NOW = datetime(2027, 6, 1, 9, tzinfo=UTC)

CSV = """employee_id,kind,date,voluntary,band
e-1,promotion,2027-03-01,,
e-2,exit,2027-04-15,yes,
e-3,exit,2027-04-15,,
e-4,performance_band,2027-01-10,,7
e-5,promotoin,2026-02-01,,
e-6,role_change,2027-13-01,,
,promotion,2026-02-01,,
e-7,department_change,2099-01-01,,
e-1,promotion,2027-03-01,,
e-8,performance_band,2027-01-10,,4
e-9,hired,2019-05-01,true,
"""


def test_each_bad_row_is_named_by_its_line_and_field() -> None:
    rows, problems = parse_csv(CSV, today=TODAY)
    assert [(row.line, row.employee_id, row.kind) for row in rows] == [
        (2, "e-1", OutcomeKind.PROMOTION),
        (3, "e-2", OutcomeKind.EXIT),
        (11, "e-8", OutcomeKind.PERFORMANCE_BAND),
    ]
    assert rows[1].voluntary is True
    assert rows[2].performance_band == 4
    assert [(p.line, p.field) for p in problems] == [
        (4, "voluntary"),
        (5, "band"),
        (6, "kind"),
        (7, "date"),
        (8, "employee_id"),
        (9, "date"),
        (10, "date"),
        (12, "voluntary"),
    ]
    assert "the same outcome as line 2" in problems[6].message


def test_a_file_without_its_required_columns_is_refused_whole() -> None:
    with pytest.raises(OutcomeFileError, match="date"):
        parse_csv("employee_id,kind\ne-1,promotion\n", today=TODAY)
    with pytest.raises(OutcomeFileError, match="empty"):
        parse_csv("", today=TODAY)


def test_the_same_outcome_is_recorded_once_and_a_changed_one_replaced() -> None:
    rows, _ = parse_csv(CSV, today=TODAY)
    first = record_outcomes(rows, person_ids=lambda e: f"p-{e}", stored={}, now=NOW)
    assert len(first.recorded) == len(first.events) == 3
    assert all(isinstance(e, OutcomeRecorded) for e in first.events)
    assert {e.person_id for e in first.events if isinstance(e, OutcomeRecorded)} == {
        "p-e-1",
        "p-e-2",
        "p-e-8",
    }
    stored = {o.outcome_id: o for o in first.recorded}
    again = record_outcomes(rows, person_ids=lambda e: f"p-{e}", stored=stored, now=NOW)
    assert (again.recorded, again.events, again.unchanged) == ((), (), 3)
    changed_rows, _ = parse_csv(
        CSV.replace("e-2,exit,2027-04-15,yes", "e-2,exit,2027-04-15,no"), today=TODAY
    )
    changed = record_outcomes(changed_rows, person_ids=lambda e: f"p-{e}", stored=stored, now=NOW)
    assert [(o.person_id, o.voluntary) for o in changed.recorded] == [("p-e-2", False)]
    assert changed.recorded[0].outcome_id == next(
        o.outcome_id for o in first.recorded if o.person_id == "p-e-2"
    )


@pytest.mark.integration
async def test_outcomes_imported_by_csv_and_api_are_announced_pseudonymously(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    async with serve_app(build_app(settings)) as client:
        csv_body = "employee_id,kind,date,voluntary\ne-100,exit,2026-02-01,false\ne-101,exit,x,\n"
        refused = await client.post(
            "/v1/outcomes/import",
            content=csv_body,
            headers={"content-type": "text/csv", "Authorization": "Bearer nope"},
        )
        assert refused.status_code == 401
        imported = await client.post(
            "/v1/outcomes/import", content=csv_body, headers={"content-type": "text/csv", **ADMIN}
        )
        assert imported.status_code == 200, imported.text
        body = imported.json()
        assert (body["rows"], body["recorded"], body["failed"]) == (2, 1, 1)
        assert {(e["row"], e["field"]) for e in body["errors"]} == {
            (3, "body.date"),
            (3, "body.voluntary"),
        }
        sent = await client.post(
            "/v1/outcomes",
            headers=ADMIN,
            json={
                "outcomes": [
                    {"employee_id": "e-102", "kind": "promotion", "date": "2026-03-01"},
                    {
                        "employee_id": "e-100",
                        "kind": "exit",
                        "date": "2026-02-01",
                        "voluntary": False,
                    },
                    {"employee_id": "e-103", "kind": "performance_band", "date": "2026-01-01"},
                ]
            },
        )
        assert sent.status_code == 200, sent.text
        assert (sent.json()["recorded"], sent.json()["unchanged"]) == (1, 1)
        assert sent.json()["errors"] == [
            {"row": 3, "field": "body.band", "message": "a performance_band row needs a band (1-5)"}
        ]
        bad_file = await client.post(
            "/v1/outcomes/import",
            content="who,what\n",
            headers={"content-type": "text/csv", **ADMIN},
        )
        assert bad_file.status_code == 422
        records = await read_topic(
            settings.kafka_bootstrap,
            f"{settings.kafka_topic_prefix}{DEVELOPMENT.name}",
            until=lambda found: len(found) >= 2,
        )
        events = [decode(record.value).data for record in records]
        assert sorted(
            (e.person_id, e.kind) for e in events if isinstance(e, OutcomeRecorded)
        ) == sorted(
            [
                (dev_person_id("e-100"), OutcomeKind.EXIT),
                (dev_person_id("e-102"), OutcomeKind.PROMOTION),
            ]
        )
        assert all(
            b"e-100" not in record.value and b"e-102" not in record.value for record in records
        )
        # The right of access: the person sees the facts recorded about them, nobody else's.
        export = await client.get("/v1/me/export", headers=as_person("e-100"))
        assert export.status_code == 200, export.text
        (exit_fact,) = export.json()["sections"]["outcomes"]["items"]
        assert (exit_fact["kind"], exit_fact["occurred_on"], exit_fact["voluntary"]) == (
            "exit",
            "2026-02-01",
            False,
        )
        assert "e-100" not in export.text
        other = await client.get("/v1/me/export", headers=as_person("e-102"))
        assert [o["kind"] for o in other.json()["sections"]["outcomes"]["items"]] == ["promotion"]

        # The directory erases the person: their outcomes go.
        await publish_events(
            settings.kafka_bootstrap,
            [DirectoryPersonErased(person_id=dev_person_id("e-100"), erased_at=NOW)],
            prefix=settings.kafka_topic_prefix,
        )
        await eventually(
            lambda: client.get("/v1/me/export", headers=as_person("e-100")),
            lambda r: r.json()["sections"]["outcomes"]["items"] == [],
        )


def _erasures(records: Sequence[Any]) -> list[Envelope[OutcomesErased]]:
    """The `OutcomesErased` among ``records`` (of any partition), oldest first."""
    envelopes = [decode(record.value) for record in records]
    erasures = [
        cast("Envelope[OutcomesErased]", e) for e in envelopes if isinstance(e.data, OutcomesErased)
    ]
    return sorted(erasures, key=lambda e: e.occurred_at)


async def _outcomes_of(client: httpx.AsyncClient, employee_id: str) -> list[str]:
    export = await client.get("/v1/me/export", headers=as_person(employee_id))
    assert export.status_code == 200, export.text
    return sorted(item["kind"] for item in export.json()["sections"]["outcomes"]["items"])


@pytest.mark.integration
async def test_an_erasure_deletes_the_employees_outcomes_and_announces_it_every_time(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings)
    async with serve_app(build_app(settings)) as client:
        rows = [
            {"employee_id": "e-200", "kind": "promotion", "date": "2026-03-01"},
            {"employee_id": "e-200", "kind": "performance_band", "date": "2026-01-01", "band": 4},
            {"employee_id": "e-201", "kind": "promotion", "date": "2026-03-01"},
        ]
        imported = await client.post("/v1/outcomes", headers=ADMIN, json={"outcomes": rows})
        assert imported.json()["recorded"] == 3, imported.text
        url = "/v1/outcomes/erasures"

        assert (await client.post(url, json={"employee_id": "e-200"})).status_code == 401
        as_participant = await client.post(
            url, headers=as_person("e-200"), json={"employee_id": "e-200"}
        )
        assert as_participant.status_code == 403
        for body, field in [
            ({"employee_id": "e 200"}, "body.employee_id"),
            ({"employee_id": ""}, "body.employee_id"),
            ({"employee_id": "e" * 65}, "body.employee_id"),
            ({"employee_id": 200}, "body.employee_id"),
            ({}, "body.employee_id"),
            ({"employee_id": "e-200", "person_id": "x"}, "body.person_id"),
        ]:
            refused = await client.post(url, headers=ADMIN, json=body)
            assert refused.status_code == 422, body
            assert problems(refused) == [field], refused.text
        assert await _outcomes_of(client, "e-200") == ["performance_band", "promotion"]

        erased = await client.post(url, headers=ADMIN, json={"employee_id": "e-200"})
        assert erased.status_code == 200, erased.text
        assert erased.json()["deleted"] == 2
        assert await _outcomes_of(client, "e-200") == []
        assert await _outcomes_of(client, "e-201") == ["promotion"]
        again = await client.post(url, headers=ADMIN, json={"employee_id": "e-200"})
        unknown = await client.post(url, headers=ADMIN, json={"employee_id": "e-unknown"})
        assert (again.status_code, again.json()["deleted"]) == (200, 0)
        assert (unknown.status_code, unknown.json()["deleted"]) == (200, 0)
        # A later import of the person records their outcome anew.
        later = await client.post("/v1/outcomes", headers=ADMIN, json={"outcomes": rows[:1]})
        assert later.json()["recorded"] == 1
        assert await _outcomes_of(client, "e-200") == ["promotion"]

        records = await read_topic(
            settings.kafka_bootstrap,
            f"{settings.kafka_topic_prefix}{DEVELOPMENT.name}",
            until=lambda found: len(_erasures(found)) >= 3,
        )
        envelopes = [decode(record.value) for record in records]
        erasures = _erasures(records)
        assert [(e.data.person_id, e.aggregate_id) for e in erasures] == [
            (dev_person_id("e-200"), dev_person_id("e-200")),
            (dev_person_id("e-200"), dev_person_id("e-200")),
            (dev_person_id("e-unknown"), dev_person_id("e-unknown")),
        ]
        answers = (erased, again, unknown)
        assert [e.data.erased_at for e in erasures] == [
            datetime.fromisoformat(answer.json()["erased_at"]) for answer in answers
        ]
        assert all(b"e-200" not in r.value and b"e-unknown" not in r.value for r in records)
        # The erasure is after every outcome erased, and before the later import's.
        of_200 = [
            e
            for e in envelopes
            if isinstance(e.data, OutcomeRecorded) and e.data.person_id == dev_person_id("e-200")
        ]
        assert [e.occurred_at < erasures[0].occurred_at for e in of_200] == [True, True, False]


@pytest.mark.integration
async def test_without_the_pseudonym_key_an_erasure_is_refused(
    make_settings: SettingsFactory, serve_app: AppServer
) -> None:
    settings = make_settings(FeedbackSettings, auth_pseudonym_key=None)
    async with serve_app(build_app(settings)) as client:
        refused = await client.post(
            "/v1/outcomes/erasures", headers=ADMIN, json={"employee_id": "e-200"}
        )
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"] == "pseudonym_key_missing"


@pytest.mark.integration
async def test_the_outcomes_stay_unless_the_erasure_is_announced(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deletion and the event are one transaction: an outbox that fails keeps both out."""
    settings = make_settings(FeedbackSettings)
    runtime = ServiceRuntime(settings)
    outcomes = Records(runtime.database, "outcomes", Outcome, "outcome_id", "person_id")
    await ensure_indexes(runtime.database, [runtime.outbox.indexes(), outcomes.indexes()])
    pseudonyms = Pseudonyms(settings.auth_pseudonym_key)
    await OutcomeImport(runtime.transactor, outcomes, pseudonyms).import_rows(
        [{"employee_id": "e-300", "kind": "promotion", "date": "2026-03-01"}]
    )
    outbox = runtime.database[OUTBOX_COLLECTION]
    staged = await outbox.count_documents({})
    erasure = OutcomeErasure(runtime.transactor, outcomes, pseudonyms)
    stage = runtime.outbox.stage

    async def failing(
        envelopes: Sequence[Envelope[Any]],
        session: AsyncClientSession,
        *,
        records: Sequence[OutboxRecord] = (),
    ) -> None:
        await stage(envelopes, session, records=records)
        raise RuntimeError("the outbox is full")

    monkeypatch.setattr(runtime.outbox, "stage", failing)
    with pytest.raises(RuntimeError, match="outbox is full"):
        await erasure.erase("e-300")
    assert [o.person_id for o in await outcomes.find({})] == [dev_person_id("e-300")]
    assert await outbox.count_documents({}) == staged

    monkeypatch.setattr(runtime.outbox, "stage", stage)
    erased = await erasure.erase("e-300")
    assert erased.deleted == 1
    assert await outcomes.find({}) == []
    assert await outbox.count_documents({}) == staged + 1
