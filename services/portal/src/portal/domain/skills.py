"""Skills assessments as the portal shows and reads them (feedback's skills and 360 APIs).

A mentee rates the skills they chose to grow at the baseline and the end; their mentor rates
them at the midpoint and the end; their manager and peers answer through links (peers only
ever as the average of three or more). The forms are read and checked here with the feedback
service's own rules (a level 1-5 for every chosen skill; at most five peers per moment; an
address feedback accepts), so a mistake comes back beside its field before any call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from portal.domain.models import Questionnaire
from portal.domain.notifications import N_

LEVELS = (1, 2, 3, 4, 5)
LEVEL_FIELD = "level."
SELF_MOMENTS = ("baseline", "end")
MENTOR_MOMENTS = ("midpoint", "end")
ASK_MOMENTS = ("baseline", "end")
MOMENTS = ("baseline", "midpoint", "end")
MAX_PEERS = 5
MIN_PEERS_SHOWN = 3
PEER_EMAIL_FIELDS = 3
"""How many address fields the 360 form offers (more peers: send the form again)."""
SKILLS_WANTED = "skills_wanted"
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
EMAIL = re.compile(rf"^{_ATEXT}+(\.{_ATEXT}+)*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
"""Feedback's own address pattern (3-254 characters)."""
EMAIL_MAX = 254


class CalibrationRow(BaseModel):
    """One skill at one moment, as each kind of rater sees it."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    skill: str
    self_level: int | None = Field(default=None, alias="self")
    mentor: int | None = None
    manager: int | None = None
    peers_average: float | None = None
    """Feedback shows it only once at least three peers answered."""
    peers_answered: int = 0


class Calibration(BaseModel):
    """A mentee's skills per moment (only the moments someone rated at)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    participant_id: str
    moments: dict[str, list[CalibrationRow]] = Field(default_factory=dict)

    @property
    def skills(self) -> list[str]:
        """The skills feedback knows the mentee chose (empty before any rating)."""
        for rows in self.moments.values():
            return [row.skill for row in rows]
        return []

    def given(self, kind: str, moment: str) -> dict[str, str]:
        """The levels ``kind`` (``self`` or ``mentor``) gave at ``moment``, as form values."""
        chosen: dict[str, str] = {}
        for row in self.moments.get(moment, []):
            level = row.self_level if kind == "self" else row.mentor
            if level is not None:
                chosen[row.skill] = str(level)
        return chosen

    def ordered(self) -> list[tuple[str, list[CalibrationRow]]]:
        """The moments in the program's order."""
        return [(moment, self.moments[moment]) for moment in MOMENTS if moment in self.moments]


class RaterLink(BaseModel):
    """A link the mentee forwards to one peer (the token is its only key)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    request_id: str
    rater_kind: str
    moment: str
    token: str
    expires_at: datetime


class RaterInvitation(BaseModel):
    """A rater the platform e-mails (no token: the mentee never holds their link)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    request_id: str
    rater_kind: str
    moment: str
    expires_at: datetime


class RatersAsked(BaseModel):
    """What asking for 360 input made."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    links: list[RaterLink] = Field(default_factory=list)
    invited: list[RaterInvitation] = Field(default_factory=list)

    @property
    def manager_invited(self) -> bool:
        """Whether the manager is among those e-mailed."""
        return any(invitation.rater_kind == "manager" for invitation in self.invited)

    @property
    def peers_invited(self) -> int:
        """How many peers are e-mailed."""
        return sum(1 for invitation in self.invited if invitation.rater_kind == "peer")


class SentRequest(BaseModel):
    """A rater the mentee asked: how they are reached and, for the manager, if they answered."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    rater_kind: str
    moment: str
    reached_by: str
    """``directory`` (mailed: the manager, a peer by employee id), ``email``, ``link``."""
    email: str | None = None
    requested_at: datetime
    expires_at: datetime
    answered: bool | None = None
    """The manager's only: peers are never shown one by one."""

    def state(self, now: datetime) -> str:
        """``answered``, ``waiting`` or ``expired`` (manager); ``sent`` or ``expired`` (peer)."""
        if self.answered:
            return "answered"
        if now >= self.expires_at:
            return "expired"
        return "waiting" if self.answered is False else "sent"


class SentRequests(BaseModel):
    """The 360 requests the mentee sent, and how many peers answered per moment."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    requests: list[SentRequest] = Field(default_factory=list)
    peers_answered: dict[str, int] = Field(default_factory=dict)

    def of(self, moment: str) -> list[SentRequest]:
        """The requests of ``moment``, as feedback ordered them."""
        return [request for request in self.requests if request.moment == moment]

    @property
    def moments(self) -> list[str]:
        """The moments she asked for, in the program's order."""
        asked = {request.moment for request in self.requests}
        return [moment for moment in MOMENTS if moment in asked]


def chosen_skills(questionnaire: Questionnaire, answers: Mapping[str, object]) -> list[str]:
    """The skills the registration's answers chose to grow (the ``skills_wanted`` question)."""
    for question in questionnaire.questions:
        if question.meaning == SKILLS_WANTED:
            answer = answers.get(question.key)
            if isinstance(answer, str):
                return [answer]
            if isinstance(answer, list | tuple):
                return [str(value) for value in answer]
            return []
    return []


