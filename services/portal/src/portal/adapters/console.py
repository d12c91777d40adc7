"""The services' admin and manager APIs as the console uses them (each method is one call).

Every call carries the signed-in person's token: each service decides what they may see and
do (an organisation admin everything; a program manager, once the services know them, their
own programs), and a refusal arrives as the kit's `ForbiddenError`.
"""

from __future__ import annotations

from typing import Any

from mentorship_kit.errors import NotFoundError
from portal.adapters.api import ServiceClient, parse, parse_list
from portal.domain.console import (
    ImportResult,
    Launch,
    ManagedProgram,
    Pair,
    Proposal,
    RegistrationRow,
    Run,
    WhyNot,
)
from portal.domain.erasure import ErasedOutcomes, ErasedPerson, ErasureRequest

PAGE = 500


class ProgramAdminApi:
    """Programs, their launch checklist, questionnaires and registrations (registration)."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def programs(self, token: str) -> list[ManagedProgram]:
        """Every program the caller may read (first 200), in id order."""
        body = await self._client.call("GET", "/v1/programs", token, params={"limit": "200"})
        return parse_list(ManagedProgram, body["programs"])

    async def program(self, token: str, program_id: str) -> ManagedProgram:
        """One program."""
        body = await self._client.call("GET", f"/v1/programs/{program_id}", token)
        return parse(ManagedProgram, body)

    async def create(self, token: str, request: dict[str, Any]) -> ManagedProgram:
        """Create a program (a draft, launched step by step)."""
        body = await self._client.call(
            "POST", "/v1/programs", token, json={**request, "lifecycle": "draft"}
        )
        return parse(ManagedProgram, body)

    async def revise(self, token: str, program_id: str, changes: dict[str, Any]) -> None:
        """Change some of a program's settings."""
        await self._client.call("PATCH", f"/v1/programs/{program_id}", token, json=changes)

    async def move(self, token: str, program_id: str, to: str) -> None:
        """Move the program along its lifecycle (e.g. ``registration_open``, ``closed``)."""
        await self._client.call(
            "POST", f"/v1/programs/{program_id}/lifecycle", token, json={"to": to}
        )

    async def launch(self, token: str, program_id: str) -> Launch:
        """The launch checklist (admins and the program's managers only)."""
        body = await self._client.call("GET", f"/v1/programs/{program_id}/launch", token)
        return parse(Launch, body)

    async def mark_reviewed(self, token: str, program_id: str, step: str) -> Launch:
        """Mark a review step of the checklist done."""
        body = await self._client.call("POST", f"/v1/programs/{program_id}/launch/{step}", token)
        return parse(Launch, body)

    async def set_agenda(self, token: str, program_id: str, agenda: list[dict[str, Any]]) -> None:
        """Plan the sessions' content."""
        await self._client.call(
            "PUT", f"/v1/programs/{program_id}/agenda", token, json={"agenda": agenda}
        )

    async def questionnaire(
        self, token: str, program_id: str, version: int | None = None
    ) -> dict[str, Any]:
        """The current (or a given) questionnaire version as the API answers it."""
        params = {"version": str(version)} if version is not None else None
        body: dict[str, Any] = await self._client.call(
            "GET", f"/v1/programs/{program_id}/questionnaire", token, params=params
        )
        return body

    async def questionnaire_versions(self, token: str, program_id: str) -> dict[str, Any]:
        """Every version of the questionnaire, newest first, with what each changed."""
        body: dict[str, Any] = await self._client.call(
            "GET", f"/v1/programs/{program_id}/questionnaire/versions", token
        )
        return body

    async def question_pool(self, token: str) -> list[dict[str, Any]]:
        """The organisation's question pool: ``{"source", "question"}`` each."""
        body: list[dict[str, Any]] = await self._client.call("GET", "/v1/question-pool", token)
        return body

    async def add_pool_questions(
        self, token: str, program_id: str, keys: list[str]
    ) -> dict[str, Any]:
        """Append pool questions as the questionnaire's next version."""
        body: dict[str, Any] = await self._client.call(
            "POST",
            f"/v1/programs/{program_id}/questionnaire/questions",
            token,
            json={"keys": keys},
        )
        return body

    async def save_questionnaire(
        self, token: str, program_id: str, questionnaire: dict[str, Any]
    ) -> dict[str, Any]:
        """Store ``questionnaire`` as the next version (it names the version it started from)."""
        body: dict[str, Any] = await self._client.call(
            "PUT", f"/v1/programs/{program_id}/questionnaire", token, json=questionnaire
        )
        return body

    async def registrations(self, token: str, program_id: str) -> list[RegistrationRow]:
        """Every registration of the program, page after page."""
        rows: list[RegistrationRow] = []
        after: str | None = None
        while True:
            params = {"limit": str(PAGE)} | ({"after": after} if after else {})
            body = await self._client.call(
                "GET", f"/v1/programs/{program_id}/registrations", token, params=params
            )
            rows += parse_list(RegistrationRow, body["registrations"])
            after = body.get("next_after")
            if not after:
                return rows

    async def import_csv(self, token: str, program_id: str, content: bytes) -> ImportResult:
        """Register everyone in an HRIS CSV file; the refused rows come back by line."""
        body = await self._client.call(
            "POST",
            f"/v1/programs/{program_id}/registrations/import",
            token,
            content=content,
            content_type="text/csv",
        )
        return parse(ImportResult, body)


