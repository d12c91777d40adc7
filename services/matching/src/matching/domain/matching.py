"""A matching run from start to finish: who is in the market, the solve, the explanation.

Pure: takes the program, the pool and the existing pairs; returns the proposal. The
service stores it, announces it and, once approved, creates the pairs.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from matching.domain.compatibility import PICK, RULE_SENTENCES, Market, pick_value
from matching.domain.encoding import Encoder
from matching.domain.reporting import reporting_lines
from matching.domain.scoring import BlockScores, Preferences, score_matrix
from matching.domain.solver import (
    AssignmentProgram,
    DenseScores,
    Infeasible,
    PairScores,
    SideConstraints,
    SolveResult,
    TimeLimitReached,
)
from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import (
    MatchingMode,
    ParticipantRole,
    ProgramFormat,
    SolverStatus,
    UnmatchedReason,
)

MENTEE_ROLES = frozenset({ParticipantRole.MENTEE, ParticipantRole.BOTH})
MENTOR_ROLES = frozenset({ParticipantRole.MENTOR, ParticipantRole.BOTH})

Progress = Callable[[str], None]
Scores = BlockScores | DenseScores
"""A run's scores: block by block, or a matrix (peer programs, the max-min rule)."""


class MatchingFailed(Exception):  # noqa: N818 - reads as the run's outcome
    """The run produced no proposal; the message says why, for the program manager."""


class MatchingRequestError(MatchingFailed, ValueError):
    """The request cannot be run as asked (e.g. a pin that breaks a hard rule)."""


@dataclass(frozen=True, slots=True)
class PairKey:
    """A (mentor, mentee) pair by participant id."""

    mentor: str
    mentee: str


@dataclass(frozen=True, slots=True)
class MatchingRequest:
    """Everything one run needs."""

    program: ProgramState
    participants: Sequence[ParticipantState]
    existing_pairs: Sequence[PairKey] = ()
    """Active pairs: kept as they are, unless ``max_changes`` allows changing them."""
    pins: Sequence[PairKey] = ()
    forbids: Sequence[PairKey] = ()
    ended_pairs: Sequence[PairKey] = ()
    """Pairs that ended early: never proposed again."""
    max_changes: int | None = None
    """What-if: existing pairs may change, at most this many of them."""
    time_limit_s: float = 60.0
    managers: Mapping[str, str] | None = None
    """Person -> direct manager, from every edge matching was told of (see
    `matching.domain.reporting`); the reporting lines are walked from it. None: each
    participant's line as registered."""


@dataclass(frozen=True, slots=True)
class ProposedMatch:
    """One proposed pair, its score and the score's explanation."""

    mentor: str
    mentee: str
    score: float
    contributions: dict[str, float]
    pick_rank: int | None
    pinned: bool
    kept: bool = False
    """What-if: the pair already existed."""


@dataclass(frozen=True, slots=True)
class Unmatched:
    """Someone the run leaves without a match, and why."""

    participant_id: str
    role: ParticipantRole
    reason: UnmatchedReason
    detail: str


@dataclass(frozen=True, slots=True)
class Proposal:
    """The outcome of a run."""

    matches: tuple[ProposedMatch, ...]
    unmatched: tuple[Unmatched, ...]
    status: SolverStatus
    objective: float
    bound: float
    gap: float
    mentees_considered: int
    mentors_considered: int
    removed: tuple[PairKey, ...] = ()
    """What-if: existing pairs the proposal would end."""
    seconds: dict[str, float] = field(default_factory=dict)
    solver_rounds: int = 0
    solver_columns: int = 0


