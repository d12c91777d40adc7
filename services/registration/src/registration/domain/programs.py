"""Programs: their settings, policy, registration window and questionnaire versions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from dateutil.relativedelta import relativedelta
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from mentorship_contracts import IntegrationEvent
from mentorship_contracts.events import ProgramCreated, ProgramTopics, ProgramUpdated
from mentorship_contracts.events.program import ProgramDetails
from mentorship_contracts.types import Identifier, ProgramLifecycle, RegistrationStatus
from registration.domain.access import ParticipantAccess
from registration.domain.questionnaire import Meaning, Questionnaire

MIN_PROGRAM_MONTHS, MAX_PROGRAM_MONTHS = 1, 12
MAX_MANAGERS = 50

PersonIds = Callable[[str], str]
"""Derives a person id from an employee id (the keyed pseudonym)."""


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months (the 31st becomes the month's last day)."""
    moved: date = day + relativedelta(months=months)
    return moved


class ProgramSettings(ProgramDetails):
    """What a program manager sets, under the platform's policy.

    A program runs 1 to 12 months, and registration closes before it ends.
    """

    managers: tuple[Identifier, ...] = Field(
        default=(),
        max_length=MAX_MANAGERS,
        description=(
            "Employee ids of the program's managers: they may run this program (and only "
            "it) as admins do. Events carry their person ids, never these employee ids."
        ),
    )

    @field_validator("managers")
    @classmethod
    def _managers_once(cls, managers: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({manager for manager in managers if managers.count(manager) > 1})
        if repeated:
            msg = f"each manager is listed once ({', '.join(repeated)} more than once)"
            raise ValueError(msg)
        return managers

    @field_validator("ends_on")
    @classmethod
    def _runs_one_to_twelve_months(cls, ends_on: date, info: ValidationInfo) -> date:
        starts_on = info.data.get("starts_on")
        if starts_on is None:
            return ends_on
        if ends_on < add_months(starts_on, MIN_PROGRAM_MONTHS):
            msg = f"a program runs for at least 1 month after starts_on ({starts_on})"
            raise ValueError(msg)
        if ends_on > add_months(starts_on, MAX_PROGRAM_MONTHS):
            msg = f"a program runs for at most 12 months after starts_on ({starts_on})"
            raise ValueError(msg)
        return ends_on

    @field_validator("registration_closes_at")
    @classmethod
    def _closes_in_time(cls, closes_at: datetime, info: ValidationInfo) -> datetime:
        opens_at, ends_on = info.data.get("registration_opens_at"), info.data.get("ends_on")
        if opens_at is not None and closes_at <= opens_at:
            msg = "registration must close after it opens"
            raise ValueError(msg)
        if ends_on is not None and closes_at > datetime.combine(ends_on, time(), UTC):
            msg = f"registration must close before the program ends ({ends_on})"
            raise ValueError(msg)
        return closes_at


class AgendaItem(BaseModel):
    """One part of the sessions' planned content (e.g. "Set goals for the program")."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    notes: Annotated[str, StringConstraints(max_length=2000)] = ""
    session: int | None = Field(
        default=None, ge=1, le=100, description="The session it is planned for, if any."
    )


class LifecycleError(Exception):
    """A lifecycle transition (or a change) the program's state does not allow."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_NEXT: dict[ProgramLifecycle, frozenset[ProgramLifecycle]] = {
    ProgramLifecycle.DRAFT: frozenset(
        {ProgramLifecycle.REGISTRATION_OPEN, ProgramLifecycle.CLOSED}
    ),
    ProgramLifecycle.REGISTRATION_OPEN: frozenset(
        {ProgramLifecycle.MATCHING, ProgramLifecycle.CLOSED}
    ),
    ProgramLifecycle.MATCHING: frozenset({ProgramLifecycle.RUNNING, ProgramLifecycle.CLOSED}),
    ProgramLifecycle.RUNNING: frozenset({ProgramLifecycle.CLOSED}),
    ProgramLifecycle.CLOSED: frozenset(),
}
"""The transitions each state allows: draft -> registration open -> matching -> running ->
closed, and closing from anywhere before."""
LIFECYCLE_ORDER = tuple(ProgramLifecycle)
OPEN_TO_ANYONE = ParticipantAccess()


