"""The console's operations.

Clone a cohort, access and invitations, forbid and what-if, end a pair and re-match, health
flags and nudges.

Like `portal.usecases.console`, each takes the signed-in `Caller` and calls the services'
APIs with the caller's token: the services decide what a program manager may do (403 on a
program they do not manage).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mentorship_kit.errors import InvalidInputError, NotFoundError
from portal.adapters.console import MatchingAdminApi, ProgramAdminApi
from portal.adapters.operations import AccessApi, HealthApi, NudgeApi, PairsAdminApi
from portal.domain.console import ManagedProgram, Pair, PairRef, Run, SettingsInvalid
from portal.domain.operations import (
    Access,
    AccessPreview,
    Flag,
    Funnel,
    Invitation,
    InvitationResult,
    access_field,
    access_request,
    clone_defaults,
    cohort_field,
    cohort_request,
    funnel,
    health_flags,
    invitation_request,
)
from portal.usecases.console import SettingsRefused
from portal.usecases.participant import Caller

END_REASONS = ("not_a_good_fit", "admin_decision", "completed")


@dataclass(frozen=True, slots=True)
class AccessPage:
    """Who may register, how many that is, and the invitations' funnel."""

    program: ManagedProgram
    access: Access
    preview: AccessPreview
    funnel: Funnel
    invitations: list[Invitation]


@dataclass(frozen=True, slots=True)
class HealthPage:
    """The health report's flags, with the people's names."""

    program: ManagedProgram
    inactive_after_days: int
    flags: list[Flag]
    names: dict[str, str]
    computed: bool
    """False when analytics has not heard of the program yet."""


def _refused(error: InvalidInputError, field: Callable[[str], str]) -> SettingsRefused:
    return SettingsRefused.of(error.problems, field)


