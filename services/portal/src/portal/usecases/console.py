"""The program manager's use cases: what each console page shows and what each form does.

Each takes the signed-in `Caller` and calls the services' admin and manager APIs with the
caller's own token. Which programs a person may manage is the services' answer, never the
portal's: a program is listed when registration answers its launch checklist for the caller
(organisation admins: every program; program managers: their own, once the services know
program-scoped roles).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError, RuleError
from portal.adapters.api import ServiceUnavailable, parse
from portal.adapters.console import MatchingAdminApi, ProgramAdminApi, ReportsApi
from portal.domain.console import (
    ImportResult,
    Launch,
    ManagedProgram,
    Pair,
    Proposal,
    RegistrationFilter,
    RegistrationRow,
    Run,
    SettingsInvalid,
    WhyNot,
    agenda_items,
    departments,
    form_field,
    matching_field,
    matching_request,
    program_request,
)
from portal.domain.models import Questionnaire
from portal.domain.operations import Change, changed_pairs
from portal.domain.refusals import FormRefused
from portal.domain.why import topic_labels
from portal.usecases.participant import Caller


class SettingsRefused(FormRefused):
    """The program's settings were refused; ``by_field`` names each problem's form field."""


@dataclass(frozen=True, slots=True)
class ProgramCard:
    """A program on the console's home page, with its launch checklist."""

    program: ManagedProgram
    launch: Launch


@dataclass(frozen=True, slots=True)
class RegistrationsTable:
    """The registrations page: every row, the rows the filter keeps, the filter's choices."""

    program: ManagedProgram
    rows: list[RegistrationRow]
    shown: list[RegistrationRow]
    departments: list[str]
    names: dict[str, str]


@dataclass(frozen=True, slots=True)
class RunPage:
    """A run, its proposal (once proposed) and who is who."""

    program: ManagedProgram
    run: Run
    proposal: Proposal | None
    names: dict[str, str]
    mentees: list[RegistrationRow]
    mentors: list[RegistrationRow]
    changes: tuple[Change, ...] = ()
    """What-if: the mentees whose mentor the proposal changes."""