def reached(current: ProgramLifecycle, state: ProgramLifecycle) -> bool:
    """Whether a program in ``current`` has reached ``state`` (or gone past it)."""
    return LIFECYCLE_ORDER.index(current) >= LIFECYCLE_ORDER.index(state)


@dataclass(frozen=True, slots=True)
class ReadBack:
    """The read-only fields of a questionnaire version, sent back with an edit of it.

    A client may save what it read: each field it sends must be what the current version
    has, which also guards against saving over a change made since the read.
    """

    program_id: str | None = None
    version: int | None = None
    created_at: datetime | None = None


class ReadOnlyFieldsError(ValueError):
    """Read-only fields sent back with values that are not the current version's.

    ``stale`` means the edit starts from an earlier version (the questionnaire changed since
    it was read) rather than from an edited read-only field.
    """

    def __init__(self, problems: Sequence[tuple[str, str]], *, stale: bool) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = tuple(problems)
        self.stale = stale


@dataclass(frozen=True, slots=True)
class QuestionnaireVersion:
    """One immutable version of a program's questionnaire."""

    program_id: str
    version: int
    questionnaire: Questionnaire
    created_at: datetime

    def check_read_back(self, read_back: ReadBack) -> None:
        """Accept an edit of this (current) version that sends back its read-only fields.

        Raises:
            ReadOnlyFieldsError: a field sent is not this version's.
        """
        if read_back.version is not None and read_back.version != self.version:
            problem = (
                f"the current version is {self.version}, not {read_back.version}: read the "
                "questionnaire again and redo the edit"
            )
            raise ReadOnlyFieldsError([("version", problem)], stale=True)
        problems: list[tuple[str, str]] = []
        keep = "(leave it out or send it as read)"
        if read_back.program_id is not None and read_back.program_id != self.program_id:
            sent = read_back.program_id
            message = f"is read-only: this is program {self.program_id}, not {sent} {keep}"
            problems.append(("program_id", message))
        if read_back.created_at is not None and not _same_instant(
            read_back.created_at, self.created_at
        ):
            made, sent = self.created_at.isoformat(), read_back.created_at.isoformat()
            message = f"is read-only: version {self.version} was made at {made}, not {sent} {keep}"
            problems.append(("created_at", message))
        if problems:
            raise ReadOnlyFieldsError(problems, stale=False)