class ProgramOperations:
    """What the console's operations pages do, through the services' APIs."""

    def __init__(  # noqa: PLR0917 - one client per API it calls
        self,
        programs: ProgramAdminApi,
        matching: MatchingAdminApi,
        access: AccessApi,
        pairs: PairsAdminApi,
        health: HealthApi,
        nudges: NudgeApi,
    ) -> None:
        self._programs = programs
        self._matching = matching
        self._access = access
        self._pairs = pairs
        self._health = health
        self._nudges = nudges

    # ------------------------------------------------------------------ clone
    async def clone_form(
        self, caller: Caller, program_id: str
    ) -> tuple[ManagedProgram, dict[str, str]]:
        """The program and what the clone form proposes for its next cohort."""
        program = await self._programs.program(caller.token, program_id)
        await self._programs.launch(caller.token, program_id)  # managers only: 403 otherwise
        return program, clone_defaults(program, datetime.now(UTC).date())

    async def clone(
        self, caller: Caller, program_id: str, values: dict[str, str]
    ) -> ManagedProgram:
        """The next cohort of the program, a draft with its questionnaire, settings and rules."""
        try:
            request = cohort_request(values, datetime.now(UTC))
            return await self._access.next_cohort(caller.token, program_id, request)
        except SettingsInvalid as invalid:
            raise SettingsRefused(invalid.problems) from None
        except InvalidInputError as refused:
            raise _refused(refused, cohort_field) from None

    # ------------------------------------------------------------------ access and invitations
    async def access_page(self, caller: Caller, program_id: str) -> AccessPage:
        """Who may register, the eligible count and the funnel."""
        program, access, preview, invitations = await asyncio.gather(
            self._programs.program(caller.token, program_id),
            self._access.access(caller.token, program_id),
            self._access.preview(caller.token, program_id),
            self._access.invitations(caller.token, program_id),
        )
        return AccessPage(program, access, preview, funnel(invitations), invitations)

    async def preview(self, caller: Caller, program_id: str, form: dict[str, Any]) -> AccessPreview:
        """How many people the form's rules let register (nothing saved)."""
        request, indexes = self._access_request(form)
        try:
            return await self._access.preview(caller.token, program_id, request)
        except InvalidInputError as refused:
            raise _refused(refused, lambda f: access_field(f, indexes)) from None

    async def save_access(self, caller: Caller, program_id: str, form: dict[str, Any]) -> None:
        """Set who may register from the form."""
        request, indexes = self._access_request(form)
        try:
            await self._access.set_access(caller.token, program_id, request)
        except InvalidInputError as refused:
            raise _refused(refused, lambda f: access_field(f, indexes)) from None

    @staticmethod
    def _access_request(form: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
        try:
            request = access_request(form)
        except SettingsInvalid as invalid:
            raise SettingsRefused(invalid.problems) from None
        indexes = [
            index
            for index, rule in enumerate(form.get("rules", ()))
            if any(str(rule.get(k, "")).strip() for k in ("departments", "locations", "reports_to"))
            or rule.get("seniorities")
        ]
        return request, indexes

    async def invite(
        self, caller: Caller, program_id: str, values: dict[str, str]
    ) -> InvitationResult:
        """Invite everyone eligible not yet invited; reminders as the form says."""
        try:
            plan = invitation_request(values)
            return await self._access.invite(caller.token, program_id, plan)
        except SettingsInvalid as invalid:
            raise SettingsRefused(invalid.problems) from None
        except InvalidInputError as refused:
            raise _refused(refused, lambda f: f.removeprefix("body.")) from None

    # ------------------------------------------------------------------ matching
    async def _run_in(self, caller: Caller, program_id: str, run_id: str) -> Run:
        run = await self._matching.run(caller.token, run_id)
        if run.program_id != program_id:
            raise NotFoundError("no such run in this program")
        return run

    async def forbid(
        self, caller: Caller, program_id: str, run_id: str, mentee: str, mentor: str
    ) -> Run:
        """Run again as ``run_id`` did (its pins and forbids), never pairing the two."""
        current = await self._run_in(caller, program_id, run_id)
        forbid = PairRef(mentor_participant_id=mentor, mentee_participant_id=mentee)
        forbids = [*current.forbids, forbid] if forbid not in current.forbids else current.forbids
        pins = [p for p in current.pins if p != forbid]
        request: dict[str, Any] = {
            "pins": [p.model_dump() for p in pins],
            "forbids": [p.model_dump() for p in forbids],
        }
        if current.kind == "what_if":
            request |= {"kind": "what_if", "max_changes": current.max_changes}
        return await self._matching.start(caller.token, program_id, request)

    async def what_if(self, caller: Caller, program_id: str, max_changes: int) -> Run:
        """A what-if run: how the pairs would change, changing at most ``max_changes``.

        It keeps the pins and forbids of the program's latest run.
        """
        runs = await self._matching.runs(caller.token, program_id)
        latest = runs[0] if runs else None
        request: dict[str, Any] = {"kind": "what_if", "max_changes": max_changes}
        if latest is not None:
            request["pins"] = [p.model_dump() for p in latest.pins]
            request["forbids"] = [p.model_dump() for p in latest.forbids]
        return await self._matching.start(caller.token, program_id, request)

    # ------------------------------------------------------------------ pairs
    async def _pair_in(self, caller: Caller, program_id: str, pair_id: str) -> Pair:
        for pair in await self._matching.pairs(caller.token, program_id):
            if pair.pair_id == pair_id:
                return pair
        raise NotFoundError("no such pair in this program")

    async def end_pair(
        self, caller: Caller, program_id: str, pair_id: str, reason: str, rematch: bool
    ) -> Pair:
        """End a pair of the program; with ``rematch``, its mentee gets a new match."""
        if reason not in END_REASONS:
            raise InvalidInputError([("reason", "Choose one of the reasons shown.")])
        pair = await self._pair_in(caller, program_id, pair_id)
        await self._pairs.end(caller.token, pair_id, reason, rematch)
        return pair

    # ------------------------------------------------------------------ health
    async def health(self, caller: Caller, program_id: str) -> HealthPage:
        """The health flags, each with its people and a next step."""
        program, pairs, rows = await asyncio.gather(
            self._programs.program(caller.token, program_id),
            self._matching.pairs(caller.token, program_id),
            self._programs.registrations(caller.token, program_id),
        )
        try:
            report = await self._health.health(caller.token, program_id)
        except NotFoundError:
            return HealthPage(program, 0, [], {}, computed=False)
        return HealthPage(
            program,
            report.inactive_after_days,
            health_flags(report, pairs),
            {row.participant_id: row.name for row in rows},
            computed=True,
        )

    async def nudge(self, caller: Caller, program_id: str, pair_id: str) -> int:
        """Send both members of an active pair of the program a nudge (notifications)."""
        pair = await self._pair_in(caller, program_id, pair_id)
        if pair.status != "active":
            raise InvalidInputError([("pair_id", "The pair has ended.")])
        return await self._nudges.nudge(caller.token, program_id, pair_id)
