"""360 input: the mentee asks their manager and up to five peers to rate their chosen skills.

Each asked rater gets a request (answered through a signed link, without an account). The
manager (from the directory) and each peer the mentee names (by employee id, or by e-mail
address) are invited by e-mail: the request is announced as `RaterInvited`, naming the rater
only by pseudonymous person id when the directory knows them; an e-mail address stays here.
Peers asked only by number get links the mentee forwards. A link answers once: its answer is
final (`already_answered`), so a manager who answered for a moment is not asked again. A
manager's answer is announced like any assessment; peers are announced only together, as
their average once at least three answered, and a calibration view shows them the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from statistics import fmean

from feedback.domain.decisions import Decision
from feedback.domain.errors import FeedbackInputError, FeedbackRuleError
from feedback.domain.records import Record, stable_id
from feedback.domain.skills import MOMENTS, SkillsAssessment, assess_skills, assessment_id
from mentorship_contracts.events import RaterInvited, SkillLevel, SkillsAssessed
from mentorship_contracts.types import AssessmentMoment, RaterKind

MAX_PEERS = 5
MIN_PEERS_SHOWN = 3


class RaterRequest(Record):
    """A manager or peer asked to rate a mentee at a moment (answered through a link)."""

    request_id: str
    program_id: str
    participant_id: str
    rater_kind: RaterKind
    moment: AssessmentMoment
    requested_at: datetime
    expires_at: datetime
    rater_person_id: str | None = None
    """The rater's person id, when the directory knows them (manager, peer by employee id)."""
    rater_email: str | None = None
    """A peer's address as the mentee gave it (never published; gone with the request)."""

    @property
    def answer_id(self) -> str:
        """The id its answer is stored under (one answer per request)."""
        return assessment_id(
            self.program_id, self.participant_id, self.rater_kind, self.request_id, self.moment
        )

    @property
    def mailed(self) -> bool:
        """Whether the platform sends the link to the rater itself (not the mentee)."""
        return self.rater_person_id is not None or self.rater_email is not None


@dataclass(frozen=True, slots=True)
class PeerContact:
    """A peer the mentee names: their person id (from an employee id) or an e-mail address."""

    person_id: str | None = None
    email: str | None = None


def ask_raters(
    *,
    program_id: str,
    mentee_participant_id: str,
    moment: AssessmentMoment,
    manager: bool,
    has_manager: bool,
    peers: int,
    asked_before: Sequence[RaterRequest],
    now: datetime,
    valid_for: timedelta,
    manager_person_id: str | None = None,
    peer_contacts: Sequence[PeerContact] = (),
    manager_answered: bool = False,
) -> Decision[list[RaterRequest]]:
    """The new requests (asking the manager again renews their link until they answer).

    ``peers`` peers are asked by link only (the mentee forwards it); each of ``peer_contacts``
    and the manager (``manager_person_id``, from the directory) is also invited by e-mail
    through `RaterInvited`.

    Raises:
        FeedbackRuleError: a moment managers and peers do not rate at, no manager known, or
            the manager already answered for the moment (``manager_answered``: a fresh link
            would only lead them to "already answered").
        FeedbackInputError: more than five peers in all for the moment (``peers``), or nobody.
    """
    if moment not in MOMENTS[RaterKind.PEER]:
        msg = "managers and peers rate at the baseline and the end"
        raise FeedbackRuleError("not_an_assessment_moment", msg)
    if manager and not has_manager:
        msg = "the directory names no manager for you"
        raise FeedbackRuleError("no_manager_known", msg)
    if manager and manager_answered:
        msg = f"your manager already answered for the {moment.value}; their answer is final"
        raise FeedbackRuleError("manager_already_answered", msg)
    peers_before = sum(
        1 for r in asked_before if r.rater_kind is RaterKind.PEER and r.moment is moment
    )
    named = len(peer_contacts)
    if peers < 0 or peers_before + peers + named > MAX_PEERS:
        msg = f"at most {MAX_PEERS} peers per moment; {peers_before} already asked"
        raise FeedbackInputError([("peers", msg)])
    if not manager and peers + named == 0:
        raise FeedbackInputError([("peers", "ask your manager or at least one peer")])

    def request(
        kind: RaterKind, number: int, person_id: str | None = None, email: str | None = None
    ) -> RaterRequest:
        return RaterRequest(
            request_id=stable_id(
                "rr", program_id, mentee_participant_id, moment.value, kind.value, str(number)
            ),
            program_id=program_id,
            participant_id=mentee_participant_id,
            rater_kind=kind,
            moment=moment,
            requested_at=now,
            expires_at=now + valid_for,
            rater_person_id=person_id,
            rater_email=email,
        )

    made = [request(RaterKind.MANAGER, 0, manager_person_id)] if manager else []
    made += [request(RaterKind.PEER, peers_before + i) for i in range(peers)]
    made += [
        request(RaterKind.PEER, peers_before + peers + i, contact.person_id, contact.email)
        for i, contact in enumerate(peer_contacts)
    ]
    invited = tuple(
        RaterInvited(
            request_id=r.request_id,
            program_id=r.program_id,
            participant_id=r.participant_id,
            rater_kind=r.rater_kind,
            moment=r.moment,
            rater_person_id=r.rater_person_id,
            expires_at=r.expires_at,
            invited_at=now,
        )
        for r in made
        if r.rater_person_id is not None or r.rater_email is not None
    )
    return Decision(made, invited)


