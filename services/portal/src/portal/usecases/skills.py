"""Skills assessments: a mentee rates themself and asks for 360 input; a mentor rates them.

Every call carries the signed-in person's token, so feedback decides who may do what (only a
program's mentees rate themselves and ask raters, only the pair's mentor rates the mentee,
only the mentee, their mentor and the program's managers read the calibration). Each refusal
the person can act on comes back as `SkillsRefused`, by form field ("" for the whole form).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError, RuleError
from portal.adapters.api import ServiceUnavailable
from portal.adapters.services import RegistrationApi, SchedulingApi
from portal.adapters.skills import SkillsApi
from portal.domain.models import PartnerProfile, Program, Questionnaire, Registration, Series
from portal.domain.notifications import N_
from portal.domain.refusals import FormRefused
from portal.domain.skills import (
    Calibration,
    RatersAsked,
    RatersDraft,
    SentRequests,
    chosen_skills,
    level_problem_skill,
    peer_field,
    raters_problems,
    read_levels,
    skill_labels,
)
from portal.domain.why import choice_labels
from portal.usecases.participant import Caller, PairPage

NOT_A_MENTEE: Final = N_(
    "The feedback service does not count you as a mentee of this program yet. If you "
    "registered a moment ago, try again in a minute."
)
NOT_THE_MENTOR: Final = N_("Only the pair's mentor rates the mentee's skills.")
MENTEE_CHOSE_NONE: Final = N_(
    "Your mentee chose no skills to grow, or the platform does not show them yet."
)
RULES: Final[dict[str, tuple[str, str]]] = {
    "no_skills_chosen": (
        "",
        N_(
            "You chose no skills to grow when you registered, so there is nothing to rate. "
            "Choose some in your registration answers first."
        ),
    ),
    "no_manager_known": (
        "manager",
        N_("The directory names no manager for you: ask peers instead, or ask HR to add one."),
    ),
    "manager_already_answered": (
        "manager",
        N_("Your manager already answered for this moment, and their answer is final."),
    ),
    "not_an_assessment_moment": ("moment", N_("Nobody is rated at that moment.")),
    "pseudonym_key_missing": (
        "",
        N_("Peers can only be named by their e-mail address here."),
    ),
    "rater_links_unavailable": (
        "",
        N_(
            "The platform cannot make rater links yet (its link key is not set). "
            "Tell your program manager; nothing was sent."
        ),
    ),
    "program_not_known": (
        "",
        N_("The feedback service does not know this program yet: try again in a minute."),
    ),
}
"""Feedback's rule codes: the form field each concerns and what the person is told."""
TOO_MANY_PEERS: Final = N_(
    "At most five peers per moment, counting those you asked before: ask fewer."
)
BAD_ADDRESS: Final = N_("The feedback service refused this address: check it.")


class SkillsRefused(FormRefused):
    """Nothing was recorded; ``by_field`` names each problem's form field ("" for none)."""

    def __init__(self, by_field: dict[str, str], chosen: dict[str, str] | None = None) -> None:
        super().__init__(by_field)
        self.chosen = chosen or {}
        """A rating form's choices as submitted (to show it again)."""


@dataclass(frozen=True, slots=True)
class MySkills:
    """The mentee's skills page in one program."""

    program: Program
    registration: Registration
    skills: list[str]
    """The skills chosen at registration (feedback's, once it has any rating)."""
    labels: dict[str, str]
    calibration: Calibration | None
    """None when feedback cannot show it yet (it has not heard of the registration)."""
    sent: SentRequests | None = None
    """The 360 requests I sent (None when feedback cannot show them)."""

    def given(self, moment: str) -> dict[str, str]:
        """My own levels at ``moment``, as form values."""
        return self.calibration.given("self", moment) if self.calibration else {}


@dataclass(frozen=True, slots=True)
class MenteeSkills:
    """A mentor's view of their mentee's skills in one pair."""

    program: Program
    series: Series
    mentee: str
    """The mentee's participant id."""
    profile: PartnerProfile | None
    skills: list[str]
    labels: dict[str, str]
    calibration: Calibration | None

    in_group: bool = False
    """One of several mentees of a group (its id names the series): the mentee is named."""

    @property
    def name(self) -> str:
        """The mentee's name (empty when registration could not show it)."""
        return self.profile.name if self.profile else ""

    @property
    def query(self) -> str:
        """What the page's addresses add to name the mentee (a group's only)."""
        return f"?mentee={self.mentee}" if self.in_group else ""

    def given(self, moment: str) -> dict[str, str]:
        """The levels I gave at ``moment``, as form values."""
        return self.calibration.given("mentor", moment) if self.calibration else {}


@dataclass(frozen=True, slots=True)
class GroupMentees:
    """A group's mentees, for its mentor to choose whom to rate."""

    program: Program
    series: Series
    mentees: list[tuple[str, PartnerProfile | None]]
    """(participant id, profile; None when registration could not show it)."""


