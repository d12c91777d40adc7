"""The pair's relationship: "is this a good fit?" and the mentoring agreement."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from feedback.domain.decisions import Decision
from feedback.domain.errors import FeedbackRuleError
from feedback.domain.membership import Membership
from feedback.domain.records import Agreement, FitReport, stable_id
from mentorship_contracts.events import PairingFitReported
from mentorship_contracts.types import FitConcern

FIT_NOT_OPEN = "no_session_held"
NO_AGREEMENT = "no_agreement"
AGREEMENT_CHANGED = "agreement_changed"


@dataclass(frozen=True, slots=True)
class FitAnswer:
    """A member's answer to "is this a good fit?"."""

    good_fit: bool
    concern: FitConcern | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AgreementTerms:
    """What a mentoring agreement says."""

    expectations: str
    meeting_frequency: str
    confidentiality: str
    boundaries: str = ""


def report_fit(
    *, member: Membership, held_sessions: int, answer: FitAnswer, now: datetime
) -> Decision[FitReport]:
    """The member's fit answer (replacing an earlier one), announced without its reason.

    The question opens once the pair has held a session together; a "no" without a concern
    counts as `FitConcern.OTHER`.

    Raises:
        FeedbackRuleError: ``no_session_held`` before the pair's first held session.
    """
    if held_sessions == 0:
        msg = "the fit question opens after the pair's first held session"
        raise FeedbackRuleError(FIT_NOT_OPEN, msg)
    report = FitReport(
        report_id=stable_id("fit", member.pair.pair_id, member.participant_id),
        pair_id=member.pair.pair_id,
        program_id=member.pair.program_id,
        participant_id=member.participant_id,
        author_role=member.role,
        good_fit=answer.good_fit,
        concern=None if answer.good_fit else (answer.concern or FitConcern.OTHER),
        reason=answer.reason,
        reported_at=now,
    )
    event = PairingFitReported(
        pair_id=report.pair_id,
        program_id=report.program_id,
        participant_id=report.participant_id,
        author_role=report.author_role,
        good_fit=report.good_fit,
        concern=report.concern,
        reported_at=report.reported_at,
    )
    return Decision(report, (event,))


def write_agreement(
    *, member: Membership, terms: AgreementTerms, previous: Agreement | None, now: datetime
) -> Decision[Agreement]:
    """A new version of the pair's agreement, acknowledged by its author only.

    Any change, even by a member who acknowledged the last version, needs both members'
    acknowledgement again.
    """
    agreement = Agreement(
        pair_id=member.pair.pair_id,
        program_id=member.pair.program_id,
        expectations=terms.expectations,
        meeting_frequency=terms.meeting_frequency,
        confidentiality=terms.confidentiality,
        boundaries=terms.boundaries,
        version=previous.version + 1 if previous else 1,
        updated_at=now,
        acknowledged_by=(member.participant_id,),
    )
    return Decision(agreement)


def acknowledge_agreement(
    *, member: Membership, agreement: Agreement | None, version: int
) -> Decision[Agreement]:
    """The agreement with the member's acknowledgement of ``version`` (idempotent).

    Raises:
        FeedbackRuleError: ``no_agreement`` when none was drafted; ``agreement_changed`` when
            ``version`` is not the current one (the member read an older text).
    """
    if agreement is None:
        raise FeedbackRuleError(NO_AGREEMENT, "the pair has no agreement to acknowledge yet")
    if agreement.version != version:
        msg = f"the agreement is at version {agreement.version}; read it again"
        raise FeedbackRuleError(AGREEMENT_CHANGED, msg)
    if member.participant_id in agreement.acknowledged_by:
        return Decision(agreement)
    acknowledged = agreement.model_copy(
        update={"acknowledged_by": (*agreement.acknowledged_by, member.participant_id)}
    )
    return Decision(acknowledged)


def acknowledged_by_all(agreement: Agreement, members: Collection[str]) -> bool:
    """Whether every one of ``members`` acknowledged the agreement's current version."""
    return set(members) <= set(agreement.acknowledged_by)