@dataclass(frozen=True, slots=True)
class MarketSetup:
    """A request turned into arrays: who is in the market, their rows and their room."""

    market: Market
    mentee_rows: dict[str, int]
    mentor_rows: dict[str, int]
    capacity: NDArray[np.int64]
    """Room left per mentor row for this run."""
    booked: NDArray[np.int64]
    """Existing pairs per mentor row that this run keeps."""
    preferences: Preferences
    pins: tuple[tuple[int, int], ...]
    existing: tuple[tuple[int, int], ...]
    peer: bool = False
    lines: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Each participant's reporting line, to the program's depth (by participant id)."""


def propose(request: MatchingRequest, progress: Progress | None = None) -> Proposal:
    """Run the matching and explain every pair and every unmatched person."""
    report = progress or (lambda _: None)
    started = time.perf_counter()
    report("scoring")
    setup = setup_market(request)
    scores = program_scores(request, setup)
    _check_pins(setup, scores)
    scored = time.perf_counter()
    report("solving")
    result = _solve(request, setup, scores)
    solved = time.perf_counter()
    report("explaining")
    proposal = _explain(request, setup, scores, result)
    explained = time.perf_counter()
    seconds = {
        "scoring": scored - started,
        **result.seconds,
        "solving": solved - scored,
        "explaining": explained - solved,
        "total": explained - started,
    }
    return Proposal(
        matches=proposal.matches,
        unmatched=proposal.unmatched,
        status=result.status,
        objective=result.score,
        bound=result.bound,
        gap=result.gap,
        mentees_considered=len(setup.market.mentees),
        mentors_considered=len(setup.market.mentors),
        removed=proposal.removed,
        seconds=seconds,
        solver_rounds=result.rounds,
        solver_columns=result.columns,
    )


def program_scores(request: MatchingRequest, setup: MarketSetup) -> Scores:
    """The run's scores: block by block, or a matrix (peer programs, the max-min rule).

    Peer scores are symmetric and the max-min rule thresholds every score: both read the
    whole matrix.
    """
    if setup.peer:
        return DenseScores(symmetric(score_matrix(setup.market, setup.preferences)))
    if request.program.matching.rules.maximise_worst_pair:
        return DenseScores(score_matrix(setup.market, setup.preferences))
    return BlockScores(setup.market, setup.preferences)


# ---------------------------------------------------------------------- setting up


def setup_market(request: MatchingRequest) -> MarketSetup:
    """Who is in the market for ``request``, encoded, with their rows, room and exclusions."""
    program = request.program
    peer = program.format is ProgramFormat.PEER
    keep_existing = request.max_changes is None
    matched_mentees = {pair.mentee for pair in request.existing_pairs} if keep_existing else set()
    load = Counter(pair.mentor for pair in request.existing_pairs) if keep_existing else Counter()
    matched_people = matched_mentees | (set(load) if peer else set())
    if peer:
        mentees = [
            p
            for p in request.participants
            if p.role is ParticipantRole.BOTH and p.participant_id not in matched_people
        ]
        mentors = mentees
    else:
        mentees = [
            p
            for p in request.participants
            if p.role in MENTEE_ROLES and p.participant_id not in matched_mentees
        ]
        # Mentors whose existing pairs fill them stay in the market with no room left,
        # so a mentee they would suit learns that capacity, not a rule, kept them apart.
        mentors = [p for p in request.participants if p.role in MENTOR_ROLES]
    encoder = Encoder.for_participants([*mentees, *mentors], program.starts_on)
    lines = reporting_lines(
        {p.participant_id: p for p in (*mentees, *mentors)}.values(),
        request.managers,
        program.matching.rules.reporting_line_depth,
    )
    market = Market(
        mentees=encoder.side(mentees),
        mentors=encoder.side(mentors),
        format=program.format,
        rules=program.matching.rules,
        weights=program.matching.weights,
        line_exclusions=_line_exclusions(mentees, mentors, lines),
    )
    mentee_rows = {p.participant_id: row for row, p in enumerate(mentees)}
    mentor_rows = {p.participant_id: row for row, p in enumerate(mentors)}
    booked = np.array([0 if peer else load[p.participant_id] for p in mentors], dtype=np.int64)
    capacity = np.array(
        [
            1 if peer else max(0, mentor_capacity(program, p) - load[p.participant_id])
            for p in mentors
        ],
        dtype=np.int64,
    )
    return MarketSetup(
        market=market,
        mentee_rows=mentee_rows,
        mentor_rows=mentor_rows,
        capacity=capacity,
        booked=booked,
        preferences=Preferences(
            picks=_picks(mentees, mentor_rows),
            picks_required=(
                program.matching.rules.mentee_picks_required
                or program.matching_mode is MatchingMode.MENTEE_CHOICE
            ),
            forbidden=_rows_of(
                (*request.forbids, *request.ended_pairs), mentee_rows, mentor_rows, strict=False
            ),
        ),
        pins=tuple(_rows_of(request.pins, mentee_rows, mentor_rows, strict=True)),
        existing=tuple(
            ()
            if keep_existing
            else _rows_of(request.existing_pairs, mentee_rows, mentor_rows, strict=False)
        ),
        peer=peer,
        lines=lines,
    )


def symmetric(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """Peer scores: the mean of both directions, allowed only when both directions are."""
    return np.where(np.isfinite(scores) & np.isfinite(scores.T), (scores + scores.T) / 2, -np.inf)


def mentor_capacity(program: ProgramState, participant: ParticipantState) -> int:
    """How many mentees a mentor takes in a program (a group is at most the group size)."""
    if program.format is ProgramFormat.GROUP and program.max_group_size is not None:
        return min(participant.capacity, program.max_group_size)
    return participant.capacity


def _line_exclusions(
    mentees: Sequence[ParticipantState],
    mentors: Sequence[ParticipantState],
    lines: Mapping[str, tuple[str, ...]],
) -> NDArray[np.int64]:
    """Keys of pairs where one is in the other's reporting line (``lines``)."""
    columns = len(mentors)
    mentor_rows: dict[str, list[int]] = {}
    for row, mentor in enumerate(mentors):
        mentor_rows.setdefault(mentor.person_id, []).append(row)
    mentee_rows: dict[str, list[int]] = {}
    for row, mentee in enumerate(mentees):
        mentee_rows.setdefault(mentee.person_id, []).append(row)
    keys = [
        i * columns + j
        for i, mentee in enumerate(mentees)
        for manager in lines[mentee.participant_id]
        for j in mentor_rows.get(manager, ())
    ]
    keys += [
        i * columns + j
        for j, mentor in enumerate(mentors)
        for manager in lines[mentor.participant_id]
        for i in mentee_rows.get(manager, ())
    ]
    return np.unique(np.array(keys, dtype=np.int64))


