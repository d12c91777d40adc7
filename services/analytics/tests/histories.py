"""Random but plausible event histories of one program, for the property tests."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from mentorship_contracts import CATALOG, Envelope, IntegrationEvent
from mentorship_contracts.envelope import wrap
from mentorship_contracts.events import (
    GoalProgressUpdated,
    MatchingRunApproved,
    MatchingRunProposed,
    PairCreated,
    PairEnded,
    PairingFitReported,
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrew,
    ProgramCreated,
    SessionCancelled,
    SessionCompleted,
    SessionFeedbackSubmitted,
    SessionMissed,
    SessionRescheduled,
    SessionScheduled,
    SurveyResponseSubmitted,
    UnmatchedParticipant,
)
from mentorship_contracts.examples import example
from mentorship_contracts.types import (
    FitConcern,
    PairEndReason,
    ParticipantRole,
    SessionCancelReason,
    SurveyKind,
    UnmatchedReason,
)

PROGRAM = "prog-history"
START = datetime(2027, 1, 4, 9, tzinfo=UTC)
TOPICS = ("public_speaking", "delegation", "first_team_lead", "promotion")
ROLES = (ParticipantRole.MENTOR, ParticipantRole.MENTEE, ParticipantRole.BOTH)


@dataclass
class History:
    """The distinct events of a history, each in its envelope."""

    envelopes: list[Envelope[Any]] = field(default_factory=list)

    def add(self, event: IntegrationEvent, at: datetime) -> None:
        key = CATALOG.route(event).key_of(event)
        self.envelopes.append(wrap(event, source="test", aggregate_id=key, occurred_at=at))


def history(seed: int) -> History:
    """A program's history: registrations, runs, pairs, sessions, feedback, goals, surveys."""
    rng = random.Random(seed)
    result = History()
    result.add(
        example(
            ProgramCreated,
            program_id=PROGRAM,
            starts_on=date(2027, 1, 4),
            ends_on=date(2027, 7, 1),
            key_result={
                "description": "4 sessions",
                "metric": "sessions_held_per_pair",
                "target": 4,
            },
        ),
        START,
    )
    roles = _participants(rng, result)
    people = list(roles)
    _runs(rng, result, people)
    mentors = [p for p in people if roles[p] is not ParticipantRole.MENTEE]
    mentees = [p for p in people if roles[p] is not ParticipantRole.MENTOR]
    live: dict[str, tuple[str, str]] = {}
    for index in range(rng.randint(0, 6) if mentors and mentees else 0):
        members = (rng.choice(mentors), rng.choice(mentees))
        if not _pair(rng, result, f"pair{index}", members, index):
            live[f"pair{index}"] = members
    _surveys(rng, result, people)
    for person in people:
        if rng.random() < 0.15:
            _erase(rng, result, person, live)
    return result


def _erase(
    rng: random.Random, result: History, person: str, live: dict[str, tuple[str, str]]
) -> None:
    """Erase ``person`` at any time (even before they registered, as a skewed clock may
    stamp it); matching mostly ends their pairs (its event may not have arrived yet)."""
    at = START + timedelta(days=rng.randint(-1, 120), minutes=rng.randint(0, 59))
    result.add(
        ParticipantErased(
            participant_id=person, program_id=PROGRAM, person_id=f"person-{person}", erased_at=at
        ),
        at,
    )
    for pair_id, members in list(live.items()):
        if person in members and rng.random() < 0.7:
            ended = at + timedelta(seconds=1)
            result.add(
                PairEnded(
                    pair_id=pair_id,
                    program_id=PROGRAM,
                    reason=PairEndReason.PARTICIPANT_ERASED,
                    ended_at=ended,
                ),
                ended,
            )
            del live[pair_id]


