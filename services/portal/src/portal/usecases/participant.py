"""The participant's use cases: what each page shows and what each form does.

Each takes the signed-in `Caller`, calls the services' APIs with the caller's own token (so
every service applies its own access rules: a person sees only their own registration and
their own pairs), and returns what the page needs. Refusals arrive as the kit's errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError, RuleError
from portal.adapters.api import ServiceUnavailable
from portal.adapters.services import (
    ExportApi,
    FeedbackApi,
    MatchingApi,
    NotificationsApi,
    RegistrationApi,
    SchedulingApi,
)
from portal.domain import sessions as session_rules
from portal.domain.models import (
    Agenda,
    Agreement,
    AgreementStanding,
    CalendarFeed,
    Candidates,
    ErasureRequest,
    Feedback,
    FitAnswer,
    Goal,
    MatchedPair,
    NotificationPreferences,
    PartnerProfile,
    Program,
    Questionnaire,
    Registration,
    Series,
    Session,
    SessionStatus,
    SurveyOffer,
    agreement_standing,
)
from portal.domain.notifications import N_, PreferencesForm, form_field, form_of, read_form
from portal.domain.questionnaire import FormValues, answer_field, ordered_picks, read_answers
from portal.domain.refusals import Problem, first_by_field, path_field
from portal.domain.why import choice_labels

GROUP_PAIR_UNNAMED = "group_pair_unnamed"
"""The rule a group's mentor meets writing the agreement, fit or goals from the group's page."""
GROUP_PAIR_UNNAMED_MESSAGE = N_(
    "In a group, the agreement, the fit question and the goals belong to each mentee's own "
    "pair: your mentees write them on their pages; this page cannot write them for one of them."
)


@dataclass(frozen=True, slots=True)
class Caller:
    """The signed-in person."""

    subject: str
    """Their employee id (the token's subject)."""
    name: str
    email: str
    token: str
    roles: tuple[str, ...] = ()
    """The identity provider's role claims: only which links to offer (the services decide
    what each person may do)."""


@dataclass(frozen=True, slots=True)
class ProgramStatus:
    """A program and where the caller stands in it."""

    program: Program
    registration: Registration | None


@dataclass(frozen=True, slots=True)
class PairSummary:
    """One of the caller's pairs as the home page lists it."""

    pair_id: str
    program_id: str
    next_session: Session | None
    feedback_owed: Session | None


@dataclass(frozen=True, slots=True)
class Home:
    """The home page: my programs and what to do next."""

    programs: list[ProgramStatus]
    pairs: list[PairSummary]
    surveys: dict[str, list[SurveyOffer]] = field(default_factory=dict)
    """Per program I am in: its surveys, when they open and whether I answered them."""


@dataclass(frozen=True, slots=True)
class RegistrationForm:
    """The registration page."""

    program: Program
    questionnaire: Questionnaire
    registration: Registration | None


type RelationshipPart = Literal["agreement", "agenda", "fit", "goals"]
"""A part of a pair's relationship that feedback keeps (each read by its own call)."""


@dataclass(frozen=True, slots=True)
class Relationship:
    """What feedback keeps of a pair: its agreement, next agenda, fit answers and plan."""

    agreement: Agreement | None = None
    agenda: Agenda | None = None
    fit: list[FitAnswer] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    unread: frozenset[RelationshipPart] = frozenset()
    """The parts feedback did not answer for (left empty: unknown, not absent)."""


@dataclass(frozen=True, slots=True)
class PairPage:
    """Everything about one of the caller's pairs."""

    program: Program
    series: Series
    me: str | None
    """The caller's participant id in the program."""
    time_zone: str
    agreement: Agreement | None
    agenda: Agenda | None
    fit: list[FitAnswer]
    goals: list[Goal]
    calendar: CalendarFeed | None = None
    matches: list[MatchedPair] | None = None
    """My pairs of this series as matching explains them (None: matching did not answer)."""
    labels: dict[str, str] = field(default_factory=dict)
    """The program's choice labels, to name the answers the pair shares."""
    profiles: dict[str, PartnerProfile | None] = field(default_factory=dict)
    """The other members' profiles by participant id (None: registration could not show it;
    empty when not asked for)."""
    reading: str | None = None
    """The mentee (participant id) whose agreement, fit answers, agenda and plan the page
    shows, named by ``?mentee=`` (a group's mentor picks one); None: the caller's own."""
    agreements: dict[str, AgreementStanding] = field(default_factory=dict)
    """Where each mentee's agreement stands, by participant id, on a group's page its mentor
    reads without a pick (empty anywhere else, and when not asked for)."""
    unread: frozenset[RelationshipPart] = frozenset()
    """The parts feedback did not answer for: each unknown (left empty), not absent; its card
    says so instead of "none yet" and offers no form. The other cards are shown."""

    @property
    def awaiting_me(self) -> list[str]:
        """The mentees (participant ids) whose agreement waits for my acknowledgement."""
        return [
            pid
            for pid, standing in self.agreements.items()
            if standing is AgreementStanding.AWAITS_MENTOR
        ]

    @property
    def agreements_unread(self) -> list[str]:
        """The mentees (participant ids) whose agreement feedback could not say."""
        return [
            pid
            for pid in self.mentees
            if self.agreements.get(pid, AgreementStanding.UNAVAILABLE)
            is AgreementStanding.UNAVAILABLE
        ]

    @property
    def my_role(self) -> str | None:
        """The caller's role in the pair."""
        return next((m.role for m in self.series.members if m.participant_id == self.me), None)

    @property
    def partners(self) -> list[tuple[str, str]]:
        """The other members: (participant id, role)."""
        return [
            (m.participant_id, m.role) for m in self.series.members if m.participant_id != self.me
        ]

    def role_of(self, participant_id: str) -> str | None:
        """A member's role in the series (None: not one of its members)."""
        return self.series.role_of(participant_id)

    def mentee_number(self, participant_id: str) -> int | None:
        """Where a mentee stands among several others' (1, 2…), as the page numbers them.

        None for a pair's one mentee, the mentor or a stranger: the number only names a
        group's mentee whose profile cannot be shown.
        """
        mentees = [pid for pid, role in self.partners if role == "mentee"]
        if len(mentees) < 2 or participant_id not in mentees:
            return None
        return mentees.index(participant_id) + 1

    @property
    def mentees(self) -> list[str]:
        """The other members who are mentees (participant ids), in the series' order."""
        return [pid for pid, role in self.partners if role == "mentee"]

    @property
    def reads_mentee(self) -> bool:
        """A group's mentor reading one mentee's agreement, fit, agenda and plan (read-only)."""
        return self.reading is not None and self.series.is_group and self.my_role == "mentor"

    def counterparts(self, match: MatchedPair) -> list[str]:
        """Whom one of my explanations is about: its pair's other member, never the group's.

        Matching lists everyone a group's member meets as partners; an explanation is about
        one pair, so a mentee's names her mentor only (another mentee is no part of it), and
        a group's mentor's names the pair's own mentee.
        """
        partners = list(match.partner_participant_ids)
        if match.role == "mentee":
            return [pid for pid in partners if self.role_of(pid) != "mentee"]
        if match.mentee_participant_id is not None:
            return [match.mentee_participant_id]
        return partners

    @property
    def picks_no_mentee(self) -> bool:
        """A group's page seen by its mentor: it names none of the group's pairs.

        Feedback's pair routes want ``?mentee=`` for a group's id, so the agreement, fit and
        goal forms (one pair's) are not offered; each mentee writes them on her own page.
        """
        return self.series.is_group and self.series.mentee_query(self.me) is None

    @property
    def fit_asked(self) -> bool:
        """Whether the fit question is open: after the first held session, until answered."""
        answered = any(answer.participant_id == self.me for answer in self.fit)
        return self._fit_may_be_open and not answered and "fit" not in self.unread

    @property
    def fit_unreadable(self) -> bool:
        """Whether the fit question may be open but feedback did not say if it was answered.

        The page then says the question cannot be read now where it would otherwise ask it
        (after the first held session, not on a group's page its mentor reads).
        """
        return self._fit_may_be_open and "fit" in self.unread

    @property
    def _fit_may_be_open(self) -> bool:
        """After the first held session, on a page that names one pair (unless answered)."""
        return session_rules.first_held(self.series.sessions) and not self.picks_no_mentee


@dataclass(frozen=True, slots=True)
class FeedbackPage:
    """The feedback form of one held session."""

    program: Program
    session: Session
    mine: Feedback | None
    me: str | None
    earlier_unknown: bool = False
    """Feedback did not answer: whether I gave feedback on the session cannot be told."""


@dataclass(frozen=True, slots=True)
class MentorChoice:
    """The page where a mentee picks up to three mentors."""

    program: Program
    registration: Registration | None
    candidates: Candidates | None
    """None while matching does not know her as a mentee of the program (yet)."""
    labels: dict[str, str]


@dataclass(slots=True)
class Export:
    """Everything the platform holds about the caller, service by service."""

    subject: str
    exported_at: datetime
    services: dict[str, Any] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)