def _picks(
    mentees: Sequence[ParticipantState], mentor_rows: dict[str, int]
) -> dict[int, tuple[int, ...]]:
    return {
        row: tuple(
            mentor_rows[pick] for pick in mentee.profile.preferred_mentors if pick in mentor_rows
        )
        for row, mentee in enumerate(mentees)
        if mentee.profile.preferred_mentors
    }


def _rows_of(
    pairs: Sequence[PairKey],
    mentee_rows: dict[str, int],
    mentor_rows: dict[str, int],
    *,
    strict: bool,
) -> list[tuple[int, int]]:
    rows: list[tuple[int, int]] = []
    for pair in pairs:
        if pair.mentee in mentee_rows and pair.mentor in mentor_rows:
            rows.append((mentee_rows[pair.mentee], mentor_rows[pair.mentor]))
        elif strict:
            msg = (
                f"cannot pin {pair.mentor} to {pair.mentee}: one of them is not available "
                "in this program (unknown, withdrawn, already matched or at capacity)"
            )
            raise MatchingRequestError(msg)
    return rows


def _check_pins(setup: MarketSetup, scores: Scores) -> None:
    if not setup.pins:
        return
    pins = np.array(setup.pins, dtype=np.intp).reshape(-1, 2)
    allowed = np.isfinite(scores.pairs(pins[:, 0], pins[:, 1]))
    for (mentee, mentor), ok in zip(setup.pins, allowed.tolist(), strict=True):
        if not ok:
            broken = [
                RULE_SENTENCES[rule]
                for rule, mask in setup.market.violations(
                    np.array([mentee], dtype=np.intp), np.array([mentor], dtype=np.intp)
                ).items()
                if mask[0]
            ] or ["forbidden by an admin or by an earlier pairing that ended"]
            mentee_id = setup.market.mentees.participants[mentee].participant_id
            mentor_id = setup.market.mentors.participants[mentor].participant_id
            msg = f"cannot pin {mentor_id} to {mentee_id}: {'; '.join(broken)}"
            raise MatchingRequestError(msg)


# ---------------------------------------------------------------------- solving