def _participants(rng: random.Random, result: History) -> dict[str, ParticipantRole]:
    roles: dict[str, ParticipantRole] = {}
    for person in (f"p{index}" for index in range(rng.randint(3, 14))):
        role = rng.choice(ROLES)
        roles[person] = role
        registered = START + timedelta(minutes=rng.randint(1, 72 * 60))
        state: dict[str, Any] = {
            "participant_id": person,
            "program_id": PROGRAM,
            "person_id": f"person-{person}",
            "role": role,
            "capacity": rng.randint(1, 3) if role is not ParticipantRole.MENTEE else 0,
            "choice_answers": {"seniority": (rng.choice(["junior", "senior"]),)},
            "profile": example(ParticipantRegistered).profile,
        }
        result.add(example(ParticipantRegistered, **state, registered_at=registered), registered)
        if rng.random() < 0.3:
            role = rng.choice(ROLES)
            roles[person] = role
            changed = state | {
                "role": role,
                "capacity": rng.randint(1, 3) if role is not ParticipantRole.MENTEE else 0,
            }
            at = registered + timedelta(hours=rng.randint(1, 48))
            result.add(example(ParticipantUpdated, **changed, updated_at=at), at)
        if rng.random() < 0.15:
            at = registered + timedelta(days=rng.randint(3, 9))
            result.add(
                ParticipantWithdrew(participant_id=person, program_id=PROGRAM, withdrew_at=at), at
            )
    return roles


def _runs(rng: random.Random, result: History, people: list[str]) -> None:
    for run in range(rng.randint(0, 2)):
        parts = rng.randint(1, 2)
        at = START + timedelta(days=10 + run)
        for part in range(1, parts + 1):
            unmatched = tuple(
                UnmatchedParticipant(
                    participant_id=rng.choice(people),
                    role=ParticipantRole.MENTEE,
                    reason=rng.choice(list(UnmatchedReason)),
                )
                for _ in range(rng.randint(0, 3))
            )
            result.add(
                example(
                    MatchingRunProposed,
                    run_id=f"run{run}",
                    program_id=PROGRAM,
                    part=part,
                    parts=parts,
                    pairs=(),
                    unmatched=unmatched,
                    proposed_at=at,
                ),
                at + timedelta(seconds=part),
            )
        if rng.random() < 0.7:
            result.add(
                example(
                    MatchingRunApproved,
                    run_id=f"run{run}",
                    program_id=PROGRAM,
                    pair_count=rng.randint(0, 5),
                    approved_at=at + timedelta(hours=1),
                ),
                at + timedelta(hours=1),
            )


def _pair(
    rng: random.Random, result: History, pair_id: str, members: tuple[str, str], index: int
) -> bool:
    """A pair's life; whether it ended."""
    mentor, mentee = members
    created = START + timedelta(days=12, hours=index)
    result.add(
        example(
            PairCreated,
            pair_id=pair_id,
            program_id=PROGRAM,
            mentor_participant_id=mentor,
            mentee_participant_id=mentee,
            mentor_person_id=f"person-{mentor}",
            mentee_person_id=f"person-{mentee}",
            score=round(rng.uniform(0, 9.9), 3),
            is_rematch=rng.random() < 0.2,
            created_at=created,
        ),
        created,
    )
    _sessions(rng, result, pair_id, members, created)
    _fits(rng, result, pair_id, members, created)
    _goals(rng, result, pair_id, mentee, created)
    if rng.random() < 0.3:
        at = created + timedelta(days=rng.randint(30, 90))
        result.add(
            PairEnded(
                pair_id=pair_id,
                program_id=PROGRAM,
                reason=rng.choice(list(PairEndReason)),
                ended_at=at,
            ),
            at,
        )
        return True
    return False


def _fits(
    rng: random.Random, result: History, pair_id: str, members: tuple[str, str], created: datetime
) -> None:
    for member in members:
        if rng.random() < 0.4:
            good = rng.random() < 0.7
            at = created + timedelta(days=rng.randint(8, 20))
            result.add(
                PairingFitReported(
                    pair_id=pair_id,
                    program_id=PROGRAM,
                    participant_id=member,
                    author_role=ParticipantRole.MENTOR
                    if member == members[0]
                    else ParticipantRole.MENTEE,
                    good_fit=good,
                    concern=None if good else rng.choice(list(FitConcern)),
                    reported_at=at,
                ),
                at,
            )