class MatchingAdminApi:
    """Runs, proposals, why-not, approval and pairs (matching)."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def runs(self, token: str, program_id: str) -> list[Run]:
        """The program's latest runs, newest first."""
        body = await self._client.call(
            "GET", f"/v1/programs/{program_id}/matching-runs", token, params={"limit": "20"}
        )
        return parse_list(Run, body["runs"])

    async def start(self, token: str, program_id: str, request: dict[str, Any]) -> Run:
        """Queue a run (pins and forbids in ``request``)."""
        body = await self._client.call(
            "POST", f"/v1/programs/{program_id}/matching-runs", token, json=request
        )
        return parse(Run, body)

    async def run(self, token: str, run_id: str) -> Run:
        """One run: status, stage, summary."""
        return parse(Run, await self._client.call("GET", f"/v1/matching-runs/{run_id}", token))

    async def proposal(self, token: str, run_id: str, part: int = 1) -> Proposal:
        """One part of a run's proposal."""
        body = await self._client.call(
            "GET", f"/v1/matching-runs/{run_id}/proposal", token, params={"part": str(part)}
        )
        return parse(Proposal, body)

    async def approve(self, token: str, run_id: str) -> Run:
        """Approve the proposal (its pairs are created asynchronously)."""
        return parse(
            Run, await self._client.call("POST", f"/v1/matching-runs/{run_id}/approve", token)
        )

    async def why_not(self, token: str, run_id: str, mentee: str, mentor: str) -> WhyNot:
        """Why ``mentee`` and ``mentor`` are not paired in the run."""
        body = await self._client.call(
            "GET",
            f"/v1/matching-runs/{run_id}/why-not",
            token,
            params={"mentee_participant_id": mentee, "mentor_participant_id": mentor},
        )
        return parse(WhyNot, body)

    async def pairs(self, token: str, program_id: str) -> list[Pair]:
        """The program's pairs."""
        body = await self._client.call(
            "GET", f"/v1/programs/{program_id}/pairs", token, params={"limit": "500"}
        )
        return parse_list(Pair, body["pairs"])


class ReportsApi:
    """The program's reports and their CSV exports (analytics)."""

    REPORTS = (
        "registration",
        "pairing",
        "sessions",
        "scores",
        "skills",
        "health",
        "outcomes",
        "mentors",
        "skills-growth",
    )
    """Every report analytics has, each also as CSV (``<name>.csv``)."""
    MENTORS_PAGE = 50
    """Mentors per page of the mentor impact view (its CSV holds them all)."""

    def __init__(self, client: ServiceClient, *, export_timeout_s: float | None = None) -> None:
        self._client = client
        self._export_timeout_s = export_timeout_s

    async def report(
        self, token: str, program_id: str, name: str, *, mentors_cursor: str | None = None
    ) -> dict[str, Any]:
        """One report as the API answers it.

        The mentor impact view comes a page at a time: the first, or the one ``mentors_cursor``
        names.
        """
        params = None
        if name == "mentors":
            params = {"limit": str(self.MENTORS_PAGE)}
            if mentors_cursor:
                params["cursor"] = mentors_cursor
        body: dict[str, Any] = await self._client.call(
            "GET", f"/v1/programs/{program_id}/reports/{name}", token, params=params
        )
        return body

    async def report_csv(self, token: str, program_id: str, name: str) -> str:
        """One report as CSV."""
        body: str = await self._client.call(
            "GET",
            f"/v1/programs/{program_id}/reports/{name}.csv",
            token,
            timeout_s=self._export_timeout_s,
        )
        return body


class ErasureAdminApi:
    """Open erasure requests, who asked, and erasing a person (registration; admins only)."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def open_requests(self, token: str) -> list[ErasureRequest]:
        """Every open request, oldest first."""
        body = await self._client.call("GET", "/v1/erasure-requests", token)
        return parse_list(ErasureRequest, body["requests"])

    async def name_of(self, token: str, employee_id: str) -> str | None:
        """The person's name in the directory (None: not in it, e.g. already left)."""
        try:
            body = await self._client.call("GET", f"/v1/directory/people/{employee_id}", token)
        except NotFoundError:
            return None
        name = body.get("name")
        return str(name) if name else None

    async def erase(self, token: str, employee_id: str) -> ErasedPerson:
        """Erase the person here and, through registration's event, in every service."""
        body = await self._client.call("DELETE", f"/v1/people/{employee_id}", token)
        return parse(ErasedPerson, body)


class OutcomeErasureApi:
    """Erasing the business outcomes recorded about an employee (feedback; admins only)."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def erase(self, token: str, employee_id: str) -> ErasedOutcomes:
        """Delete them in feedback, which announces it to analytics."""
        body = await self._client.call(
            "POST", "/v1/outcomes/erasures", token, json={"employee_id": employee_id}
        )
        return parse(ErasedOutcomes, body)