def skill_labels(questionnaire: Questionnaire) -> dict[str, str]:
    """The label of each skill a mentee may choose (the ``skills_wanted`` question's choices)."""
    for question in questionnaire.questions:
        if question.meaning == SKILLS_WANTED:
            return {choice.key: choice.label for choice in question.choices}
    return {}


def read_levels(
    form: Mapping[str, str], skills: Sequence[str]
) -> tuple[dict[str, int], dict[str, str], dict[str, str]]:
    """The levels a rating form holds (``level.<skill>`` = 1-5).

    Returns the levels to send, the form's choices as submitted (to show it again) and each
    skill without a level 1-5, with its (untranslated) message.
    """
    levels: dict[str, int] = {}
    chosen: dict[str, str] = {}
    problems: dict[str, str] = {}
    for skill in skills:
        value = form.get(f"{LEVEL_FIELD}{skill}", "").strip()
        if value.isdigit() and int(value) in LEVELS:
            levels[skill] = int(value)
            chosen[skill] = value
        else:
            problems[skill] = N_("Choose a level from 1 to 5.")
    return levels, chosen, problems


def level_problem_skill(path: str) -> str:
    """The skill a service's problem path names (``body.levels.python`` is ``python``)."""
    head, _, skill = path.rpartition(".")
    return skill if head.endswith("levels") else ""


@dataclass(frozen=True, slots=True)
class RatersDraft:
    """The 360 form as submitted (kept to show it again)."""

    moment: str = ""
    manager: bool = False
    emails: tuple[str, ...] = ("",) * PEER_EMAIL_FIELDS
    links: str = "0"

    @classmethod
    def of(cls, form: Mapping[str, str]) -> RatersDraft:
        """The draft in a submitted form (addresses and the number trimmed)."""
        return cls(
            moment=form.get("moment", "").strip(),
            manager=form.get("manager") == "yes",
            emails=tuple(
                form.get(email_field(n), "").strip()[: EMAIL_MAX + 1]
                for n in range(1, PEER_EMAIL_FIELDS + 1)
            ),
            links=form.get("peers", "0").strip() or "0",
        )

    @property
    def addresses(self) -> list[tuple[int, str]]:
        """The filled address fields: (field number from 1, address)."""
        return [(n, email) for n, email in enumerate(self.emails, start=1) if email]

    def request(self) -> dict[str, object]:
        """The body of ``POST /v1/programs/{id}/skills/raters`` (checked first)."""
        return {
            "moment": self.moment,
            "manager": self.manager,
            "peers": int(self.links),
            "invite_peers": [{"email": email} for _, email in self.addresses],
        }


def suggested_moment(starts_on: date, ends_on: date, today: date) -> str:
    """The moment 360 input is most likely asked for: the start until halfway, then the end."""
    halfway = starts_on + (ends_on - starts_on) / 2
    return "end" if today >= halfway else "baseline"


def email_field(number: int) -> str:
    """The form field of the ``number``-th peer address (from 1)."""
    return f"peer_email_{number}"


def raters_problems(draft: RatersDraft) -> dict[str, str]:
    """Each problem of the 360 form by field (untranslated messages; empty when none)."""
    problems: dict[str, str] = {}
    if draft.moment not in ASK_MOMENTS:
        problems["moment"] = N_("Choose when: at the start or at the end of the program.")
    seen: set[str] = set()
    for number, email in draft.addresses:
        if len(email) > EMAIL_MAX or len(email) < 3 or not EMAIL.fullmatch(email):
            problems[email_field(number)] = N_(
                "Enter a work e-mail address such as name@example.com."
            )
        elif email.lower() in seen:
            problems[email_field(number)] = N_("You gave this address twice.")
        seen.add(email.lower())
    if not draft.links.isdigit() or int(draft.links) > MAX_PEERS:
        problems["peers"] = N_("Choose a number of links from 0 to 5.")
    elif int(draft.links) + len(draft.addresses) > MAX_PEERS:
        problems["peers"] = N_("At most five peers per moment: e-mails and links together.")
    elif not problems and not draft.manager and int(draft.links) + len(draft.addresses) == 0:
        problems[""] = N_("Ask your manager, or at least one peer by e-mail or by link.")
    return problems


def peer_field(path: str, sent: Sequence[int]) -> str | None:
    """The form field a 360 problem path names; None when it names no field of the form.

    ``sent`` are the address fields' numbers in the order their addresses were sent, so
    ``body.invite_peers.1`` names the second address sent.
    """
    parts = path.split(".")
    if "invite_peers" in parts:
        at = parts.index("invite_peers")
        if at + 1 < len(parts) and parts[at + 1].isdigit() and int(parts[at + 1]) < len(sent):
            return email_field(sent[int(parts[at + 1])])
        return email_field(sent[0]) if sent else None
    for name in ("peers", "moment", "manager"):
        if name in parts:
            return name
    return None