def _labels(questionnaire: Questionnaire | None) -> dict[str, str]:
    if questionnaire is None:
        return {}
    return choice_labels(questionnaire) | skill_labels(questionnaire)


def _rule(refused: RuleError) -> SkillsRefused:
    field, message = RULES.get(refused.code, ("", N_("The feedback service refused this.")))
    return SkillsRefused({field: message})


def _level_problems(refused: InvalidInputError) -> dict[str, str]:
    found: dict[str, str] = {}
    for path, _message in refused.problems:
        skill = level_problem_skill(path)
        found.setdefault(
            skill,
            N_("Choose a level from 1 to 5.")
            if skill
            else N_("The feedback service refused these ratings."),
        )
    return found


class SkillsDesk:
    """What the skills pages show and do."""

    def __init__(
        self, registration: RegistrationApi, scheduling: SchedulingApi, skills: SkillsApi
    ) -> None:
        self._registration = registration
        self._scheduling = scheduling
        self._skills = skills

    async def _questionnaire(self, caller: Caller, program_id: str) -> Questionnaire | None:
        try:
            return await self._registration.questionnaire(caller.token, program_id)
        except (NotFoundError, ForbiddenError, ServiceUnavailable):
            return None

    async def _calibration(
        self, caller: Caller, program_id: str, participant_id: str
    ) -> Calibration | None:
        """The calibration; None while feedback has not heard of the participant or program."""
        try:
            return await self._skills.calibration(caller.token, program_id, participant_id)
        except (ForbiddenError, NotFoundError, RuleError, ServiceUnavailable):
            return None

    # ------------------------------------------------------------------ the mentee
    async def mine(self, caller: Caller, program_id: str) -> MySkills:
        """My skills page in the program.

        Raises:
            NotFoundError: I take no active part in the program as a mentee.
        """
        program, registration, questionnaire = await asyncio.gather(
            self._registration.program(caller.token, program_id),
            self._registration.my_registration(caller.token, program_id),
            self._questionnaire(caller, program_id),
        )
        if registration is None or not registration.active or registration.role == "mentor":
            raise NotFoundError(f"no mentee registration in {program_id}")
        calibration, sent = await asyncio.gather(
            self._calibration(caller, program_id, registration.participant_id),
            self._sent(caller, program_id),
        )
        skills = (calibration.skills if calibration else []) or (
            chosen_skills(questionnaire, registration.answers) if questionnaire else []
        )
        return MySkills(
            program=program,
            registration=registration,
            skills=skills,
            labels=_labels(questionnaire),
            calibration=calibration,
            sent=sent,
        )

    async def _sent(self, caller: Caller, program_id: str) -> SentRequests | None:
        """My 360 requests; None while feedback has not heard of me or the program."""
        try:
            return await self._skills.sent_requests(caller.token, program_id)
        except (ForbiddenError, NotFoundError, RuleError, ServiceUnavailable):
            return None

    async def rate_self(
        self, caller: Caller, page: MySkills, moment: str, form: dict[str, str]
    ) -> None:
        """Record my levels at ``moment`` (baseline or end, checked by the route).

        Raises:
            SkillsRefused: a skill without a level (nothing sent), or feedback's refusal.
        """
        await _send_levels(
            page.skills,
            form,
            lambda levels: self._skills.rate_self(
                caller.token, page.program.program_id, moment, levels
            ),
            none_chosen=RULES["no_skills_chosen"][1],
            not_allowed=NOT_A_MENTEE,
        )

    async def ask(self, caller: Caller, page: MySkills, draft: RatersDraft) -> RatersAsked:
        """Ask my manager and/or peers for their view at the draft's moment.

        Raises:
            SkillsRefused: the form's problems (nothing sent), or feedback's refusal, by field.
        """
        if problems := raters_problems(draft):
            raise SkillsRefused(problems)
        sent = [number for number, _ in draft.addresses]
        try:
            return await self._skills.ask_raters(
                caller.token, page.program.program_id, draft.request()
            )
        except InvalidInputError as refused:
            by_field: dict[str, str] = {}
            for path, _message in refused.problems:
                field = peer_field(path, sent)
                if field == "peers":
                    by_field.setdefault("peers", TOO_MANY_PEERS)
                elif field is not None and field.startswith("peer_email_"):
                    by_field.setdefault(field, BAD_ADDRESS)
                else:
                    by_field.setdefault(field or "", N_("The feedback service refused this."))
            raise SkillsRefused(by_field) from None
        except ForbiddenError:
            raise SkillsRefused({"": NOT_A_MENTEE}) from None
        except RuleError as refused:
            raise _rule(refused) from None

    # ------------------------------------------------------------------ the mentor
    async def mentee(
        self, caller: Caller, pair_id: str, mentee: str | None = None
    ) -> MenteeSkills | GroupMentees:
        """My mentee's skills in one of my pairs, or a group's mentees to choose from.

        ``mentee`` names one of a group's mentees (a pair's may be named too).

        Raises:
            ForbiddenError: I am not the pair's mentor (scheduling refuses non-members).
            NotFoundError: ``mentee`` is not one of its mentees.
        """
        series = await self._scheduling.series(caller.token, pair_id)
        me, questionnaire = await asyncio.gather(
            self._registration.my_registration(caller.token, series.program_id),
            self._questionnaire(caller, series.program_id),
        )
        mentees = series.mentee_ids
        if not series.is_mentor(me.participant_id if me else None) or not mentees:
            raise ForbiddenError(NOT_THE_MENTOR)
        if mentee is not None and mentee not in mentees:
            raise NotFoundError(f"mentee {mentee} in {pair_id}")
        if mentee is None and len(mentees) > 1:
            program, profiles = await asyncio.gather(
                self._registration.program(caller.token, series.program_id),
                asyncio.gather(*(self._profile(caller, one) for one in mentees)),
            )
            return GroupMentees(program, series, list(zip(mentees, profiles, strict=True)))
        chosen = mentee or mentees[0]
        program, profile, calibration = await asyncio.gather(
            self._registration.program(caller.token, series.program_id),
            self._profile(caller, chosen),
            self._calibration(caller, series.program_id, chosen),
        )
        skills = (calibration.skills if calibration else []) or (
            list(profile.skills_wanted) if profile else []
        )
        return MenteeSkills(
            program=program,
            series=series,
            mentee=chosen,
            profile=profile,
            skills=skills,
            labels=_labels(questionnaire),
            calibration=calibration,
            in_group=len(mentees) > 1,
        )

    async def for_pair(self, caller: Caller, page: PairPage) -> MenteeSkills | GroupMentees | None:
        """The rating forms of the pair page, for its mentor (None for anyone else).

        Built from what the pair page read already (series, program, the mentee's profile
        and the program's labels); only the calibration, for the levels given, is asked. A
        group's mentor gets its mentees instead, each to rate on their own page.
        """
        mentees = [pid for pid, role in page.partners if role == "mentee"]
        if page.my_role != "mentor" or not mentees:
            return None
        if len(mentees) > 1:
            return GroupMentees(
                page.program, page.series, [(one, page.profiles.get(one)) for one in mentees]
            )
        mentee = mentees[0]
        calibration = await self._calibration(caller, page.program.program_id, mentee)
        profile = page.profiles.get(mentee)
        skills = (calibration.skills if calibration else []) or (
            list(profile.skills_wanted) if profile else []
        )
        return MenteeSkills(
            program=page.program,
            series=page.series,
            mentee=mentee,
            profile=profile,
            skills=skills,
            labels=page.labels,
            calibration=calibration,
        )

    async def _profile(self, caller: Caller, participant_id: str) -> PartnerProfile | None:
        try:
            return await self._registration.partner_profile(caller.token, participant_id)
        except (ForbiddenError, NotFoundError, ServiceUnavailable):
            return None

    async def rate_mentee(
        self, caller: Caller, page: MenteeSkills, moment: str, form: dict[str, str]
    ) -> None:
        """Record my levels of my mentee at ``moment`` (midpoint or end, checked by the route).

        Raises:
            SkillsRefused: a skill without a level (nothing sent), or feedback's refusal.
        """
        await _send_levels(
            page.skills,
            form,
            lambda levels: self._skills.rate_mentee(
                caller.token, page.series.pair_id, moment, levels, page.mentee
            ),
            none_chosen=MENTEE_CHOSE_NONE,
            not_allowed=NOT_THE_MENTOR,
        )


async def _send_levels(
    skills: list[str],
    form: dict[str, str],
    send: Callable[[dict[str, int]], Awaitable[None]],
    *,
    none_chosen: str,
    not_allowed: str,
) -> None:
    """Check a rating form's levels (one 1-5 per skill) and ``send`` them.

    Raises:
        SkillsRefused: no skills, a skill without a level (nothing sent), or feedback's
            refusal, with the form's choices kept.
    """
    if not skills:
        raise SkillsRefused({"": none_chosen})
    levels, chosen, problems = read_levels(form, skills)
    if problems:
        raise SkillsRefused(problems, chosen)
    try:
        await send(levels)
    except InvalidInputError as refused:
        raise SkillsRefused(_level_problems(refused), chosen) from None
    except ForbiddenError:
        raise SkillsRefused({"": not_allowed}, chosen) from None
    except RuleError as refused:
        if refused.code == "no_skills_chosen":
            raise SkillsRefused({"": none_chosen}, chosen) from None
        raise SkillsRefused(_rule(refused).by_field, chosen) from None