def _goals(
    rng: random.Random, result: History, pair_id: str, mentee: str, created: datetime
) -> None:
    for goal in range(rng.randint(0, 2)):
        progress = 0
        at = created + timedelta(days=5)
        for _ in range(rng.randint(1, 3)):
            progress = min(100, progress + rng.choice([20, 50, 100]))
            at += timedelta(days=rng.randint(1, 9))
            result.add(
                GoalProgressUpdated(
                    goal_id=f"{pair_id}-g{goal}",
                    program_id=PROGRAM,
                    participant_id=mentee,
                    pair_id=pair_id,
                    topic=rng.choice(TOPICS),
                    progress_percent=progress,
                    completed=progress == 100,
                    updated_at=at,
                ),
                at,
            )


def _surveys(rng: random.Random, result: History, people: list[str]) -> None:
    for person in people:
        if rng.random() < 0.4:
            for revision in range(rng.randint(1, 2)):
                at = START + timedelta(days=60 + revision, hours=rng.randint(0, 20))
                result.add(
                    SurveyResponseSubmitted(
                        response_id=f"survey-{person}",
                        program_id=PROGRAM,
                        participant_id=person,
                        respondent_role=ParticipantRole.MENTEE,
                        survey_kind=SurveyKind.MID_PROGRAM,
                        growth_rating=rng.randint(1, 5),
                        relationship_rating=rng.randint(1, 5),
                        recommend_score=rng.randint(0, 10),
                        would_join_again=rng.random() < 0.7,
                        submitted_at=at,
                    ),
                    at,
                )


def _sessions(
    rng: random.Random, result: History, pair_id: str, members: tuple[str, str], created: datetime
) -> None:
    for sequence in range(1, rng.randint(0, 5) + 1):
        session_id = f"{pair_id}.s{sequence:03d}"
        starts = created + timedelta(days=7 * sequence, hours=rng.randint(0, 5))
        ids = {"session_id": session_id, "pair_id": pair_id, "program_id": PROGRAM}
        result.add(
            SessionScheduled(
                **ids,
                series_id=pair_id,
                sequence=sequence,
                participant_ids=members,
                starts_at=starts,
                duration_minutes=45,
            ),
            created,
        )
        if rng.random() < 0.3:
            moved = starts + timedelta(hours=rng.randint(1, 30))
            result.add(
                SessionRescheduled(
                    **ids, previous_starts_at=starts, starts_at=moved, duration_minutes=45
                ),
                created + timedelta(days=sequence),
            )
            starts = moved
        outcome = rng.choice(["held", "held", "missed", "cancelled", "open"])
        done = starts + timedelta(hours=1)
        if outcome == "held":
            result.add(
                SessionCompleted(
                    **ids,
                    participant_ids=members,
                    starts_at=starts,
                    held_at=starts,
                    duration_minutes=40,
                ),
                done,
            )
            for author in members:
                if rng.random() < 0.7:
                    for revision in range(1, rng.randint(1, 2) + 1):
                        at = done + timedelta(hours=revision)
                        result.add(
                            SessionFeedbackSubmitted(
                                feedback_id=f"{session_id}-{author}",
                                session_id=session_id,
                                pair_id=pair_id,
                                program_id=PROGRAM,
                                participant_id=author,
                                author_role=ParticipantRole.MENTOR
                                if author == members[0]
                                else ParticipantRole.MENTEE,
                                rating=rng.randint(1, 5),
                                topics=tuple(rng.sample(TOPICS, rng.randint(0, 2))),
                                revision=revision,
                                submitted_at=at,
                            ),
                            at,
                        )
        elif outcome == "missed":
            result.add(SessionMissed(**ids, starts_at=starts, recorded_at=done), done)
        elif outcome == "cancelled":
            result.add(
                SessionCancelled(
                    **ids,
                    starts_at=starts,
                    reason=rng.choice(list(SessionCancelReason)),
                    cancelled_at=created + timedelta(days=1),
                ),
                created + timedelta(days=1, minutes=sequence),
            )
