"""The five services' APIs as the portal uses them (each method is one API call)."""

from __future__ import annotations

from typing import Any

from mentorship_kit.errors import InvalidInputError, NotFoundError
from portal.adapters.api import ServiceClient, parse, parse_list
from portal.domain.models import (
    Agenda,
    Agreement,
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
    RaterForm,
    RaterReceipt,
    Registration,
    Series,
    Session,
    SurveyOffer,
)


class RegistrationApi:
    """Programs, questionnaires and the caller's registrations (registration service)."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def programs(self, token: str) -> list[Program]:
        """Every program (first 200), in id order, as a participant sees them.

        ``managed=false``: a program manager's plain list holds only their own programs.
        """
        body = await self._client.call(
            "GET", "/v1/programs", token, params={"limit": "200", "managed": "false"}
        )
        return parse_list(Program, body["programs"])

    async def program(self, token: str, program_id: str) -> Program:
        """One program."""
        return parse(Program, await self._client.call("GET", f"/v1/programs/{program_id}", token))

    async def questionnaire(
        self, token: str, program_id: str, version: int | None = None
    ) -> Questionnaire:
        """The program's current questionnaire (or the version named)."""
        params = {"version": str(version)} if version else None
        body = await self._client.call(
            "GET", f"/v1/programs/{program_id}/questionnaire", token, params=params
        )
        return parse(Questionnaire, body)

    async def my_registration(self, token: str, program_id: str) -> Registration | None:
        """The caller's registration in the program; None when they never registered."""
        try:
            body = await self._client.call(
                "GET", f"/v1/programs/{program_id}/registrations/me", token
            )
        except NotFoundError:
            return None
        return parse(Registration, body)

    async def register(self, token: str, program_id: str, request: dict[str, Any]) -> Registration:
        """Register the caller, or update their registration."""
        body = await self._client.call(
            "POST", f"/v1/programs/{program_id}/registrations", token, json=request
        )
        return parse(Registration, body)

    async def partner_profile(self, token: str, participant_id: str) -> PartnerProfile:
        """The profile of someone the caller is paired with (403 outside an active pair)."""
        body = await self._client.call("GET", f"/v1/participants/{participant_id}/profile", token)
        return parse(PartnerProfile, body)

    async def erasure_request(self, token: str) -> ErasureRequest | None:
        """The caller's open erasure request, if they filed one."""
        body = await self._client.call("GET", "/v1/me/erasure-requests", token)
        return parse(ErasureRequest, body["request"]) if body["request"] else None

    async def request_erasure(self, token: str) -> ErasureRequest:
        """Ask the admins to erase the caller (the open request if one was filed)."""
        return parse(
            ErasureRequest, await self._client.call("POST", "/v1/me/erasure-requests", token)
        )

    async def withdraw(self, token: str, program_id: str) -> Registration:
        """Withdraw the caller from the program."""
        body = await self._client.call(
            "POST", f"/v1/programs/{program_id}/registrations/me/withdraw", token
        )
        return parse(Registration, body)


class MatchingApi:
    """The caller's pairs and the mentors they may pick (matching service)."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def my_pairs(self, token: str) -> list[MatchedPair]:
        """The caller's pairs, newest first, each with why they were matched."""
        body = await self._client.call("GET", "/v1/me/pairs", token)
        return parse_list(MatchedPair, body["pairs"])

    async def candidates(self, token: str, program_id: str, limit: int = 50) -> Candidates:
        """The mentors the caller, a mentee of a mentee-choice program, may pick."""
        body = await self._client.call(
            "GET",
            f"/v1/programs/{program_id}/candidates",
            token,
            params={"limit": str(limit)},
        )
        return parse(Candidates, body)