class ProgramConsole:
    """What the program manager's console does, through the services' APIs."""

    def __init__(
        self, programs: ProgramAdminApi, matching: MatchingAdminApi, reports: ReportsApi
    ) -> None:
        self._programs = programs
        self._matching = matching
        self._reports = reports

    # ------------------------------------------------------------------ programs
    async def programs(self, caller: Caller) -> list[ProgramCard]:
        """The programs the caller may manage, each with its checklist."""
        listed = await self._programs.programs(caller.token)

        async def card(program: ManagedProgram) -> ProgramCard | None:
            try:
                launch = await self._programs.launch(caller.token, program.program_id)
            except (ForbiddenError, NotFoundError):
                return None  # the service says: not theirs to manage
            return ProgramCard(program, launch)

        cards = await asyncio.gather(*(card(program) for program in listed))
        return [found for found in cards if found is not None]

    async def program(self, caller: Caller, program_id: str) -> ProgramCard:
        """One program and its checklist (403 from the service when not theirs)."""
        launch = await self._programs.launch(caller.token, program_id)
        return ProgramCard(await self._programs.program(caller.token, program_id), launch)

    async def create(self, caller: Caller, values: dict[str, str]) -> ManagedProgram:
        """Create a draft program from the wizard's first step."""
        try:
            request = program_request(values, datetime.now(UTC))
            return await self._programs.create(caller.token, request)
        except SettingsInvalid as invalid:
            raise SettingsRefused(invalid.problems) from None
        except InvalidInputError as refused:
            raise SettingsRefused.of(refused.problems, form_field) from None

    async def revise(self, caller: Caller, program_id: str, values: dict[str, str]) -> None:
        """Save the program's settings (only what changed is sent)."""
        current = await self._programs.program(caller.token, program_id)
        try:
            wanted = program_request(values, datetime.now(UTC))
        except SettingsInvalid as invalid:
            raise SettingsRefused(invalid.problems) from None
        wanted["key_result"]["metric"] = current.key_result.metric  # the form does not show it
        before = current.model_dump(mode="json")
        changes = {key: value for key, value in wanted.items() if before.get(key) != value}
        if current.registration_opens_at.date().isoformat() == values.get("registration_opens_on"):
            changes.pop("registration_opens_at", None)  # the same day: keep its exact time
        if current.registration_closes_at.date().isoformat() == values.get(
            "registration_closes_on"
        ):
            changes.pop("registration_closes_at", None)
        if not changes:
            return
        try:
            await self._programs.revise(caller.token, program_id, changes)
        except InvalidInputError as refused:
            raise SettingsRefused.of(refused.problems, form_field) from None

    async def save_matching_settings(
        self, caller: Caller, program_id: str, values: dict[str, str]
    ) -> None:
        """Save the weights and rules matching uses for the program."""
        current = await self._programs.program(caller.token, program_id)
        try:
            matching = matching_request(values, current.matching)
            await self._programs.revise(caller.token, program_id, {"matching": matching})
        except SettingsInvalid as invalid:
            raise SettingsRefused(invalid.problems) from None
        except InvalidInputError as refused:
            raise SettingsRefused.of(refused.problems, matching_field) from None

    async def mark_reviewed(self, caller: Caller, program_id: str, step: str) -> None:
        """Mark a review step of the checklist done."""
        await self._programs.mark_reviewed(caller.token, program_id, step)

    async def move(self, caller: Caller, program_id: str, to: str) -> None:
        """Open registration, start matching, or close the program."""
        await self._programs.move(caller.token, program_id, to)

    async def set_agenda(self, caller: Caller, program_id: str, text: str) -> None:
        """Plan the sessions' content, one topic per line."""
        await self._programs.set_agenda(caller.token, program_id, agenda_items(text))

    # ------------------------------------------------------------------ registrations
    async def registrations(
        self, caller: Caller, program_id: str, narrowed: RegistrationFilter
    ) -> RegistrationsTable:
        """The registrations table, narrowed by ``narrowed``."""
        program, rows = await asyncio.gather(
            self._programs.program(caller.token, program_id),
            self._programs.registrations(caller.token, program_id),
        )
        return RegistrationsTable(
            program=program,
            rows=rows,
            shown=[row for row in rows if narrowed.keeps(row)],
            departments=departments(rows),
            names={row.participant_id: row.name for row in rows},
        )

    async def import_csv(self, caller: Caller, program_id: str, content: bytes) -> ImportResult:
        """Register everyone in the file; the refused rows come back by line and field."""
        return await self._programs.import_csv(caller.token, program_id, content)

    # ------------------------------------------------------------------ matching
    async def runs(self, caller: Caller, program_id: str) -> tuple[ManagedProgram, list[Run]]:
        """The program and its latest runs."""
        program, runs = await asyncio.gather(
            self._programs.program(caller.token, program_id),
            self._matching.runs(caller.token, program_id),
        )
        return program, runs

    async def start_run(
        self,
        caller: Caller,
        program_id: str,
        pins: list[tuple[str, str]] | None = None,
        forbids: list[tuple[str, str]] | None = None,
    ) -> Run:
        """Start a run.

        ``pins`` (``forbids``) are (mentee, mentor) participant ids it must (must not) pair.
        """
        request: dict[str, Any] = {}
        for name, chosen in (("pins", pins), ("forbids", forbids)):
            if chosen:
                request[name] = [
                    {"mentee_participant_id": mentee, "mentor_participant_id": mentor}
                    for mentee, mentor in chosen
                ]
        return await self._matching.start(caller.token, program_id, request)

    async def run(self, caller: Caller, program_id: str, run_id: str) -> RunPage:
        """A run with its proposal and the program's people."""
        program, run, rows = await asyncio.gather(
            self._programs.program(caller.token, program_id),
            self._matching.run(caller.token, run_id),
            self._programs.registrations(caller.token, program_id),
        )
        if run.program_id != program_id:
            raise NotFoundError("no such run in this program")
        proposal = None
        if run.summary is not None and run.status not in {"failed", "queued", "running"}:
            parts = [
                await self._matching.proposal(caller.token, run_id, part)
                for part in range(1, run.summary.parts + 1)
            ]
            proposal = parts[0].model_copy(
                update={
                    "pairs": tuple(pair for part in parts for pair in part.pairs),
                    "unmatched": tuple(person for part in parts for person in part.unmatched),
                }
            )
        changes: tuple[Change, ...] = ()
        if proposal is not None and run.kind == "what_if":
            existing = await self._matching.pairs(caller.token, program_id)
            changes = tuple(changed_pairs(proposal, existing))
        active = [row for row in rows if row.status == "active"]
        return RunPage(
            changes=changes,
            program=program,
            run=run,
            proposal=proposal,
            names={row.participant_id: row.name for row in rows},
            mentees=sorted(
                (r for r in active if r.role in {"mentee", "both"}), key=lambda r: r.name
            ),
            mentors=sorted(
                (r for r in active if r.role in {"mentor", "both"}), key=lambda r: r.name
            ),
        )

    async def run_status(self, caller: Caller, run_id: str) -> Run:
        """A run's status alone (the progress panel polls it)."""
        return await self._matching.run(caller.token, run_id)

    async def why_not(self, caller: Caller, run_id: str, mentee: str, mentor: str) -> WhyNot:
        """Why the two are not paired in the run."""
        return await self._matching.why_not(caller.token, run_id, mentee, mentor)

    async def approve(self, caller: Caller, run_id: str) -> Run:
        """Approve the run's proposal."""
        return await self._matching.approve(caller.token, run_id)

    async def pairs(
        self, caller: Caller, program_id: str
    ) -> tuple[ManagedProgram, list[Pair], dict[str, str]]:
        """The program, its pairs and who is who."""
        program, pairs, rows = await asyncio.gather(
            self._programs.program(caller.token, program_id),
            self._matching.pairs(caller.token, program_id),
            self._programs.registrations(caller.token, program_id),
        )
        return program, pairs, {row.participant_id: row.name for row in rows}

    # ------------------------------------------------------------------ reports
    async def reports(
        self, caller: Caller, program_id: str, *, mentors_cursor: str | None = None
    ) -> tuple[ManagedProgram, dict[str, dict[str, Any] | None], dict[str, str]]:
        """The program, every analytics report (None: not computed yet) and its choice labels.

        Of the mentor impact view, the page ``mentors_cursor`` names (the first if None). The
        labels name the skills and goals the reports count by key (none when the
        questionnaire cannot be read: the keys are shown as words).
        """
        program = await self._programs.program(caller.token, program_id)

        async def report(name: str) -> dict[str, Any] | None:
            try:
                return await self._reports.report(
                    caller.token, program_id, name, mentors_cursor=mentors_cursor
                )
            except (NotFoundError, RuleError, InvalidInputError):
                return None  # analytics has not heard of the program yet, or cannot tell

        labels, *found = await asyncio.gather(
            self._topic_labels(caller, program_id),
            *(report(name) for name in ReportsApi.REPORTS),
        )
        return program, dict(zip(ReportsApi.REPORTS, found, strict=True)), labels

    async def _topic_labels(self, caller: Caller, program_id: str) -> dict[str, str]:
        """The labels of the questionnaire's choices by key (see `topic_labels`).

        None when it cannot be read: the reports are shown all the same, their keys as words.
        """
        try:
            body = await self._programs.questionnaire(caller.token, program_id)
            return topic_labels(parse(Questionnaire, body))
        except (NotFoundError, ForbiddenError, ServiceUnavailable, ValidationError):
            return {}

    async def report_csv(self, caller: Caller, program_id: str, name: str) -> str:
        """One report as CSV (only the reports analytics has)."""
        if name not in ReportsApi.REPORTS:
            raise NotFoundError(f"no report {name}")
        return await self._reports.report_csv(caller.token, program_id, name)