def already_answered() -> FeedbackRuleError:
    """The refusal of a second answer through a link: the first answer is final."""
    msg = "this link was already answered: an answer cannot be given again or changed"
    return FeedbackRuleError("link_already_answered", msg)


def answer_request(
    *,
    request: RaterRequest,
    chosen_skills: Sequence[str],
    levels: dict[str, int],
    other_peer_answers: Iterable[SkillsAssessment],
    now: datetime,
) -> Decision[SkillsAssessment]:
    """The rater's answer; a peer's is announced only within the peers' average (3 or more).

    The caller stores it only if the request has no answer yet (`already_answered`).

    Raises:
        FeedbackRuleError: the link expired (or the assessment rules refuse, see
            `assess_skills`).
    """
    if now >= request.expires_at:
        raise FeedbackRuleError("link_expired", "this link has expired; ask for a new one")
    decision = assess_skills(
        program_id=request.program_id,
        mentee_participant_id=request.participant_id,
        chosen_skills=chosen_skills,
        rater_kind=request.rater_kind,
        rater_key=request.request_id,
        moment=request.moment,
        levels=levels,
        now=now,
    )
    if request.rater_kind is not RaterKind.PEER:
        return decision
    peers = [
        *(a for a in other_peer_answers if a.assessment_id != decision.state.assessment_id),
        decision.state,
    ]
    average = peers_average(peers, chosen_skills)
    if average is None:
        return Decision(decision.state)
    event = SkillsAssessed(
        assessment_id=stable_id(
            "sa", request.program_id, request.participant_id, "peers", request.moment.value
        ),
        program_id=request.program_id,
        participant_id=request.participant_id,
        rater_kind=RaterKind.PEER,
        moment=request.moment,
        levels=tuple(SkillLevel(skill=s, level=v) for s, v in average.items()),
        raters=len(peers),
        assessed_at=now,
    )
    return Decision(decision.state, (event,))


def peers_average(
    answers: Sequence[SkillsAssessment], skills: Sequence[str]
) -> dict[str, float] | None:
    """Each skill's average over the peers' answers; None under three peers."""
    if len(answers) < MIN_PEERS_SHOWN:
        return None
    return {
        skill: round(fmean(a.levels[skill] for a in answers if skill in a.levels), 2)
        for skill in skills
        if any(skill in a.levels for a in answers)
    }