class SchedulingApi:
    """Sessions and the calendar feed (scheduling service)."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def my_sessions(self, token: str) -> list[Session]:
        """The caller's sessions in every program."""
        body = await self._client.call("GET", "/v1/me/sessions", token)
        return parse_list(Session, body["sessions"])

    async def series(self, token: str, pair_id: str) -> Series:
        """A pair's series (members only)."""
        return parse(Series, await self._client.call("GET", f"/v1/pairs/{pair_id}/sessions", token))

    async def session(self, token: str, session_id: str) -> Session:
        """One session (members only)."""
        return parse(Session, await self._client.call("GET", f"/v1/sessions/{session_id}", token))

    async def reschedule(
        self, token: str, session_id: str, starts_at: str, scope: str
    ) -> list[Session]:
        """Move the session (``scope`` ``this`` or ``following``)."""
        body = await self._client.call(
            "POST",
            f"/v1/sessions/{session_id}/reschedule",
            token,
            json={"starts_at": starts_at, "scope": scope},
        )
        return parse_list(Session, body["sessions"])

    async def cancel(self, token: str, session_id: str) -> Session:
        """Cancel the session at the caller's request."""
        body = await self._client.call(
            "POST",
            f"/v1/sessions/{session_id}/cancel",
            token,
            json={"reason": "participant_request"},
        )
        return parse(Session, body)

    async def mark_held(self, token: str, session_id: str) -> Session:
        """Record that the session took place (at its planned start and length)."""
        body = await self._client.call("POST", f"/v1/sessions/{session_id}/held", token, json={})
        return parse(Session, body)

    async def mark_missed(self, token: str, session_id: str) -> Session:
        """Record that the session did not take place."""
        return parse(
            Session, await self._client.call("POST", f"/v1/sessions/{session_id}/missed", token)
        )

    async def calendar(self, token: str) -> CalendarFeed | None:
        """The caller's feed URLs; None when scheduling does not know them yet."""
        try:
            return parse(CalendarFeed, await self._client.call("GET", "/v1/me/calendar", token))
        except NotFoundError:
            return None


class FeedbackApi:
    """Feedback, fit, agreement, development plan, agenda and surveys (feedback service)."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def feedback(self, token: str, session_id: str) -> list[Feedback]:
        """The session's feedback the caller may see."""
        body = await self._client.call("GET", f"/v1/sessions/{session_id}/feedback", token)
        return parse_list(Feedback, body["feedback"])

    async def give_feedback(self, token: str, session_id: str, request: dict[str, Any]) -> None:
        """Give (or revise) the caller's feedback on a held session."""
        await self._client.call("POST", f"/v1/sessions/{session_id}/feedback", token, json=request)

    async def fit(self, token: str, pair_id: str, mentee: str | None = None) -> list[FitAnswer]:
        """The pair's fit answers; none where feedback names no one pair (a group's id).

        ``mentee`` (a participant id) names a group's pair by its mentee (``?mentee=``), as
        for each of the pair routes below.
        """
        try:
            body = await self._client.call(
                "GET", f"/v1/pairs/{pair_id}/fit", token, params=_which(mentee)
            )
        except (NotFoundError, InvalidInputError):
            return []
        return parse_list(FitAnswer, body["answers"])

    async def answer_fit(
        self, token: str, pair_id: str, request: dict[str, Any], mentee: str | None = None
    ) -> None:
        """Say whether the pairing fits (a group's pair named by ``mentee``, as for reads)."""
        await self._client.call(
            "POST", f"/v1/pairs/{pair_id}/fit", token, json=request, params=_which(mentee)
        )

    async def agreement(
        self, token: str, pair_id: str, mentee: str | None = None
    ) -> Agreement | None:
        """The pair's agreement; None before anyone drafted it (or for a group's id alone)."""
        try:
            body = await self._client.call(
                "GET", f"/v1/pairs/{pair_id}/agreement", token, params=_which(mentee)
            )
        except (NotFoundError, InvalidInputError):
            return None
        return parse(Agreement, body)

    async def save_agreement(
        self, token: str, pair_id: str, request: dict[str, str], mentee: str | None = None
    ) -> None:
        """Draft or change the agreement."""
        await self._client.call(
            "PUT", f"/v1/pairs/{pair_id}/agreement", token, json=request, params=_which(mentee)
        )

    async def acknowledge(
        self, token: str, pair_id: str, version: int, mentee: str | None = None
    ) -> None:
        """Acknowledge a version of the agreement."""
        await self._client.call(
            "POST",
            f"/v1/pairs/{pair_id}/agreement/acknowledge",
            token,
            json={"version": version},
            params=_which(mentee),
        )

    async def goals(self, token: str, pair_id: str, mentee: str | None = None) -> list[Goal]:
        """The mentee's development plan; none where feedback names no one pair (a group's)."""
        try:
            body = await self._client.call(
                "GET", f"/v1/pairs/{pair_id}/goals", token, params=_which(mentee)
            )
        except (NotFoundError, InvalidInputError):
            return []
        return parse_list(Goal, body["goals"])

    async def add_goal(
        self, token: str, pair_id: str, request: dict[str, Any], mentee: str | None = None
    ) -> None:
        """Add a goal to the plan."""
        await self._client.call(
            "POST", f"/v1/pairs/{pair_id}/goals", token, json=request, params=_which(mentee)
        )

    async def update_goal(self, token: str, goal_id: str, request: dict[str, Any]) -> None:
        """Record progress on a goal."""
        await self._client.call("PATCH", f"/v1/goals/{goal_id}", token, json=request)

    async def next_agenda(
        self, token: str, pair_id: str, mentee: str | None = None
    ) -> Agenda | None:
        """The suggested agenda of the pair's next session."""
        try:
            body = await self._client.call(
                "GET", f"/v1/pairs/{pair_id}/next-agenda", token, params=_which(mentee)
            )
        except (NotFoundError, InvalidInputError):
            return None
        return parse(Agenda, body)

    async def surveys(self, token: str, program_id: str) -> list[SurveyOffer]:
        """When the program's surveys are open, and whether the caller answered them."""
        body = await self._client.call("GET", f"/v1/programs/{program_id}/surveys", token)
        return parse_list(SurveyOffer, body["surveys"])

    async def answer_survey(
        self, token: str, program_id: str, kind: str, request: dict[str, Any]
    ) -> None:
        """Answer a program survey."""
        await self._client.call(
            "POST", f"/v1/programs/{program_id}/surveys/{kind}", token, json=request
        )


