"""360 input: the mentee asks raters, raters answer through a signed link, the calibration view.

A link's token names the request and its expiry, signed with the service's link key (see
`mentorship_kit.signed_tokens`): whoever holds it may answer, nobody else, and not after it
expired. Raters have no account; the request stays here and is never published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.domain.raters import (
    CalibrationRow,
    PeerContact,
    RaterRequest,
    SentRequests,
    already_answered,
    answer_request,
    ask_raters,
    calibration,
    requests_sent,
)
from feedback.domain.skills import SkillsAssessment
from feedback.usecases.access import Access
from feedback.usecases.staging import stage_events
from mentorship_contracts.types import AssessmentMoment, ParticipantRole, RaterKind
from mentorship_kit.errors import ForbiddenError, NotFoundError, RuleError
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal
from mentorship_kit.program_access import ProgramManagers
from mentorship_kit.pseudonyms import Pseudonyms
from mentorship_kit.signed_tokens import BadToken, sign, verify

NOT_A_READER = "only the mentee, their mentor and the program's managers see the calibration"


@dataclass(frozen=True, slots=True)
class RaterLink:
    """A request and the token of its link (None when the platform mails the link itself)."""

    request: RaterRequest
    token: str | None


@dataclass(frozen=True, slots=True)
class NamedPeer:
    """A peer the mentee names: by employee id (pseudonymised here) or by e-mail address."""

    employee_id: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class RaterDelivery:
    """What the message inviting a rater needs: whom (person id or address) and the link."""

    request: RaterRequest
    token: str


@dataclass(frozen=True, slots=True)
class RaterForm:
    """What a link's holder is asked: the kind of rater, the moment and the skills."""

    request: RaterRequest
    skills: tuple[str, ...]