def _solve(request: MatchingRequest, setup: MarketSetup, scores: Scores) -> SolveResult:
    rules = request.program.matching.rules
    constraints = SideConstraints(
        mentor_capacity=setup.capacity,
        pinned=setup.pins,
        mentee_department=setup.market.mentees.department,
        mentor_department=setup.market.mentors.department,
        max_pairs_per_department=rules.max_pairs_per_department,
        min_cross_department_share=rules.min_cross_department_share,
        existing=setup.existing,
        max_changes=request.max_changes,
        peer=request.program.format is ProgramFormat.PEER,
    )
    solved: NDArray[np.float64] | PairScores = scores
    if isinstance(scores, DenseScores):  # the solver reads a peer matrix's upper half
        solved = (
            _max_min(scores.matrix, constraints) if rules.maximise_worst_pair else scores.matrix
        )
    program = AssignmentProgram(solved, constraints, time_limit_s=request.time_limit_s)
    try:
        return program.solve()
    except Infeasible as error:
        raise MatchingRequestError(str(error)) from error
    except TimeLimitReached as error:
        msg = f"{error}; allow the run more time"
        raise MatchingFailed(msg) from error


def _max_min(scores: NDArray[np.float64], constraints: SideConstraints) -> NDArray[np.float64]:
    """Scores without the pairs below the best achievable worst pair.

    Raises the worst pair's score as far as it goes without matching fewer mentees:
    the threshold is found by bisection over the distinct scores, each step proving the
    most pairs possible with pairs at or above it.
    """

    def matches_above(threshold: float) -> int:
        return AssignmentProgram(
            np.where(scores >= threshold, scores, -np.inf), constraints
        ).max_pairs()

    finite = np.unique(scores[np.isfinite(scores)])
    if len(finite) == 0:
        return scores
    target = matches_above(float(finite[0]))
    low, high = 0, len(finite) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if matches_above(float(finite[middle])) == target:
            low = middle
        else:
            high = middle - 1
    return np.where(scores >= finite[low], scores, -np.inf)


# ---------------------------------------------------------------------- explaining


@dataclass(frozen=True, slots=True)
class _Explained:
    matches: tuple[ProposedMatch, ...]
    unmatched: tuple[Unmatched, ...]
    removed: tuple[PairKey, ...]


def _explain(
    request: MatchingRequest,
    setup: MarketSetup,
    scores: Scores,
    result: SolveResult,
) -> _Explained:
    market = setup.market
    pairs = sorted(result.pairs)
    mentees = np.array([i for i, _ in pairs], dtype=np.intp)
    mentors = np.array([j for _, j in pairs], dtype=np.intp)
    explanations = _explanations(setup, mentees, mentors)
    if setup.peer:  # a peer pair's score is the mean of both directions, and so is its explanation
        backwards = _explanations(setup, mentors, mentees)
        explanations = [
            _mean(forward, back) for forward, back in zip(explanations, backwards, strict=True)
        ]
    pins, existing = set(setup.pins), set(setup.existing)
    matches = [
        ProposedMatch(
            mentor=market.mentors.participants[j].participant_id,
            mentee=market.mentees.participants[i].participant_id,
            score=float(sum(explanation.values())),
            contributions=explanation,
            pick_rank=_pick_rank(setup, i, j),
            pinned=(i, j) in pins,
            kept=(i, j) in existing,
        )
        for (i, j), explanation in zip(pairs, explanations, strict=True)
    ]
    chosen = set(pairs)
    removed = tuple(
        PairKey(
            mentor=market.mentors.participants[j].participant_id,
            mentee=market.mentees.participants[i].participant_id,
        )
        for i, j in setup.existing
        if (i, j) not in chosen
    )
    return _Explained(tuple(matches), _unmatched(request, setup, scores, chosen), removed)


def explain_pair(setup: MarketSetup, mentee: int, mentor: int) -> tuple[float, dict[str, float]]:
    """One pair's score and its explanation, exactly as a proposal would give them."""
    rows, columns = np.array([mentee], dtype=np.intp), np.array([mentor], dtype=np.intp)
    (explanation,) = _explanations(setup, rows, columns)
    if setup.peer:
        (back,) = _explanations(setup, columns, rows)
        explanation = _mean(explanation, back)
    return float(sum(explanation.values())), explanation


def _mean(forward: dict[str, float], back: dict[str, float]) -> dict[str, float]:
    return {name: (forward.get(name, 0.0) + back.get(name, 0.0)) / 2 for name in back | forward}