def _which(mentee: str | None) -> dict[str, str] | None:
    """``?mentee=`` naming one pair of a group, or no query (a pair's own id)."""
    return {"mentee": mentee} if mentee else None


class NotificationsApi:
    """The caller's notification preferences (notifications service)."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def preferences(self, token: str) -> NotificationPreferences:
        """The caller's preferences (the defaults when they chose nothing yet)."""
        body = await self._client.call("GET", "/v1/me/notification-preferences", token)
        return parse(NotificationPreferences, body)

    async def set_preferences(self, token: str, request: dict[str, Any]) -> NotificationPreferences:
        """Replace the caller's preferences."""
        body = await self._client.call(
            "PUT", "/v1/me/notification-preferences", token, json=request
        )
        return parse(NotificationPreferences, body)


class ExportApi:
    """``GET /v1/me/export`` of every service: what each holds about the caller."""

    def __init__(self, clients: list[ServiceClient]) -> None:
        self._clients = clients

    @property
    def services(self) -> list[str]:
        """The services asked."""
        return [client.name for client in self._clients]

    async def export(self, token: str, service: str) -> Any:
        """What ``service`` holds about the caller (raises NotFoundError where unsupported)."""
        client = next(c for c in self._clients if c.name == service)
        return await client.call("GET", "/v1/me/export", token)


class RaterLinksApi:
    """A rater's link (feedback service): open routes, the token in the path is the only key."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def form(self, token: str) -> RaterForm:
        """What the link asks."""
        body = await self._client.call("GET", f"/v1/skills/rater-links/{token}", "")
        return parse(RaterForm, body)

    async def answer(self, token: str, levels: dict[str, int]) -> RaterReceipt:
        """The rater's levels (once: a link answered already is a 409)."""
        body = await self._client.call(
            "PUT", f"/v1/skills/rater-links/{token}", "", json={"levels": levels}
        )
        return parse(RaterReceipt, body)
