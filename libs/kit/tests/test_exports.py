"""The right-of-access document every service answers with (`mentorship_kit.exports`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from mentorship_kit.errors import ForbiddenError
from mentorship_kit.export_route import export_router
from mentorship_kit.exports import (
    ExportSection,
    PersonalDataDocument,
    exporting_person,
    subject,
)
from mentorship_kit.principal import Principal


class Note(BaseModel):
    text: str


class Sections(BaseModel):
    notes: ExportSection[Note]


class NotesExport(PersonalDataDocument[Sections]):
    service: Literal["notes"] = "notes"


def test_a_document_reads_as_service_time_subject_and_self_describing_sections() -> None:
    document = NotesExport(
        generated_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        subject=subject("person-1", ["p-2", "p-1", "p-2"]),
        sections=Sections(notes=ExportSection(description="Your notes.", items=[Note(text="hi")])),
    )
    assert document.model_dump(mode="json") == {
        "service": "notes",
        "generated_at": "2026-03-02T09:30:00Z",
        "subject": {"person_id": "person-1", "participant_ids": ["p-1", "p-2"]},
        "sections": {"notes": {"description": "Your notes.", "items": [{"text": "hi"}]}},
    }


def test_only_a_person_is_exported() -> None:
    person = Principal(employee_id="e-1", is_admin=False, person_id="person-1")
    assert exporting_person(person) == "person-1"
    with pytest.raises(ForbiddenError, match="participant's token"):
        exporting_person(Principal(employee_id=None, is_admin=True))
    with pytest.raises(ForbiddenError):
        exporting_person(Principal(employee_id="e-1", is_admin=False, person_id=None))


def test_the_export_route_serves_the_callers_document_and_documents_itself() -> None:
    async def caller() -> Principal:
        return Principal(employee_id="e-1", is_admin=False, person_id="person-1")

    async def build(who: Principal) -> NotesExport:
        return NotesExport(
            generated_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
            subject=subject(exporting_person(who), ["p-1"]),
            sections=Sections(notes=ExportSection(description="Your notes.", items=[])),
        )

    app = FastAPI()
    app.include_router(
        export_router(
            caller, service="notes", holds="their notes.", document=NotesExport, build=build
        )
    )
    client = TestClient(app)

    answer = client.get("/v1/me/export")
    assert answer.status_code == 200
    assert answer.json()["subject"] == {"person_id": "person-1", "participant_ids": ["p-1"]}
    operation = client.get("/openapi.json").json()["paths"]["/v1/me/export"]["get"]
    assert operation["summary"] == "Everything notes holds about you (right of access)"
    assert operation["description"] == (
        "For the authenticated participant: their notes. Only with a participant's own "
        "token: the admin token names nobody (403)."
    )
    assert operation["tags"] == ["right of access"]
    assert set(operation["responses"]) == {"200", "403"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NotesExport"
    }
