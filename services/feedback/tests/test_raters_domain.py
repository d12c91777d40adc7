"""360 rules: up to five peers, peers only as an average of three or more, links expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from feedback.domain.errors import FeedbackInputError, FeedbackRuleError
from feedback.domain.raters import (
    PeerContact,
    RaterRequest,
    ReachedBy,
    answer_request,
    ask_raters,
    calibration,
    requests_sent,
)
from feedback.domain.skills import SkillsAssessment, assess_skills
from mentorship_contracts.events import RaterInvited, SkillsAssessed
from mentorship_contracts.types import AssessmentMoment, RaterKind

NOW = datetime(2027, 1, 4, 9, tzinfo=UTC)
CHOSEN = ("public_speaking", "delegation")
END = AssessmentMoment.END


def _ask(
    peers: int,
    before: list[RaterRequest] | None = None,
    *,
    manager: bool = False,
    has_manager: bool = True,
    manager_answered: bool = False,
) -> list[RaterRequest]:
    return ask_raters(
        program_id="prog",
        mentee_participant_id="part-mentee",
        moment=END,
        manager=manager,
        has_manager=has_manager,
        peers=peers,
        asked_before=before or [],
        manager_answered=manager_answered,
        now=NOW,
        valid_for=timedelta(days=21),
    ).state


def _answer(
    request: RaterRequest, level: int, others: list[SkillsAssessment], at: datetime = NOW
) -> tuple[SkillsAssessment, tuple[object, ...]]:
    decision = answer_request(
        request=request,
        chosen_skills=CHOSEN,
        levels={"public_speaking": level, "delegation": 3},
        other_peer_answers=others,
        now=at,
    )
    return decision.state, decision.events


def test_at_most_five_peers_per_moment() -> None:
    first = _ask(3, manager=True)
    assert [r.rater_kind for r in first] == [RaterKind.MANAGER, *[RaterKind.PEER] * 3]
    assert len({r.request_id for r in first}) == 4
    more = _ask(2, first)
    assert len({r.request_id for r in [*first, *more]}) == 6
    with pytest.raises(FeedbackInputError) as refused:
        _ask(1, [*first, *more])
    assert [field for field, _ in refused.value.problems] == ["peers"]


def test_the_manager_and_named_peers_are_invited_by_person_id_or_kept_address() -> None:
    decision = ask_raters(
        program_id="prog",
        mentee_participant_id="part-mentee",
        moment=END,
        manager=True,
        has_manager=True,
        manager_person_id="person-boss",
        peers=1,
        peer_contacts=[PeerContact(person_id="person-pal"), PeerContact(email="kim@example.com")],
        asked_before=[],
        now=NOW,
        valid_for=timedelta(days=21),
    )
    kinds = [(r.rater_kind, r.rater_person_id, r.rater_email) for r in decision.state]
    assert kinds == [
        (RaterKind.MANAGER, "person-boss", None),
        (RaterKind.PEER, None, None),  # asked by number: the mentee forwards the link
        (RaterKind.PEER, "person-pal", None),
        (RaterKind.PEER, None, "kim@example.com"),
    ]
    assert all(isinstance(e, RaterInvited) for e in decision.events)
    invited = [(e.request_id, e.rater_person_id) for e in decision.events]  # type: ignore[attr-defined]
    requests = decision.state
    assert invited == [
        (requests[0].request_id, "person-boss"),
        (requests[2].request_id, "person-pal"),
        (requests[3].request_id, None),
    ]
    assert all("kim@" not in e.model_dump_json() for e in decision.events)
    with pytest.raises(FeedbackInputError) as refused:
        ask_raters(
            program_id="prog",
            mentee_participant_id="part-mentee",
            moment=END,
            manager=False,
            has_manager=True,
            peers=4,
            peer_contacts=[PeerContact(person_id="a"), PeerContact(person_id="b")],
            asked_before=[],
            now=NOW,
            valid_for=timedelta(days=21),
        )
    assert [field for field, _ in refused.value.problems] == ["peers"]


def test_a_manager_is_asked_again_until_they_answer_then_never() -> None:
    (first,) = _ask(0, manager=True)
    (renewed,) = _ask(0, [first], manager=True)
    assert renewed.request_id == first.request_id  # the same request, a fresh link
    with pytest.raises(FeedbackRuleError) as refused:
        _ask(0, [first], manager=True, manager_answered=True)
    assert refused.value.code == "manager_already_answered"
    # Peers may still be asked once the manager answered.
    assert [r.rater_kind for r in _ask(1, [first], manager_answered=True)] == [RaterKind.PEER]


def test_no_manager_link_without_a_manager_and_not_at_the_midpoint() -> None:
    with pytest.raises(FeedbackRuleError, match="no manager"):
        _ask(0, manager=True, has_manager=False)
    with pytest.raises(FeedbackRuleError):
        ask_raters(
            program_id="prog",
            mentee_participant_id="part-mentee",
            moment=AssessmentMoment.MIDPOINT,
            manager=False,
            has_manager=True,
            peers=1,
            asked_before=[],
            now=NOW,
            valid_for=timedelta(days=1),
        )


def test_peers_are_announced_only_as_an_average_of_three_or_more() -> None:
    manager, *peers = _ask(4, manager=True)
    _, manager_events = _answer(manager, 2, [])
    assert len(manager_events) == 1
    answers: list[SkillsAssessment] = []
    for number, (peer, level) in enumerate(zip(peers, (2, 3, 5, 4), strict=True)):
        answer, events = _answer(peer, level, answers)
        answers.append(answer)
        if number < 2:
            assert events == ()
        else:
            (event,) = events
            assert isinstance(event, SkillsAssessed)
            assert event.rater_kind is RaterKind.PEER
            assert event.raters == number + 1
            expected = sum((2, 3, 5, 4)[: number + 1]) / (number + 1)
            assert event.levels[0].level == pytest.approx(expected, abs=0.01)
    # the average never counts a peer twice (the service refuses a second answer anyway)
    _, events = _answer(peers[0], 5, answers)
    (event,) = events
    assert isinstance(event, SkillsAssessed)
    assert event.raters == 4


def test_an_expired_link_is_refused() -> None:
    (peer,) = _ask(1)
    with pytest.raises(FeedbackRuleError, match="expired"):
        _answer(peer, 3, [], at=peer.expires_at)


def test_calibration_hides_peers_under_three() -> None:
    def rated(kind: RaterKind, key: str, level: int) -> SkillsAssessment:
        return assess_skills(
            program_id="prog",
            mentee_participant_id="part-mentee",
            chosen_skills=CHOSEN,
            rater_kind=kind,
            rater_key=key,
            moment=END,
            levels={"public_speaking": level, "delegation": level},
            now=NOW,
        ).state

    two_peers = [rated(RaterKind.SELF, "me", 4), rated(RaterKind.PEER, "p1", 2)]
    two_peers.append(rated(RaterKind.PEER, "p2", 3))
    (row, _) = calibration(CHOSEN, two_peers)[END]
    assert (row.self_level, row.peers_average, row.peers_answered) == (4, None, 2)
    three = [*two_peers, rated(RaterKind.PEER, "p3", 5), rated(RaterKind.MENTOR, "m", 3)]
    (row, _) = calibration(CHOSEN, three)[END]
    assert (row.mentor, row.manager) == (3, None)
    assert row.peers_average == pytest.approx(10 / 3, 0.01)
    assert AssessmentMoment.BASELINE not in calibration(CHOSEN, three)


def test_the_requests_sent_say_whether_the_manager_answered_and_never_which_peer_did() -> None:
    asked = ask_raters(
        program_id="prog",
        mentee_participant_id="part-mentee",
        moment=END,
        manager=True,
        has_manager=True,
        manager_person_id="person-boss",
        peers=2,
        peer_contacts=[PeerContact(email="kim@example.com"), PeerContact(person_id="person-pal")],
        asked_before=[],
        now=NOW,
        valid_for=timedelta(days=21),
    ).state
    manager, first_link, _, kim, _ = asked
    earlier = _ask(1)[0].model_copy(
        update={"moment": AssessmentMoment.BASELINE, "requested_at": NOW - timedelta(days=9)}
    )
    answers = [_answer(manager, 2, [])[0], _answer(first_link, 4, [])[0]]

    sent = requests_sent([*asked, earlier], answers)

    assert [(s.request.moment, s.request.rater_kind) for s in sent.requests] == [
        (AssessmentMoment.BASELINE, RaterKind.PEER),  # oldest first
        (END, RaterKind.MANAGER),
        *[(END, RaterKind.PEER)] * 4,
    ]
    assert [s.answered for s in sent.requests] == [None, True, None, None, None, None]
    assert [s.reached_by for s in sent.requests[1:]] == [
        ReachedBy.DIRECTORY,
        ReachedBy.LINK,
        ReachedBy.LINK,
        ReachedBy.EMAIL,
        ReachedBy.DIRECTORY,
    ]
    assert sent.requests[4].request.rater_email == kim.rater_email == "kim@example.com"
    assert sent.peers_answered == {AssessmentMoment.BASELINE: 0, END: 1}
    only_end = requests_sent([*asked, earlier], answers, END)
    assert len(only_end.requests) == 5
    assert only_end.peers_answered == {END: 1}
    unanswered = requests_sent(asked, [answers[1]], END)
    assert unanswered.requests[0].answered is False