def _same_instant(sent: datetime, stored: datetime) -> bool:
    """Equal to the millisecond (what the database keeps); a naive time is taken as UTC."""

    def milliseconds(moment: datetime) -> int:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return (aware - _EPOCH) // timedelta(milliseconds=1)

    return milliseconds(sent) == milliseconds(stored)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class RegistrationRefusal:
    """Why a program does not take registrations now."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ProgramDecision:
    """A program's new state, the questionnaire version to store, and the events caused.

    ``program`` is the very object decided on when nothing changed (nothing to save) and
    ``events`` is then empty.
    """

    program: Program
    events: tuple[IntegrationEvent, ...] = ()
    new_version: QuestionnaireVersion | None = None


@dataclass(frozen=True, slots=True)
class Program:
    """A mentorship program as the registration service holds it."""

    program_id: str
    settings: ProgramSettings
    questionnaire_version: int
    topics: ProgramTopics
    registration_closed_at: datetime | None
    """Set when a program manager closed registration before the window's end."""
    created_at: datetime
    updated_at: datetime
    lifecycle: ProgramLifecycle = ProgramLifecycle.REGISTRATION_OPEN
    """Programs stored before lifecycles existed had their registration open."""
    access: ParticipantAccess = OPEN_TO_ANYONE
    agenda: tuple[AgendaItem, ...] = ()
    reviewed_steps: frozenset[str] = field(default_factory=frozenset)
    """Launch steps the program manager marked reviewed (see `registration.domain.launch`)."""
    cloned_from: str | None = None
    manager_person_ids: tuple[str, ...] = ()
    """The person ids of ``settings.managers``, in their order (what events carry)."""

    @classmethod
    def create(
        cls,
        program_id: str,
        settings: ProgramSettings,
        questionnaire: Questionnaire,
        now: datetime,
        *,
        lifecycle: ProgramLifecycle = ProgramLifecycle.REGISTRATION_OPEN,
        person_ids: PersonIds | None = None,
    ) -> Program:
        """A new program whose questionnaire is version 1."""
        return cls(
            manager_person_ids=_manager_person_ids(settings, person_ids),
            program_id=program_id,
            settings=settings,
            questionnaire_version=1,
            topics=_topics(questionnaire),
            registration_closed_at=None,
            created_at=now,
            updated_at=now,
            lifecycle=lifecycle,
        )

    @classmethod
    def start(
        cls,
        program_id: str,
        settings: ProgramSettings,
        questionnaire: Questionnaire,
        now: datetime,
        *,
        lifecycle: ProgramLifecycle = ProgramLifecycle.REGISTRATION_OPEN,
        person_ids: PersonIds | None = None,
    ) -> ProgramDecision:
        """Decide a new program: it, its questionnaire's version 1, and ProgramCreated.

        A program starts as a ``draft`` (launched step by step, see `registration.domain.launch`)
        or with registration open straight away (its window decides when people may register).

        Raises:
            LifecycleError: it cannot start in ``lifecycle``.
        """
        if lifecycle not in {ProgramLifecycle.DRAFT, ProgramLifecycle.REGISTRATION_OPEN}:
            raise LifecycleError(
                "invalid_initial_state",
                f"A program starts as a draft or with registration open, not {lifecycle}.",
            )
        program = cls.create(
            program_id, settings, questionnaire, now, lifecycle=lifecycle, person_ids=person_ids
        )
        version = QuestionnaireVersion(program_id, 1, questionnaire, now)
        return ProgramDecision(program, (program.created_event(now),), version)

    def next_cohort(
        self,
        program_id: str,
        settings: ProgramSettings,
        questionnaire: Questionnaire,
        now: datetime,
        *,
        person_ids: PersonIds | None = None,
    ) -> ProgramDecision:
        """Decide this program's next cohort, a draft.

        It keeps this program's questionnaire, matching settings, access and agenda;
        ``settings`` already carry the cohort's own name and dates.
        """
        decision = Program.start(
            program_id,
            settings,
            questionnaire,
            now,
            lifecycle=ProgramLifecycle.DRAFT,
            person_ids=person_ids,
        )
        cohort = replace(
            decision.program, access=self.access, agenda=self.agenda, cloned_from=self.program_id
        )
        return ProgramDecision(cohort, (cohort.created_event(now),), decision.new_version)

    def transition(
        self, to: ProgramLifecycle, questionnaire: Questionnaire, now: datetime
    ) -> ProgramDecision:
        """Decide a move to ``to``: checked against the state and what the program lacks.

        Raises:
            LifecycleError: the move is not allowed now (its code and message say why).
        """
        if to is self.lifecycle:
            return ProgramDecision(self)
        if to not in _NEXT[self.lifecycle]:
            allowed = ", ".join(sorted(_NEXT[self.lifecycle])) or "nothing (it is closed)"
            raise LifecycleError(
                "transition_not_allowed",
                f"A program in {self.lifecycle} cannot move to {to}; it can move to {allowed}.",
            )
        if to is ProgramLifecycle.REGISTRATION_OPEN:
            self._check_registration_can_open(questionnaire, now)
        moved = replace(self, lifecycle=to, updated_at=now)
        if to in {ProgramLifecycle.MATCHING, ProgramLifecycle.CLOSED} and (
            self.registration_closed_at is None
        ):
            moved = replace(moved, registration_closed_at=now)
        changed = ["lifecycle"]
        if moved.registration_status(now) is not self.registration_status(now):
            changed.append("registration_status")
        return ProgramDecision(moved, (moved.updated_event(now, tuple(changed)),))

    def _check_registration_can_open(self, questionnaire: Questionnaire, now: datetime) -> None:
        if questionnaire.by_meaning(Meaning.ROLE) is None:
            raise LifecycleError(
                "questionnaire_incomplete",
                "Registration cannot open: the questionnaire does not ask for the role.",
            )
        if now >= self.settings.registration_closes_at:
            closes = self.settings.registration_closes_at.isoformat()
            raise LifecycleError(
                "registration_window_over",
                f"Registration cannot open: its window closed at {closes}; move "
                "registration_closes_at first.",
            )

    def with_access(self, access: ParticipantAccess, now: datetime) -> Program:
        """This program with new participant access rules (not announced: they name people)."""
        self._check_open_for_changes()
        return replace(self, access=access, updated_at=now)

    def with_agenda(self, agenda: Sequence[AgendaItem], now: datetime) -> Program:
        """This program with its sessions' planned content."""
        self._check_open_for_changes()
        return replace(self, agenda=tuple(agenda), updated_at=now)

    def with_step_reviewed(self, step: str, now: datetime) -> Program:
        """This program with a launch step marked reviewed."""
        return replace(self, reviewed_steps=self.reviewed_steps | {step}, updated_at=now)

    def _check_open_for_changes(self) -> None:
        if self.lifecycle is ProgramLifecycle.CLOSED:
            raise LifecycleError("program_closed", "The program is closed; it no longer changes.")

    def revise(
        self, settings: ProgramSettings, now: datetime, *, person_ids: PersonIds | None = None
    ) -> ProgramDecision:
        """Decide a change of settings: ProgramUpdated naming what changed, or nothing.

        ``person_ids`` derives the managers' person ids (needed when they change).

        Raises:
            LifecycleError: the program is closed.
        """
        self._check_open_for_changes()
        revised, changed = self.revised(settings, now)
        if "managers" in changed:
            revised = replace(revised, manager_person_ids=_manager_person_ids(settings, person_ids))
        if not changed:
            return ProgramDecision(self)
        return ProgramDecision(revised, (revised.updated_event(now, changed),))

    def without_manager(self, employee_id: str, now: datetime) -> ProgramDecision:
        """Decide to forget a manager (they were erased), even in a closed program."""
        if employee_id not in self.settings.managers:
            return ProgramDecision(self)
        kept = [
            (manager, person_id)
            for manager, person_id in zip(
                self.settings.managers, self.manager_person_ids, strict=True
            )
            if manager != employee_id
        ]
        settings = self.settings.model_copy(
            update={"managers": tuple(manager for manager, _ in kept)}
        )
        revised = replace(
            self,
            settings=settings,
            manager_person_ids=tuple(person_id for _, person_id in kept),
            updated_at=now,
        )
        return ProgramDecision(revised, (revised.updated_event(now, ("managers",)),))

    def close_registration(self, now: datetime) -> ProgramDecision:
        """Decide to stop taking registrations now (nothing when already closed early).

        A program whose registration was open moves on to matching.
        """
        if self.registration_closed_at is not None:
            return ProgramDecision(self)
        closed = self.closed(now)
        changed: tuple[str, ...] = ("registration_status",)
        if self.lifecycle is ProgramLifecycle.REGISTRATION_OPEN:
            closed = replace(closed, lifecycle=ProgramLifecycle.MATCHING)
            changed = ("registration_status", "lifecycle")
        return ProgramDecision(closed, (closed.updated_event(now, changed),))

    def replace_questionnaire(self, questionnaire: Questionnaire, now: datetime) -> ProgramDecision:
        """Decide the questionnaire's next version; ProgramUpdated only when the topics move."""
        version = QuestionnaireVersion(
            self.program_id, self.questionnaire_version + 1, questionnaire, now
        )
        revised, changed = self.with_questionnaire(version, now)
        events = (revised.updated_event(now, changed),) if changed else ()
        return ProgramDecision(revised, events, version)

    def registration_status(self, now: datetime) -> RegistrationStatus:
        """Whether registration is scheduled, open or closed at ``now``.

        A draft's registration is scheduled (it opens when launched); past registration_open
        it is closed; with registration open, its window decides.
        """
        if self.lifecycle is ProgramLifecycle.DRAFT:
            return RegistrationStatus.SCHEDULED
        if self.lifecycle is not ProgramLifecycle.REGISTRATION_OPEN:
            return RegistrationStatus.CLOSED
        if self.registration_closed_at is not None or now >= self.settings.registration_closes_at:
            return RegistrationStatus.CLOSED
        if now < self.settings.registration_opens_at:
            return RegistrationStatus.SCHEDULED
        return RegistrationStatus.OPEN

    def registration_refusal(self, now: datetime) -> RegistrationRefusal | None:
        """Why someone cannot register at ``now``, or None when they can."""
        status = self.registration_status(now)
        if self.lifecycle is ProgramLifecycle.DRAFT:
            return RegistrationRefusal(
                "registration_not_open",
                "This program is a draft: registration opens when its program manager launches it.",
            )
        if status is RegistrationStatus.SCHEDULED:
            opens = self.settings.registration_opens_at.isoformat()
            return RegistrationRefusal(
                "registration_not_open", f"Registration for this program opens at {opens}."
            )
        if status is RegistrationStatus.CLOSED:
            closed = (
                self.registration_closed_at or self.settings.registration_closes_at
            ).isoformat()
            return RegistrationRefusal(
                "registration_closed", f"Registration for this program closed at {closed}."
            )
        return None

    def revised(self, settings: ProgramSettings, now: datetime) -> tuple[Program, tuple[str, ...]]:
        """This program with new settings, and the names of the settings that changed."""
        before, after = self.settings.model_dump(), settings.model_dump()
        changed = tuple(name for name in after if after[name] != before[name])
        return replace(self, settings=settings, updated_at=now), changed

    def with_questionnaire(
        self, version: QuestionnaireVersion, now: datetime
    ) -> tuple[Program, tuple[str, ...]]:
        """This program on a new questionnaire version (its topics follow the questions)."""
        topics = _topics(version.questionnaire)
        revised = replace(
            self, questionnaire_version=version.version, topics=topics, updated_at=now
        )
        return revised, (("topics",) if topics != self.topics else ())

    def closed(self, now: datetime) -> Program:
        """This program with registration closed from ``now``."""
        return replace(self, registration_closed_at=now, updated_at=now)

    def created_event(self, now: datetime) -> ProgramCreated:
        """ProgramCreated, carrying the full state."""
        return ProgramCreated.model_validate(self._state(now) | {"created_at": self.created_at})

    def updated_event(self, now: datetime, changed: tuple[str, ...]) -> ProgramUpdated:
        """ProgramUpdated, carrying the full state and what changed."""
        return ProgramUpdated.model_validate(
            self._state(now) | {"updated_at": now, "changed_fields": changed}
        )

    def _state(self, now: datetime) -> dict[str, object]:
        return self.settings.model_dump() | {
            "program_id": self.program_id,
            "registration_status": self.registration_status(now),
            "topics": self.topics,
            "lifecycle": self.lifecycle,
            "managers": self.manager_person_ids,
        }


def _manager_person_ids(settings: ProgramSettings, person_ids: PersonIds | None) -> tuple[str, ...]:
    if not settings.managers:
        return ()
    if person_ids is None:
        msg = "a program with managers needs their person ids derived"
        raise ValueError(msg)
    return tuple(person_ids(manager) for manager in settings.managers)


def _topics(questionnaire: Questionnaire) -> ProgramTopics:
    return ProgramTopics(skills=questionnaire.skills(), goals=questionnaire.goals())