class RegistrationRefused(InvalidInputError):  # noqa: N818 - names the situation
    """The registration was refused; ``by_field`` maps form fields to messages."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__(problems)
        self.form_problems: list[Problem] = []
        """Every problem, by the form's field (a question's key, else the path's last name)."""
        for path, message in problems:
            key = answer_field(path)
            self.form_problems.append(
                (key if key is not None else path_field(path) or "form", message)
            )
        self.by_field = first_by_field(self.form_problems)


class PreferencesRefused(InvalidInputError):  # noqa: N818 - names the situation
    """The preferences were refused; the form as submitted, with each problem by field."""

    def __init__(self, problems: Sequence[tuple[str, str]], form: PreferencesForm) -> None:
        super().__init__(problems)
        self.form = form
        self.by_field: dict[str, str] = {}
        for path, message in problems:
            self.by_field.setdefault(form_field(path), message)


def _now() -> datetime:
    return datetime.now(UTC)


def _failed(answer: object) -> bool:
    """Whether a call failed, as ``gather(..., return_exceptions=True)`` gives its result."""
    return isinstance(answer, BaseException)


def _unless_failed[T, D](answer: T | BaseException, default: D) -> T | D:
    """A call's result as ``gather(..., return_exceptions=True)`` gives it, else ``default``."""
    return default if isinstance(answer, BaseException) else answer


