"""360 endpoints: the mentee asks raters; raters answer by link (no account); calibration."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from feedback.domain.raters import ReachedBy, SentRequests
from feedback.entrypoints.http.skills import SkillsInput
from feedback.usecases.raters import NamedPeer, RaterService
from mentorship_contracts.types import AssessmentMoment, RaterKind
from mentorship_kit.auth import CallerDependency, Principal

ResourceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=80)]
Token = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$", max_length=300)]
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
Email = Annotated[
    str,
    StringConstraints(
        min_length=3,
        max_length=254,
        pattern=rf"^{_ATEXT}+(\.{_ATEXT}+)*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$",
    ),
]
EmployeeId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^\S+$")]


RULES: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "`no_manager_known`, `manager_already_answered` (for this moment; "
        "their answer is final), `not_an_assessment_moment`, `no_skills_chosen`, "
        "`link_expired`, `link_already_answered` (a link answers once: its answer is final), "
        "`rater_links_unavailable` (no link key), `program_not_known`, "
        "`pseudonym_key_missing` (a peer named by employee id without AUTH_PSEUDONYM_KEY)."
    }
}


class PeerInput(BaseModel):
    """A peer to invite by e-mail: their work address, or their employee id (exactly one)."""

    model_config = ConfigDict(extra="forbid")

    email: Email | None = None
    employee_id: EmployeeId | None = Field(
        default=None, description="Reached through the directory (kept only as a pseudonym)."
    )

    @model_validator(mode="after")
    def _one_of(self) -> "PeerInput":
        if (self.email is None) == (self.employee_id is None):
            msg = "give either email or employee_id"
            raise ValueError(msg)
        return self


class RatersInput(BaseModel):
    """Whom to ask: the manager (from the directory) and/or peers (up to five per moment).

    The manager and the peers in ``invite_peers`` get an e-mail with their link; ``peers``
    asks for links only, which the mentee forwards.
    """

    model_config = ConfigDict(extra="forbid")

    moment: AssessmentMoment
    manager: bool = False
    peers: int = Field(default=0, ge=0, le=5, description="How many peer links to make.")
    invite_peers: list[PeerInput] = Field(
        default_factory=list, max_length=5, description="Peers to invite by e-mail."
    )


class RaterDeliveryView(BaseModel):
    """Whom a rater invitation goes to and the link it carries (the sending service only)."""

    request_id: str
    rater_kind: RaterKind
    moment: AssessmentMoment
    program_id: str
    rater_person_id: str | None = Field(description="Reach them through the directory.")
    email: str | None = Field(description="Or at the address the mentee gave.")
    path: str
    expires_at: datetime


class RaterLinkView(BaseModel):
    """A link to forward to one rater (its token is its only key)."""

    request_id: str
    rater_kind: RaterKind
    moment: AssessmentMoment
    token: str
    path: str = Field(description="Where the rater reads (GET) and answers (PUT) the request.")
    expires_at: datetime


class RaterInvitationView(BaseModel):
    """A rater the platform invites by e-mail: their link goes to them only, never here."""

    request_id: str
    rater_kind: RaterKind
    moment: AssessmentMoment
    expires_at: datetime


class RaterLinks(BaseModel):
    """The new requests: links the mentee forwards, and the raters invited by e-mail."""

    links: list[RaterLinkView] = Field(description="Peers asked by number: forward these.")
    invited: list[RaterInvitationView] = Field(
        description="The manager and the peers named in ``invite_peers`` (no token)."
    )


class SentRequestView(BaseModel):
    """A rater the mentee asked (no token, no request id: the link is the rater's)."""

    rater_kind: RaterKind
    moment: AssessmentMoment
    reached_by: ReachedBy = Field(
        description="`directory`: the platform mails someone the directory knows (the manager, "
        "a peer named by employee id); `email`: the platform mails the address she gave; "
        "`link`: she forwards the link herself."
    )
    email: str | None = Field(description="The address she gave (`reached_by` `email`).")
    requested_at: datetime
    expires_at: datetime
    answered: bool | None = Field(
        description="The manager's: whether they answered. A peer's: always null (peers are "
        "never shown one by one; see `peers_answered`)."
    )


class SentRequestsView(BaseModel):
    """The 360 requests a mentee sent, and how many peers answered per moment (never which)."""

    requests: list[SentRequestView]
    peers_answered: dict[AssessmentMoment, int] = Field(
        description="Per moment managers and peers rate at (the one asked for with `moment`)."
    )

    @classmethod
    def of(cls, sent: SentRequests) -> "SentRequestsView":
        """The view of what the use case found."""
        return cls(
            requests=[
                SentRequestView(
                    rater_kind=item.request.rater_kind,
                    moment=item.request.moment,
                    reached_by=item.reached_by,
                    email=item.request.rater_email,
                    requested_at=item.request.requested_at,
                    expires_at=item.request.expires_at,
                    answered=item.answered,
                )
                for item in sent.requests
            ],
            peers_answered=sent.peers_answered,
        )


class RaterFormView(BaseModel):
    """What a rater is asked: rate these skills 1 (beginner) to 5 (expert)."""

    rater_kind: RaterKind
    moment: AssessmentMoment
    skills: list[str]
    expires_at: datetime


class RaterReceipt(BaseModel):
    """The answer was recorded."""

    rater_kind: RaterKind
    moment: AssessmentMoment
    assessed_at: datetime


class CalibrationRowView(BaseModel):
    """One skill at one moment; peers only as the average of three or more."""

    skill: str
    self_level: int | None = Field(serialization_alias="self")
    mentor: int | None
    manager: int | None
    peers_average: float | None = Field(description="Shown once at least 3 peers answered.")
    peers_answered: int


class CalibrationView(BaseModel):
    """A mentee's skills as each kind of rater sees them, per moment."""

    participant_id: str
    moments: dict[AssessmentMoment, list[CalibrationRowView]]


def raters_router(
    raters: RaterService, caller: CallerDependency, admin: CallerDependency
) -> APIRouter:
    """Routes of 360 input (the answer routes are open: the signed token is the key)."""
    router = APIRouter(prefix="/v1", tags=["skills"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias
    Admin = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias

    @router.post(
        "/programs/{program_id}/skills/raters",
        summary="A mentee asks their manager and up to five peers (links to forward)",
        responses=RULES,
    )
    async def ask(program_id: ResourceId, given: RatersInput, who: Caller) -> RaterLinks:
        made = await raters.ask(
            program_id,
            given.moment,
            manager=given.manager,
            peers=given.peers,
            caller=who,
            named=tuple(NamedPeer(p.employee_id, p.email) for p in given.invite_peers),
        )
        return RaterLinks(
            links=[
                RaterLinkView(
                    request_id=link.request.request_id,
                    rater_kind=link.request.rater_kind,
                    moment=link.request.moment,
                    token=link.token,
                    path=f"/v1/skills/rater-links/{link.token}",
                    expires_at=link.request.expires_at,
                )
                for link in made
                if link.token is not None
            ],
            invited=[
                RaterInvitationView(
                    request_id=link.request.request_id,
                    rater_kind=link.request.rater_kind,
                    moment=link.request.moment,
                    expires_at=link.request.expires_at,
                )
                for link in made
                if link.token is None
            ],
        )

    @router.get(
        "/programs/{program_id}/skills/raters",
        summary="The 360 requests the mentee sent (peers never shown one by one)",
        responses=RULES
        | {403: {"description": "Not one of the program's mentees (the admin token too)."}},
    )
    async def sent(
        program_id: ResourceId,
        who: Caller,
        moment: Annotated[
            AssessmentMoment | None, Query(description="Only the requests of this moment.")
        ] = None,
    ) -> SentRequestsView:
        return SentRequestsView.of(await raters.sent(program_id, moment, who))

    @router.get(
        "/skills/rater-requests/{request_id}/delivery",
        summary="Whom a rater invitation goes to, with its link (admins: the sending service)",
        responses=RULES | {404: {"description": "No such request (or erased)."}},
    )
    async def delivery(request_id: ResourceId, _: Admin) -> RaterDeliveryView:
        found = await raters.delivery(request_id)
        request = found.request
        return RaterDeliveryView(
            request_id=request.request_id,
            rater_kind=request.rater_kind,
            moment=request.moment,
            program_id=request.program_id,
            rater_person_id=request.rater_person_id,
            email=request.rater_email,
            path=f"/v1/skills/rater-links/{found.token}",
            expires_at=request.expires_at,
        )

    @router.get(
        "/skills/rater-links/{token}",
        summary="What a rater link asks (no account: the signed token is the key)",
        responses=RULES,
    )
    async def rater_form(token: Token) -> RaterFormView:
        form = await raters.form(token)
        return RaterFormView(
            rater_kind=form.request.rater_kind,
            moment=form.request.moment,
            skills=list(form.skills),
            expires_at=form.request.expires_at,
        )

    @router.put(
        "/skills/rater-links/{token}",
        summary="A manager or peer answers through their link (once: 409 after)",
        responses=RULES,
    )
    async def rater_answer(token: Token, given: SkillsInput) -> RaterReceipt:
        assessment = await raters.answer(token, given.levels)
        return RaterReceipt(
            rater_kind=assessment.rater_kind,
            moment=assessment.moment,
            assessed_at=assessment.assessed_at,
        )

    @router.get(
        "/programs/{program_id}/participants/{participant_id}/skills/calibration",
        summary="A mentee's calibration: self, mentor, manager, peers' average, per moment",
        responses=RULES,
        response_model_by_alias=True,
    )
    async def calibration(
        program_id: ResourceId, participant_id: ResourceId, who: Caller
    ) -> CalibrationView:
        view = await raters.calibration(program_id, participant_id, who)
        return CalibrationView(
            participant_id=participant_id,
            moments={
                moment: [
                    CalibrationRowView(
                        skill=row.skill,
                        self_level=row.self_level,
                        mentor=row.mentor,
                        manager=row.manager,
                        peers_average=row.peers_average,
                        peers_answered=row.peers_answered,
                    )
                    for row in rows
                ]
                for moment, rows in view.items()
            },
        )

    return router