@dataclass(frozen=True, slots=True)
class CalibrationRow:
    """One skill at one moment, by rater kind (peers only as an average of 3 or more)."""

    skill: str
    self_level: int | None
    mentor: int | None
    manager: int | None
    peers_average: float | None
    peers_answered: int


def calibration(
    chosen_skills: Sequence[str], assessments: Sequence[SkillsAssessment]
) -> dict[AssessmentMoment, list[CalibrationRow]]:
    """Per moment and skill, what each kind of rater said (the latest answer of each)."""
    view: dict[AssessmentMoment, list[CalibrationRow]] = {}
    for moment in AssessmentMoment:
        at = sorted((a for a in assessments if a.moment is moment), key=lambda a: a.assessed_at)
        if not at:
            continue
        latest: dict[RaterKind, SkillsAssessment] = {
            a.rater_kind: a for a in at if a.rater_kind is not RaterKind.PEER
        }
        peers = [a for a in at if a.rater_kind is RaterKind.PEER]
        average = peers_average(peers, chosen_skills) or {}
        view[moment] = [
            CalibrationRow(
                skill=skill,
                self_level=_level(latest, RaterKind.SELF, skill),
                mentor=_level(latest, RaterKind.MENTOR, skill),
                manager=_level(latest, RaterKind.MANAGER, skill),
                peers_average=average.get(skill),
                peers_answered=len(peers),
            )
            for skill in chosen_skills
        ]
    return view


def _level(latest: dict[RaterKind, SkillsAssessment], kind: RaterKind, skill: str) -> int | None:
    found = latest.get(kind)
    return found.levels.get(skill) if found else None


class ReachedBy(StrEnum):
    """How a rater request reaches its rater."""

    DIRECTORY = "directory"
    """The platform mails someone the directory knows (the manager, a peer by employee id)."""
    EMAIL = "email"
    """The platform mails the address the mentee gave."""
    LINK = "link"
    """The mentee forwards the link herself."""


def reached_by(request: RaterRequest) -> ReachedBy:
    """How ``request`` reaches its rater."""
    if request.rater_person_id is not None:
        return ReachedBy.DIRECTORY
    if request.rater_email is not None:
        return ReachedBy.EMAIL
    return ReachedBy.LINK


@dataclass(frozen=True, slots=True)
class SentRequest:
    """One request the mentee sent, as she may see it."""

    request: RaterRequest
    answered: bool | None
    """The manager's: whether they answered. A peer's: None, never said one by one."""

    @property
    def reached_by(self) -> ReachedBy:
        """How it reaches its rater."""
        return reached_by(self.request)


@dataclass(frozen=True, slots=True)
class SentRequests:
    """The mentee's 360 requests and, per moment, how many peers answered (never which)."""

    requests: list[SentRequest]
    peers_answered: dict[AssessmentMoment, int]


def requests_sent(
    requests: Iterable[RaterRequest],
    answers: Iterable[SkillsAssessment],
    moment: AssessmentMoment | None = None,
) -> SentRequests:
    """The mentee's requests (of ``moment``, or all), oldest first, the manager first.

    ``answers`` are the mentee's assessments. A manager's request says whether it was
    answered; a peer's never does (peers are only ever seen together): their answers are
    only counted per moment, whatever request each came through.
    """
    given = list(answers)
    answered_ids = {a.assessment_id for a in given if a.rater_kind is RaterKind.MANAGER}
    moments = [m for m in AssessmentMoment if m in MOMENTS[RaterKind.PEER] and moment in {None, m}]
    listed = sorted(
        (r for r in requests if moment in {None, r.moment}),
        key=lambda r: (r.requested_at, r.rater_kind is not RaterKind.MANAGER),
    )
    return SentRequests(
        requests=[
            SentRequest(
                r,
                r.answer_id in answered_ids if r.rater_kind is RaterKind.MANAGER else None,
            )
            for r in listed
        ],
        peers_answered={
            m: sum(1 for a in given if a.rater_kind is RaterKind.PEER and a.moment is m)
            for m in moments
        },
    )