async def _unless_unavailable[T](call: Awaitable[T]) -> T | None:
    """The call's answer; None when its service does not answer (a refusal is raised)."""
    try:
        return await call
    except ServiceUnavailable:
        return None


class ParticipantPortal:
    """The use cases behind the participant pages."""

    def __init__(
        self,
        registration: RegistrationApi,
        matching: MatchingApi,
        scheduling: SchedulingApi,
        feedback: FeedbackApi,
        exports: ExportApi,
        *,
        notifications: NotificationsApi,
    ) -> None:
        self._registration = registration
        self._matching = matching
        self._scheduling = scheduling
        self._feedback = feedback
        self._exports = exports
        self._notifications = notifications

    async def home(self, caller: Caller) -> Home:
        """My programs (open ones and those I joined) and my pairs with what is due."""
        programs, my_sessions = await asyncio.gather(
            self._registration.programs(caller.token), self._scheduling.my_sessions(caller.token)
        )
        registrations = await asyncio.gather(
            *(self._registration.my_registration(caller.token, p.program_id) for p in programs)
        )
        statuses = [
            ProgramStatus(program, registration)
            for program, registration in zip(programs, registrations, strict=True)
            if registration is not None or program.registration_status == "open"
        ]
        by_pair: dict[str, list[Session]] = {}
        for session in my_sessions:
            by_pair.setdefault(session.pair_id, []).append(session)
        mine = {
            program.program_id: registration.participant_id
            for program, registration in zip(programs, registrations, strict=True)
            if registration is not None
        }
        owed = await asyncio.gather(
            *(
                self._feedback_owed(caller, sessions, mine.get(sessions[0].program_id))
                for sessions in by_pair.values()
            )
        )
        now = _now()
        pairs = [
            PairSummary(
                pair_id=pair_id,
                program_id=sessions[0].program_id,
                next_session=session_rules.next_session(sessions, now),
                feedback_owed=due,
            )
            for (pair_id, sessions), due in zip(by_pair.items(), owed, strict=True)
        ]
        active = [
            status.program.program_id
            for status in statuses
            if status.registration and status.registration.active
        ]
        offers = await asyncio.gather(*(self._surveys(caller, p) for p in active))
        return Home(programs=statuses, pairs=pairs, surveys=dict(zip(active, offers, strict=True)))

    async def _surveys(self, caller: Caller, program_id: str) -> list[SurveyOffer]:
        """The program's surveys; none while feedback has not heard of the program or of me."""
        try:
            return await self._feedback.surveys(caller.token, program_id)
        except (RuleError, ForbiddenError, ServiceUnavailable):
            return []

    async def _feedback_owed(
        self, caller: Caller, sessions: list[Session], me: str | None
    ) -> Session | None:
        """The latest held session, if the caller has not rated it.

        None when feedback cannot tell: it has not heard of the session yet, or does not
        answer (the home page then opens without the reminder, rather than not at all).
        """
        latest = next(iter(session_rules.held(sessions)), None)
        if latest is None or me is None:
            return None
        try:
            given = await self._feedback.feedback(caller.token, latest.session_id)
        except (RuleError, ServiceUnavailable):
            return None
        return None if any(f.participant_id == me for f in given) else latest

    async def registration_form(self, caller: Caller, program_id: str) -> RegistrationForm:
        """The program, its questionnaire and my registration (if any)."""
        program, questionnaire, registration = await asyncio.gather(
            self._registration.program(caller.token, program_id),
            self._registration.questionnaire(caller.token, program_id),
            self._registration.my_registration(caller.token, program_id),
        )
        return RegistrationForm(program, questionnaire, registration)

    async def register(
        self,
        caller: Caller,
        program_id: str,
        form: FormValues,
        identity: Mapping[str, str],
    ) -> Registration:
        """Register (or update my answers) from the submitted form.

        Raises:
            RegistrationRefused: fields the form or the registration service refused.
        """
        questionnaire = await self._registration.questionnaire(caller.token, program_id)
        answers, unreadable = read_answers(questionnaire, form)
        if unreadable:
            raise RegistrationRefused(
                [(f"body.answers.{key}", problem) for key, problem in unreadable.items()]
            )
        request: dict[str, Any] = {
            "name": identity.get("name", "").strip() or caller.name or caller.subject,
            "email": identity.get("email", "").strip() or caller.email,
            "answers": answers,
            "preferred_mentors": ordered_picks(form.get("preferred_mentors", ())),
        }
        if department := identity.get("department", "").strip():
            request["department"] = department
        try:
            return await self._registration.register(caller.token, program_id, request)
        except InvalidInputError as error:
            raise RegistrationRefused(error.problems) from None

    async def erasure_request(self, caller: Caller) -> ErasureRequest | None:
        """My open erasure request, if I filed one."""
        return await self._registration.erasure_request(caller.token)

    async def request_erasure(self, caller: Caller) -> ErasureRequest:
        """Ask the admins to erase me (asking again keeps the first request)."""
        return await self._registration.request_erasure(caller.token)

    async def withdraw(self, caller: Caller, program_id: str) -> Registration:
        """Withdraw from a program."""
        return await self._registration.withdraw(caller.token, program_id)

    async def _me(self, caller: Caller, program_id: str) -> Registration | None:
        return await self._registration.my_registration(caller.token, program_id)

    async def pair(
        self,
        caller: Caller,
        pair_id: str,
        *,
        with_calendar: bool = False,
        with_match: bool = False,
        with_names: bool = False,
        with_agreements: bool = False,
        mentee: str | None = None,
    ) -> PairPage:
        """My pair: members, series, agreement, next agenda, fit answers, plan.

        ``with_match`` adds who the others are (registration's profiles) and why we were
        matched (matching's explanation, named with the program's choice labels); a service
        that does not answer leaves its part out. ``with_names`` asks a group's mentees'
        profiles only, and only for its mentor (the sessions and plan pages name the mentees
        to her alone), not matching's explanation. ``mentee`` (a participant id)
        names one of a group's mentees, whose pair's agreement, fit answers, agenda and plan
        are read (by its mentor; feedback decides who may). ``with_agreements`` asks, for a
        group's mentor without ``mentee``, where each mentee's agreement stands.

        Raises:
            ForbiddenError: the caller is not a member (scheduling refuses), or may not read
                that mentee's pair (feedback refuses).
            NotFoundError: ``mentee`` is not one of the series' mentees.
        """
        series = await self._series_of(caller, pair_id, mentee)
        token = caller.token
        matches = asyncio.create_task(self._matches(caller, pair_id)) if with_match else None
        labels = (
            asyncio.create_task(self._labels(caller, series.program_id)) if with_match else None
        )
        program = asyncio.create_task(self._registration.program(token, series.program_id))
        registration = asyncio.create_task(self._me(caller, series.program_id))
        relationship = asyncio.create_task(
            self._relationship(caller, pair_id, series, registration, mentee)
        )
        calendar = asyncio.create_task(self._calendar(caller)) if with_calendar else None
        agreements = (
            asyncio.create_task(self._agreements(caller, series, registration))
            if with_agreements and series.is_group and mentee is None
            else None
        )
        profiles = (
            asyncio.create_task(self._profiles(caller, series, registration))
            if with_match
            else asyncio.create_task(self._mentees_names(caller, series, registration))
            if with_names and series.is_group
            else None
        )
        await asyncio.gather(
            *(
                task
                for task in (
                    program,
                    registration,
                    relationship,
                    calendar,
                    matches,
                    labels,
                    profiles,
                    agreements,
                )
                if task
            )
        )
        me = registration.result()
        read = relationship.result()
        time_zone = str((me.answers.get("time_zone") if me else None) or series.time_zone)
        return PairPage(
            program=program.result(),
            series=series,
            me=me.participant_id if me else None,
            time_zone=time_zone,
            agreement=read.agreement,
            agenda=read.agenda,
            fit=read.fit,
            goals=read.goals,
            calendar=calendar.result() if calendar else None,
            matches=matches.result() if matches else None,
            labels=labels.result() if labels else {},
            profiles=profiles.result() if profiles else {},
            reading=mentee,
            agreements=agreements.result() if agreements else {},
            unread=read.unread,
        )

    async def _relationship(
        self,
        caller: Caller,
        pair_id: str,
        series: Series,
        me: asyncio.Task[Registration | None],
        picked: str | None = None,
    ) -> Relationship:
        """Feedback's agreement, next agenda, fit answers and plan of the pair, read at once.

        A part feedback does not answer for (`ServiceUnavailable`) is unread: the page shows
        the others and says it cannot be read now. A refusal (403, 404) is still raised, the
        first in the parts' order, even beside a call that did not answer: a page that may
        not be read is not shown as one that cannot be read now.

        A group's id names one pair per mentee, so feedback wants ``?mentee=``: the mentee
        the page ``picked`` (its mentor's choice), asked at once; else a mentee of the group
        reads her own pair's (which waits for her registration, to know her participant id);
        its mentor, without a pick, asks nothing (feedback names no pair by the group alone).
        A pair's own id is asked at once, beside the registration.
        """
        mentee = None
        if series.is_group and picked is not None:
            mentee = picked
        elif series.is_group:
            mine = await me
            mentee = series.mentee_query(mine.participant_id if mine else None)
            if mentee is None:  # feedback refuses a group's id without one (a 422): none
                return Relationship()
        token = caller.token
        agreement, agenda, fit, goals = await asyncio.gather(
            self._feedback.agreement(token, pair_id, mentee),
            self._feedback.next_agenda(token, pair_id, mentee),
            self._feedback.fit(token, pair_id, mentee),
            self._feedback.goals(token, pair_id, mentee),
            return_exceptions=True,
        )
        answers: dict[RelationshipPart, object] = {
            "agreement": agreement,
            "agenda": agenda,
            "fit": fit,
            "goals": goals,
        }
        for answer in answers.values():
            if isinstance(answer, BaseException) and not isinstance(answer, ServiceUnavailable):
                raise answer
        return Relationship(
            agreement=_unless_failed(agreement, None),
            agenda=_unless_failed(agenda, None),
            fit=_unless_failed(fit, []),
            goals=_unless_failed(goals, []),
            unread=frozenset(part for part, answer in answers.items() if _failed(answer)),
        )

    async def _agreements(
        self, caller: Caller, series: Series, me: asyncio.Task[Registration | None]
    ) -> dict[str, AgreementStanding]:
        """Where each mentee's agreement stands, for the group's mentor (else none is asked).

        Feedback reads one pair's agreement per call (``?mentee=``), so each mentee's is asked
        at once, as soon as the caller's registration says she is the mentor (a mentee of the
        group may not read another's). One that feedback cannot give now (down, failing or
        refusing) is `AgreementStanding.UNAVAILABLE`; the others are still shown.
        """
        mine = await me
        if mine is None or not series.is_mentor(mine.participant_id):
            return {}
        mentor = mine.participant_id
        mentees = series.mentee_ids

        async def one(mentee: str) -> AgreementStanding:
            try:
                agreement = await self._feedback.agreement(caller.token, series.pair_id, mentee)
            except (ServiceUnavailable, ForbiddenError, RuleError):
                return AgreementStanding.UNAVAILABLE
            return agreement_standing(agreement, mentor)

        found = await asyncio.gather(*(one(mentee) for mentee in mentees))
        return dict(zip(mentees, found, strict=True))

    async def _series_of(self, caller: Caller, pair_id: str, mentee: str | None) -> Series:
        """The pair's series, where ``mentee`` (a participant id), if named, is a mentee.

        Raises:
            ForbiddenError: the caller is not a member (scheduling refuses).
            NotFoundError: ``mentee`` is not one of the series' mentees.
        """
        series = await self._scheduling.series(caller.token, pair_id)
        if mentee is not None and series.role_of(mentee) != "mentee":
            raise NotFoundError(f"mentee {mentee} in {pair_id}")
        return series

    async def _writing_for(
        self, caller: Caller, pair_id: str, picked: str | None = None
    ) -> str | None:
        """The ``?mentee=`` of a write to feedback's pair routes, found here, never from a form.

        A pair's own id needs none. For a group's id it is the caller's own participant id
        (registration's), when she is one of its mentees, as the page reads hers, whatever
        mentee the form named. ``picked`` is for the group's mentor only: the mentee whose
        pair she writes to (only her acknowledgement offers it; feedback checks she is a
        member of that pair).

        Raises:
            ForbiddenError: the caller is not a member (scheduling refuses).
            NotFoundError: ``picked`` is not one of the series' mentees.
            RuleError: ``group_pair_unnamed``, the caller is the group's mentor without a
                ``picked`` mentee (or not yet registered as its mentee): no one of its pairs
                is hers to write.
        """
        series = await self._series_of(caller, pair_id, picked)
        if not series.is_group:
            return None
        mine = await self._me(caller, series.program_id)
        me = mine.participant_id if mine else None
        mentee = series.mentee_query(me)
        if mentee is None and picked is not None and series.is_mentor(me):
            return picked
        if mentee is None:
            raise RuleError(GROUP_PAIR_UNNAMED, GROUP_PAIR_UNNAMED_MESSAGE)
        return mentee

    async def _profiles(
        self, caller: Caller, series: Series, me: asyncio.Task[Registration | None]
    ) -> dict[str, PartnerProfile | None]:
        """The profile of each other member, read at once; None for one that cannot be shown.

        Registration learns pairs from matching's events, so just after matching it may not
        know the pair yet (403), and an erased member has none (404).
        """
        # Every member at once, beside the caller's registration rather than after it (which
        # says which member is the caller): the page waits for no chain of calls. Registration
        # refuses the caller's own profile (no one is their own partner); it is dropped.
        members = [m.participant_id for m in series.members]
        found, mine = await asyncio.gather(
            asyncio.gather(*(self._profile(caller, pid) for pid in members)), me
        )
        return {
            pid: profile
            for pid, profile in zip(members, found, strict=True)
            if mine is None or pid != mine.participant_id
        }

    async def _mentees_names(
        self, caller: Caller, series: Series, me: asyncio.Task[Registration | None]
    ) -> dict[str, PartnerProfile | None]:
        """The group's mentees' profiles when the caller is its mentor; none for anyone else.

        The sessions and plan pages name a group's mentees to its mentor only (her links to
        each mentee's view, the mentee she reads); a mentee is shown no one's name there. So,
        unlike `_profiles`, this waits for the caller's registration (one call) and asks no
        profile at all for a mentee, nor the mentor's own.
        """
        mine = await me
        if mine is None or not series.is_mentor(mine.participant_id):
            return {}
        mentees = series.mentee_ids
        found = await asyncio.gather(*(self._profile(caller, pid) for pid in mentees))
        return dict(zip(mentees, found, strict=True))

    async def _profile(self, caller: Caller, participant_id: str) -> PartnerProfile | None:
        """One member's profile; None when registration cannot show it (see `_profiles`)."""
        try:
            return await self._registration.partner_profile(caller.token, participant_id)
        except (ForbiddenError, NotFoundError, ServiceUnavailable):
            return None

    async def _matches(self, caller: Caller, series_id: str) -> list[MatchedPair] | None:
        """My pairs of the series, as matching explains them; None when matching fails."""
        try:
            mine = await self._matching.my_pairs(caller.token)
        except ServiceUnavailable:
            return None
        return [pair for pair in mine if pair.belongs_to(series_id)]

    async def _labels(self, caller: Caller, program_id: str) -> dict[str, str]:
        """The program's choice labels (none when the questionnaire cannot be read)."""
        try:
            questionnaire = await self._registration.questionnaire(caller.token, program_id)
        except (NotFoundError, ForbiddenError, ServiceUnavailable):
            return {}
        return choice_labels(questionnaire)

    async def mentor_choice(self, caller: Caller, program_id: str) -> MentorChoice:
        """The mentors I may pick in a mentee-choice program, with my current picks.

        Raises:
            RuleError: ``not_mentee_choice``, the program's mentees do not pick.
        """
        program, registration, labels = await asyncio.gather(
            self._registration.program(caller.token, program_id),
            self._me(caller, program_id),
            self._labels(caller, program_id),
        )
        candidates = None
        if registration is not None and registration.active:
            try:
                found = await self._matching.candidates(caller.token, program_id)
                candidates = found.with_picks(registration.preferred_mentors)
            except (ForbiddenError, NotFoundError):
                candidates = None  # matching has not heard of the registration yet
        return MentorChoice(program, registration, candidates, labels)

    async def save_picks(self, caller: Caller, program_id: str, picks: Sequence[str]) -> None:
        """Keep my registration as it is, with ``picks`` (participant ids, best first).

        Raises:
            NotFoundError: I am not registered in the program.
            RegistrationRefused: the registration service refused the picks (by field).
        """
        registration = await self._me(caller, program_id)
        if registration is None:
            raise NotFoundError(f"registration in {program_id}")
        request: dict[str, Any] = {
            "name": registration.name,
            "email": registration.email,
            "answers": dict(registration.answers),
            "preferred_mentors": ordered_picks(picks),
        }
        if registration.department:
            request["department"] = registration.department
        if registration.manager_employee_id:
            request["manager_employee_id"] = registration.manager_employee_id
        try:
            await self._registration.register(caller.token, program_id, request)
        except InvalidInputError as error:
            raise RegistrationRefused(error.problems) from None

    async def surveys(self, caller: Caller, program_id: str) -> list[SurveyOffer]:
        """The program's surveys as feedback offers them to me."""
        return await self._feedback.surveys(caller.token, program_id)

    async def _calendar(self, caller: Caller) -> CalendarFeed | None:
        try:
            return await self._scheduling.calendar(caller.token)
        except ForbiddenError:
            return None

    async def save_agreement(self, caller: Caller, pair_id: str, fields: dict[str, str]) -> None:
        """Draft or change the agreement (both must acknowledge it again)."""
        mentee = await self._writing_for(caller, pair_id)
        await self._feedback.save_agreement(caller.token, pair_id, fields, mentee)

    async def acknowledge(
        self, caller: Caller, pair_id: str, version: int, mentee: str | None = None
    ) -> None:
        """Acknowledge the agreement's version, of my own pair.

        As a group's mentor: of the pair of the ``mentee`` I picked (a participant id of the
        group's mentees; `_writing_for` ignores it for anyone else).
        """
        mentee = await self._writing_for(caller, pair_id, mentee)
        await self._feedback.acknowledge(caller.token, pair_id, version, mentee)

    async def reschedule(
        self, caller: Caller, session_id: str, starts_at: datetime, scope: str
    ) -> Session:
        """Move a session (or it and the following ones)."""
        moved = await self._scheduling.reschedule(
            caller.token, session_id, starts_at.isoformat(), scope
        )
        return next(s for s in moved if s.session_id == session_id)

    async def cancel(self, caller: Caller, session_id: str) -> Session:
        """Cancel a session."""
        return await self._scheduling.cancel(caller.token, session_id)

    async def mark_held(self, caller: Caller, session_id: str) -> Session:
        """Mark a session held."""
        return await self._scheduling.mark_held(caller.token, session_id)

    async def mark_missed(self, caller: Caller, session_id: str) -> Session:
        """Mark a session missed."""
        return await self._scheduling.mark_missed(caller.token, session_id)

    async def session(self, caller: Caller, session_id: str) -> Session:
        """One of my sessions."""
        return await self._scheduling.session(caller.token, session_id)

    async def check_mentee_of_session(self, caller: Caller, session_id: str, mentee: str) -> None:
        """Refuse a ``mentee`` (a participant id) who is not a mentee of the session's series.

        The group's mentor acts on a session from one mentee's view (``?mentee=``): a view of
        someone else is refused before the action, not after it.

        Raises:
            NotFoundError: the session, or ``mentee`` among its series' mentees.
        """
        session = await self._scheduling.session(caller.token, session_id)
        await self._series_of(caller, session.pair_id, mentee)

    async def feedback_page(self, caller: Caller, session_id: str) -> FeedbackPage:
        """The feedback form of a session, with my earlier answer.

        While feedback does not answer, the form is still given (it may answer again by the
        time it is sent), without the earlier answer and saying so (`earlier_unknown`).
        """
        session = await self._scheduling.session(caller.token, session_id)
        program, me, given = await asyncio.gather(
            self._registration.program(caller.token, session.program_id),
            self._me(caller, session.program_id),
            _unless_unavailable(self._given_feedback(caller, session)),
        )
        mine = next(
            (f for f in given or () if me is not None and f.participant_id == me.participant_id),
            None,
        )
        return FeedbackPage(
            program, session, mine, me.participant_id if me else None, earlier_unknown=given is None
        )

    async def mentee_feedback(self, caller: Caller, page: PairPage) -> dict[str, Feedback] | None:
        """What the mentee a group's mentor reads said of each held session, by session id.

        Nothing is asked unless the page reads one mentee (`PairPage.reads_mentee`): the
        held sessions' feedback at once; a session she gave none on (or feedback has not
        heard of yet) is left out. Her private notes come blanked (feedback's rule). None
        when feedback does not answer (nor asked again when it did not answer for a part of
        the page: it is struggling, and each call would wait for its time-out).
        """
        if not page.reads_mentee:
            return {}
        if page.unread:
            return None
        held = session_rules.held(page.series.sessions)
        try:
            given = await asyncio.gather(*(self._given_feedback(caller, s) for s in held))
        except ServiceUnavailable:
            return None
        return {
            session.session_id: answer
            for session, answers in zip(held, given, strict=True)
            for answer in answers
            if answer.participant_id == page.reading
        }

    async def _given_feedback(self, caller: Caller, session: Session) -> list[Feedback]:
        """The session's feedback; none before it is held (or before feedback heard of it)."""
        if session.status is not SessionStatus.HELD:
            return []
        try:
            return await self._feedback.feedback(caller.token, session.session_id)
        except RuleError:
            return []

    async def give_feedback(self, caller: Caller, session_id: str, request: dict[str, Any]) -> None:
        """Give or revise my feedback on a held session."""
        await self._feedback.give_feedback(caller.token, session_id, request)

    async def answer_fit(self, caller: Caller, pair_id: str, request: dict[str, Any]) -> None:
        """Answer the fit question."""
        mentee = await self._writing_for(caller, pair_id)
        await self._feedback.answer_fit(caller.token, pair_id, request, mentee)

    async def add_goal(self, caller: Caller, pair_id: str, request: dict[str, Any]) -> None:
        """Add a goal to the plan."""
        mentee = await self._writing_for(caller, pair_id)
        await self._feedback.add_goal(caller.token, pair_id, request, mentee)

    async def update_goal(self, caller: Caller, goal_id: str, request: dict[str, Any]) -> None:
        """Record progress on a goal."""
        await self._feedback.update_goal(caller.token, goal_id, request)

    async def program(self, caller: Caller, program_id: str) -> Program:
        """One program."""
        return await self._registration.program(caller.token, program_id)

    async def answer_survey(
        self, caller: Caller, program_id: str, kind: str, request: dict[str, Any]
    ) -> None:
        """Answer a program survey."""
        await self._feedback.answer_survey(caller.token, program_id, kind, request)

    async def export(self, caller: Caller) -> Export:
        """My data from every service's ``GET /v1/me/export``, in one bundle.

        A service that cannot answer now (down, or refusing) is listed as unavailable; one that
        has no export is listed as not supported.
        """
        bundle = Export(subject=caller.subject, exported_at=_now())
        results = await asyncio.gather(
            *(self._exports.export(caller.token, name) for name in self._exports.services),
            return_exceptions=True,
        )
        for name, result in zip(self._exports.services, results, strict=True):
            if isinstance(result, NotFoundError):
                bundle.unavailable[name] = "not_supported"
            elif isinstance(result, ServiceUnavailable | ForbiddenError | RuleError):
                bundle.unavailable[name] = "unavailable"
            elif isinstance(result, BaseException):
                raise result
            else:
                bundle.services[name] = result
        return bundle

    async def notification_preferences(self, caller: Caller) -> PreferencesForm:
        """My notification preferences, as the form shows them."""
        return form_of(await self._notifications.preferences(caller.token))

    async def save_notification_preferences(
        self, caller: Caller, form: FormValues
    ) -> NotificationPreferences:
        """Replace my notification preferences with the submitted form's.

        Raises:
            PreferencesRefused: fields the portal could not read or the service refused.
        """
        submitted, request = read_form(form)
        if submitted.problems:
            paths = {"quiet_start": "quiet_hours.start", "quiet_end": "quiet_hours.end"}
            raise PreferencesRefused(
                [(f"body.{paths.get(k, k)}", m) for k, m in submitted.problems.items()], submitted
            )
        try:
            return await self._notifications.set_preferences(caller.token, request)
        except InvalidInputError as error:
            raise PreferencesRefused(error.problems, submitted) from None