def _explanations(
    setup: MarketSetup, mentees: NDArray[np.intp], mentors: NDArray[np.intp]
) -> list[dict[str, float]]:
    """Each pair's weighted criteria and, when the mentee picked the mentor, the pick."""
    market = setup.market
    contributions = market.contributions(mentees, mentors)
    explanations = []
    for position, (i, j) in enumerate(zip(mentees.tolist(), mentors.tolist(), strict=True)):
        explanation = {name: float(values[position]) for name, values in contributions.items()}
        rank = _pick_rank(setup, i, j)
        if rank is not None:
            explanation[PICK] = market.rules.pick_bonus * pick_value(rank)
        explanations.append(explanation)
    return explanations


def _pick_rank(setup: MarketSetup, mentee: int, mentor: int) -> int | None:
    picks = setup.preferences.picks.get(mentee, ())
    return picks.index(mentor) + 1 if mentor in picks else None


def _unmatched(
    request: MatchingRequest,
    setup: MarketSetup,
    scores: Scores,
    chosen: set[tuple[int, int]],
) -> tuple[Unmatched, ...]:
    market = setup.market
    peer = request.program.format is ProgramFormat.PEER
    load = np.zeros(len(market.mentors), dtype=np.int64)
    matched_mentees = set()
    for i, j in chosen:
        load[j] += 1
        matched_mentees.add(i)
        if peer:
            matched_mentees.add(j)
    full = load >= setup.capacity
    left = np.array(
        [i for i in range(len(market.mentees)) if i not in matched_mentees], dtype=np.intp
    )
    compatible, at_capacity = scores.allowed_counts(left, full)
    people: list[Unmatched] = []
    role = ParticipantRole.BOTH if peer else ParticipantRole.MENTEE
    for i, count, full_count in zip(
        left.tolist(), compatible.tolist(), at_capacity.tolist(), strict=True
    ):
        if count == 0:
            reason, detail = _why_nobody(setup, i)
        elif peer or full_count == count:
            reason = UnmatchedReason.CAPACITY_EXHAUSTED
            detail = (
                f"all {count} compatible peers are paired with others"
                if peer
                else f"all {count} compatible mentors are at capacity"
            )
        else:
            reason = UnmatchedReason.NOT_SELECTED
            detail = (
                "compatible mentors have room, but the program's department cap or "
                "cross-department share, or an admin's pins, leave none for this mentee"
            )
        people.append(
            Unmatched(market.mentees.participants[i].participant_id, role, reason, detail)
        )
    if not peer:
        with_partner = scores.mentors_with_a_partner()
        for j, mentor in enumerate(market.mentors.participants):
            if load[j] > 0 or setup.booked[j] > 0:
                continue
            if not with_partner[j]:
                reason, detail = (
                    UnmatchedReason.NO_COMPATIBLE_PARTNER,
                    "no unmatched mentee passes the hard rules with this mentor",
                )
            else:
                reason, detail = (
                    UnmatchedReason.NOT_SELECTED,
                    "every compatible mentee fits another mentor better",
                )
            people.append(Unmatched(mentor.participant_id, ParticipantRole.MENTOR, reason, detail))
    return tuple(people)


def _why_nobody(setup: MarketSetup, mentee: int) -> tuple[UnmatchedReason, str]:
    market = setup.market
    everyone = np.arange(len(market.mentors), dtype=np.intp)
    if len(everyone) == 0:
        return UnmatchedReason.NO_COMPATIBLE_PARTNER, "the program has no mentors"
    rows = np.full(len(everyone), mentee, dtype=np.intp)
    violations = market.violations(rows, everyone)
    passing = ~np.any(np.stack(list(violations.values())), axis=0)
    if passing.any():
        if setup.preferences.picks_required and mentee in setup.preferences.picks:
            return (
                UnmatchedReason.NO_PICK_AVAILABLE,
                "none of the mentors this mentee picked is available",
            )
        return (
            UnmatchedReason.FORBIDDEN_BY_ADMIN,
            "every compatible mentor was forbidden by an admin or ended a pairing with this mentee",
        )
    counts = sorted(
        ((int(mask.sum()), rule) for rule, mask in violations.items() if mask.any()),
        reverse=True,
    )
    listed = ", ".join(f"{count} {RULE_SENTENCES[rule]}" for count, rule in counts)
    return (
        UnmatchedReason.NO_COMPATIBLE_PARTNER,
        f"no mentor passes the hard rules ({len(everyone)} checked: {listed})",
    )