class RaterService:
    """Asks managers and peers for their view of a mentee, and shows the calibration."""

    def __init__(
        self,
        transactor: Transactor,
        access: Access,
        directory: Directory,
        managers: ProgramManagers,
        *,
        requests: Records[RaterRequest],
        assessments: Records[SkillsAssessment],
        key: bytes | None,
        valid_for: timedelta,
        pseudonyms: Pseudonyms | None = None,
    ) -> None:
        self._transactor = transactor
        self._access = access
        self._directory = directory
        self._managers = managers
        self._requests = requests
        self._assessments = assessments
        self._key = key
        self._valid_for = valid_for
        self._pseudonyms = pseudonyms or Pseudonyms(None)

    async def ask(
        self,
        program_id: str,
        moment: AssessmentMoment,
        *,
        manager: bool,
        peers: int,
        caller: Principal,
        named: tuple[NamedPeer, ...] = (),
    ) -> list[RaterLink]:
        """New links for the mentee's manager and peers.

        The manager and the ``named`` peers are invited by e-mail (`RaterInvited`): their
        tokens are not returned; peers asked by number only get links the mentee forwards.
        """
        key = self._signing_key()
        await self._access.program(program_id)
        mentee = await self._mentee(
            program_id, caller, "only the program's mentees ask for 360 input"
        )
        manager_person_id = await self._directory.manager_of(mentee)
        contacts = [self._contact(peer) for peer in named]

        async def store(tx: Transaction) -> list[RaterRequest]:
            asked_before = await self._requests.find({"participant_id": mentee}, tx)
            answered = manager and await self._manager_answered(asked_before, moment, tx)
            decision = ask_raters(
                program_id=program_id,
                mentee_participant_id=mentee,
                moment=moment,
                manager=manager,
                has_manager=manager_person_id is not None,
                manager_person_id=manager_person_id,
                peers=peers,
                peer_contacts=contacts,
                asked_before=asked_before,
                manager_answered=answered,
                now=tx.now,
                valid_for=self._valid_for,
            )
            for request in decision.state:
                await self._requests.put(request, tx)
            stage_events(decision, tx)
            return decision.state

        made = await self._transactor.run(store)
        # A mailed rater's token goes only to them (through the delivery route): handing it to
        # the mentee too would let them answer as their own manager or peer.
        return [
            RaterLink(r, None if r.mailed else sign(r.request_id, r.expires_at, key)) for r in made
        ]

    async def sent(
        self, program_id: str, moment: AssessmentMoment | None, caller: Principal
    ) -> SentRequests:
        """The 360 requests the calling mentee sent (of ``moment``, or all).

        Raises:
            RuleError: ``program_not_known``.
            ForbiddenError: the caller is not one of the program's mentees (the admin token
                names nobody).
        """
        await self._access.program(program_id)
        mentee = await self._mentee(
            program_id, caller, "only the program's mentees send 360 requests"
        )
        mine: dict[str, str] = {"program_id": program_id, "participant_id": mentee}
        at = {"moment": moment.value} if moment else {}
        requests = await self._requests.find(mine | at)
        answers = await self._assessments.find(
            mine | at | {"rater_kind": {"$in": [RaterKind.MANAGER.value, RaterKind.PEER.value]}}
        )
        return requests_sent(requests, answers, moment)

    async def _mentee(self, program_id: str, caller: Principal, refusal: str) -> str:
        """The caller's participant id as a mentee of the program (else 403)."""
        participant = (
            await self._directory.participant_in(caller.person_id, program_id)
            if caller.person_id
            else None
        )
        if participant is None or participant.role is ParticipantRole.MENTOR:
            raise ForbiddenError(refusal)
        return participant.participant_id

    async def _manager_answered(
        self, asked_before: list[RaterRequest], moment: AssessmentMoment, tx: Transaction
    ) -> bool:
        for request in asked_before:
            if request.rater_kind is RaterKind.MANAGER and request.moment is moment:
                return await self._assessments.get(request.answer_id, tx) is not None
        return False

    def _contact(self, peer: NamedPeer) -> PeerContact:
        if peer.email is not None:
            return PeerContact(email=peer.email)
        if not self._pseudonyms.available or peer.employee_id is None:
            msg = "peers named by employee id need AUTH_PSEUDONYM_KEY; name them by e-mail"
            raise RuleError("pseudonym_key_missing", msg)
        return PeerContact(person_id=self._pseudonyms.person_id(peer.employee_id))

    async def delivery(self, request_id: str) -> RaterDelivery:
        """The rater's contact and link, for the service that e-mails the invitation."""
        request = await self._requests.get(request_id)
        if request is None:
            raise NotFoundError("rater request")
        return RaterDelivery(
            request, sign(request.request_id, request.expires_at, self._signing_key())
        )

    async def form(self, token: str) -> RaterForm:
        """What the link asks (404 for a link that is not valid, expired or withdrawn).

        Raises:
            FeedbackRuleError: ``link_already_answered``.
        """
        request = await self._request_of(token)
        if await self._assessments.get(request.answer_id) is not None:
            raise already_answered()
        return RaterForm(request, await self._directory.skills_of(request.participant_id))

    async def answer(self, token: str, levels: dict[str, int]) -> SkillsAssessment:
        """The link holder's levels, stored only if the link has no answer yet.

        The answer is inserted under the request's own id, a conditional write: of two
        concurrent answers through one link, one is stored, the other refused.

        Raises:
            FeedbackRuleError: ``link_already_answered`` (nothing changes), ``link_expired``.
        """
        request = await self._request_of(token)
        chosen = await self._directory.skills_of(request.participant_id)

        async def store(tx: Transaction) -> SkillsAssessment:
            peers = (
                await self._assessments.find(
                    {
                        "participant_id": request.participant_id,
                        "rater_kind": RaterKind.PEER.value,
                        "moment": request.moment.value,
                    },
                    tx,
                )
                if request.rater_kind is RaterKind.PEER
                else []
            )
            decision = answer_request(
                request=request,
                chosen_skills=chosen,
                levels=levels,
                other_peer_answers=peers,
                now=tx.now,
            )
            if not await self._assessments.insert(decision.state, tx):
                raise already_answered()
            stage_events(decision, tx)
            return decision.state

        return await self._transactor.run(store)

    async def calibration(
        self, program_id: str, participant_id: str, caller: Principal
    ) -> dict[AssessmentMoment, list[CalibrationRow]]:
        """Self, mentor, manager and peers (average of 3 or more) per moment and skill."""
        await self._access.program(program_id)
        if not await self._may_read(program_id, participant_id, caller):
            raise ForbiddenError(NOT_A_READER)
        assessments = await self._assessments.find(
            {"participant_id": participant_id, "program_id": program_id}
        )
        return calibration(await self._directory.skills_of(participant_id), assessments)

    async def _may_read(self, program_id: str, participant_id: str, caller: Principal) -> bool:
        if caller.person_id is not None:
            persons = await self._directory.persons([participant_id])
            if persons.get(participant_id) == caller.person_id:
                return True
            mine = await self._directory.participant_in(caller.person_id, program_id)
            if mine is not None:
                pairs = await self._directory.pairs.find(
                    {
                        "mentor_participant_id": mine.participant_id,
                        "mentee_participant_id": participant_id,
                    }
                )
                ended = await self._directory.pairs.find(
                    {
                        "mentor_participant_id": mine.participant_id,
                        "mentee_participant_id": participant_id,
                    },
                    ended=True,
                )
                if pairs or ended:
                    return True
        return await self._managers.manages(caller, program_id)

    async def _request_of(self, token: str) -> RaterRequest:
        try:
            request_id = verify(token, self._signing_key())
        except BadToken:
            raise NotFoundError("rater link") from None
        request = await self._requests.get(request_id)
        if request is None:
            raise NotFoundError("rater link")
        return request

    def _signing_key(self) -> bytes:
        if self._key is None:
            msg = "rater links need RATER_LINK_KEY (or AUTH_PSEUDONYM_KEY) to be set"
            raise RuleError("rater_links_unavailable", msg)
        return self._key
