"""Feedback endpoints: session feedback, fit, agreement, development plan, surveys, agendas."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, status
from pydantic import BaseModel

from feedback.domain.agendas import TEMPLATES
from feedback.entrypoints.http.export import PersonalDataView
from feedback.entrypoints.http.inputs import (
    AgreementInput,
    FeedbackInput,
    FitInput,
    GoalInput,
    GoalProgressInput,
    MenteeQuery,
    SurveyInput,
)
from feedback.entrypoints.http.views import (
    AgendaList,
    AgendaView,
    AgreementView,
    FeedbackList,
    FeedbackView,
    FitList,
    FitView,
    GoalList,
    GoalView,
    SurveyList,
    SurveyReceipt,
    SurveyView,
)
from feedback.usecases.development import DevelopmentService
from feedback.usecases.export import PersonalDataExport
from feedback.usecases.relationship import RelationshipService
from feedback.usecases.session_feedback import FeedbackService
from feedback.usecases.surveys import SurveyService
from mentorship_contracts.types import SurveyKind
from mentorship_kit.auth import CallerDependency, Principal
from mentorship_kit.export_route import add_export_route
from mentorship_kit.http_errors import ApiError

ResourceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=80)]

NOT_HELD: dict[int | str, dict[str, object]] = {
    409: {"description": "`session_not_held`: the session was not held, or is not known here yet."}
}


_HOLDS = (
    "the programs and pairs feedback knows you in, the held sessions you took part "
    "in, your session feedback (with your private notes and action items), your fit "
    "answers (with your reasons), your pairs' mentoring agreements and whether you "
    "acknowledged them, your development plan and your survey answers (with your "
    "comments). Each section describes itself."
)
"""What the export holds, as its OpenAPI description says it."""


class FeedbackOpening(BaseModel):
    """Who may give feedback on a held session."""

    session_id: str
    pair_id: str
    participant_ids: list[str]


def feedback_router(
    *,
    feedback: FeedbackService,
    relationship: RelationshipService,
    development: DevelopmentService,
    surveys: SurveyService,
    export: PersonalDataExport,
    caller: CallerDependency,
) -> APIRouter:
    """Routes of the feedback service (participants with their own JWT; admins read)."""
    router = APIRouter(prefix="/v1", tags=["feedback"])
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias

    @router.get(
        "/sessions/{session_id}/feedback-opening",
        summary="Whether feedback is open on a session, and for whom",
        responses=NOT_HELD,
    )
    async def feedback_opening(session_id: ResourceId, who: Caller) -> FeedbackOpening:
        session = await feedback.opening(session_id, who)
        return FeedbackOpening(
            session_id=session.session_id,
            pair_id=session.pair_id,
            participant_ids=list(session.participant_ids),
        )

    @router.post(
        "/sessions/{session_id}/feedback",
        summary="Give (or revise) your feedback on a held session",
        responses=NOT_HELD,
    )
    async def give_feedback(
        session_id: ResourceId, given: FeedbackInput, who: Caller
    ) -> FeedbackView:
        record = await feedback.submit(session_id, given.command(), who)
        return FeedbackView.of(record, record.participant_id)

    @router.get(
        "/sessions/{session_id}/feedback", summary="A session's feedback", responses=NOT_HELD
    )
    async def read_feedback(session_id: ResourceId, who: Caller) -> FeedbackList:
        records, reader = await feedback.of_session(session_id, who)
        return FeedbackList(feedback=[FeedbackView.of(record, reader) for record in records])

    @router.post(
        "/pairs/{pair_id}/fit",
        summary="Is this pairing a good fit? (after a session)",
        responses={409: {"description": "`no_session_held`: the pair has held no session yet."}},
    )
    async def report_fit(
        pair_id: ResourceId, given: FitInput, who: Caller, mentee: MenteeQuery = None
    ) -> FitView:
        report = await relationship.report_fit(pair_id, given.command(), who, mentee)
        return FitView.of(report, report.participant_id)

    @router.get("/pairs/{pair_id}/fit", summary="The pair's fit answers")
    async def read_fit(pair_id: ResourceId, who: Caller, mentee: MenteeQuery = None) -> FitList:
        reports, reader = await relationship.fits(pair_id, who, mentee)
        return FitList(answers=[FitView.of(report, reader) for report in reports])

    @router.get("/pairs/{pair_id}/agreement", summary="The pair's mentoring agreement")
    async def read_agreement(
        pair_id: ResourceId, who: Caller, mentee: MenteeQuery = None
    ) -> AgreementView:
        agreement = await relationship.agreement(pair_id, who, mentee)
        if agreement is None:
            raise ApiError(404, "not_found", f"Pair {pair_id} has no agreement yet.")
        return AgreementView.of(agreement)

    @router.put(
        "/pairs/{pair_id}/agreement",
        summary="Draft or change the agreement (both must acknowledge it again)",
    )
    async def write_agreement(
        pair_id: ResourceId, given: AgreementInput, who: Caller, mentee: MenteeQuery = None
    ) -> AgreementView:
        return AgreementView.of(
            await relationship.write_agreement(pair_id, given.command(), who, mentee)
        )

    @router.post(
        "/pairs/{pair_id}/agreement/acknowledge",
        summary="Acknowledge a version of the agreement",
        responses={
            409: {
                "description": "`no_agreement`: none was drafted yet; `agreement_changed`: "
                "the version acknowledged is not the current one."
            }
        },
    )
    async def acknowledge(
        pair_id: ResourceId,
        version: Annotated[int, Body(embed=True, ge=1)],
        who: Caller,
        mentee: MenteeQuery = None,
    ) -> AgreementView:
        return AgreementView.of(await relationship.acknowledge(pair_id, version, who, mentee))

    @router.get("/pairs/{pair_id}/goals", summary="The mentee's development plan")
    async def goals(pair_id: ResourceId, who: Caller, mentee: MenteeQuery = None) -> GoalList:
        return GoalList(
            goals=[GoalView.of(goal) for goal in await development.of_pair(pair_id, who, mentee)]
        )

    @router.post(
        "/pairs/{pair_id}/goals",
        status_code=status.HTTP_201_CREATED,
        summary="Add a goal to the mentee's development plan",
    )
    async def add_goal(
        pair_id: ResourceId, given: GoalInput, who: Caller, mentee: MenteeQuery = None
    ) -> GoalView:
        return GoalView.of(await development.add(pair_id, given.command(), who, mentee))

    @router.patch("/goals/{goal_id}", summary="Record progress on a goal")
    async def goal_progress(goal_id: ResourceId, given: GoalProgressInput, who: Caller) -> GoalView:
        return GoalView.of(await development.progress(goal_id, given.command(), who))

    @router.get(
        "/programs/{program_id}/surveys",
        summary="A program's surveys: when each is open, and whether you answered it",
        description=(
            "The mid-program survey opens at the program's midpoint and the closing survey "
            "SURVEY_CLOSING_LEAD_DAYS before its end (never before the midpoint), at midnight "
            "in the program's time zone; both close SURVEY_GRACE_DAYS after the end. For the "
            "program's participants (`answered` says whether they answered) and admins "
            "(`answered` is null)."
        ),
        responses={
            409: {"description": "The program is not known here yet (`program_not_known`)."}
        },
    )
    async def list_surveys(program_id: ResourceId, who: Caller) -> SurveyList:
        offers = await surveys.offers(program_id, who)
        return SurveyList(program_id=program_id, surveys=[SurveyView.of(o) for o in offers])

    @router.post(
        "/programs/{program_id}/surveys/{kind}",
        summary="Answer a program survey (again: replaces your answers)",
        responses={409: {"description": "`program_not_known`: not known here yet; try again."}},
    )
    async def answer_survey(
        program_id: ResourceId, kind: SurveyKind, given: SurveyInput, who: Caller
    ) -> SurveyReceipt:
        response = await surveys.respond(program_id, kind, given.command(), who)
        return SurveyReceipt(
            response_id=response.response_id,
            survey_kind=response.survey_kind.value,
            submitted_at=response.submitted_at,
        )

    @router.get("/agenda-templates", summary="The session agenda template library")
    async def agenda_templates() -> AgendaList:
        return AgendaList(templates=[AgendaView.of(template) for template in TEMPLATES.values()])

    @router.get("/pairs/{pair_id}/next-agenda", summary="The agenda for the pair's next session")
    async def next_agenda(
        pair_id: ResourceId, who: Caller, mentee: MenteeQuery = None
    ) -> AgendaView:
        return AgendaView.of(await relationship.next_agenda(pair_id, who, mentee))

    async def export_my_data(who: Principal) -> PersonalDataView:
        return PersonalDataView.of(await export.of(who))

    add_export_route(
        router,
        caller,
        service="feedback",
        holds=_HOLDS,
        document=PersonalDataView,
        build=export_my_data,
    )

    return router
