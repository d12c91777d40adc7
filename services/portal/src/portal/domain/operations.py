"""The console's operations: cloning a cohort, access and invitations, what-if, health.

What the pages read from the services (only the fields they use) and the pure rules of those
pages: the clone form into a cohort request, the access form into participant access rules,
the invitation funnel, the pairs a what-if changes, the health flags with their people and a
next step each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from portal.domain.console import (
    ManagedProgram,
    Pair,
    PairRef,
    Proposal,
    SettingsInvalid,
    _View,
)

SENIORITIES = ("co_op", "associate", "intermediate", "senior", "director", "executive")
RULE_PARTS = ("departments", "locations", "seniorities", "reports_to")
MAX_RULES = 50


# ---------------------------------------------------------------------- clone


def clone_defaults(program: ManagedProgram, today: date) -> dict[str, str]:
    """What the clone form proposes: the same name with the next cohort, the same lengths.

    Registration opens today for as long as it did; the program starts as long after
    registration closes as it did, and lasts as long.
    """
    registration = program.registration_closes_at.date() - program.registration_opens_at.date()
    gap = program.starts_on - program.registration_closes_at.date()
    length = program.ends_on - program.starts_on
    closes = today + max(registration, timedelta(days=1))
    starts = closes + max(gap, timedelta(days=1))
    return {
        "name": f"{program.name} (next cohort)"[:200],
        "registration_opens_on": today.isoformat(),
        "registration_closes_on": closes.isoformat(),
        "starts_on": starts.isoformat(),
        "ends_on": (starts + max(length, timedelta(days=1))).isoformat(),
    }


CLONE_FIELDS = ("name", "registration_opens_on", "registration_closes_on", "starts_on", "ends_on")


def cohort_request(values: Mapping[str, str], now: datetime) -> dict[str, Any]:
    """The registration API's cohort body from the clone form.

    Registration opens at the start of its first day (now, when that is today) and closes at
    the end of its last day, in UTC, as in the wizard.

    Raises:
        SettingsInvalid: a field is empty or a date cannot be read (the API checks the rest).
    """
    problems: dict[str, str] = {}
    days: dict[str, date] = {}
    for name in CLONE_FIELDS[1:]:
        try:
            days[name] = date.fromisoformat(values.get(name, "").strip())
        except ValueError:
            problems[name] = "Enter a date (YYYY-MM-DD)."
    name = values.get("name", "").strip()
    if not name:
        problems["name"] = "Give the cohort a name."
    if problems:
        raise SettingsInvalid(problems)
    opens = days["registration_opens_on"]
    opens_at = (
        now.replace(microsecond=0) if opens == now.date() else datetime.combine(opens, time(), UTC)
    )
    return {
        "name": name,
        "starts_on": days["starts_on"].isoformat(),
        "ends_on": days["ends_on"].isoformat(),
        "registration_opens_at": opens_at.isoformat(),
        "registration_closes_at": datetime.combine(
            days["registration_closes_on"], time(23, 59, 59), UTC
        ).isoformat(),
    }


COHORT_FIELDS: Mapping[str, str] = {
    "body.registration_opens_at": "registration_opens_on",
    "body.registration_closes_at": "registration_closes_on",
}


def cohort_field(api_field: str) -> str:
    """The clone form's field an API problem names."""
    found = COHORT_FIELDS.get(api_field, api_field.removeprefix("body."))
    return found if found in CLONE_FIELDS else ""


# ---------------------------------------------------------------------- access


class AccessRule(_View):
    """People whose directory entry meets every condition given."""

    departments: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    seniorities: tuple[str, ...] = ()
    reports_to: str | None = None


class Access(_View):
    """Who may register for a program."""

    anyone: bool = True
    everyone_active: bool = False
    rules: tuple[AccessRule, ...] = ()
    invite_list: tuple[str, ...] = ()


class AccessPreview(_View):
    """How many people may register."""

    eligible: int
    directory_active: int
    invited_outside_directory: int


def _listed(text: str) -> list[str]:
    """Comma- or line-separated items, trimmed, each once, in order."""
    items = (item.strip() for line in text.splitlines() for item in line.split(","))
    return list(dict.fromkeys(item for item in items if item))


def access_form(access: Access) -> dict[str, Any]:
    """The access form's values: the program's rules and one blank rule to add."""
    rules = [
        {
            "departments": ", ".join(rule.departments),
            "locations": ", ".join(rule.locations),
            "seniorities": list(rule.seniorities),
            "reports_to": rule.reports_to or "",
        }
        for rule in access.rules
    ]
    rules.append({"departments": "", "locations": "", "seniorities": [], "reports_to": ""})
    return {
        "who": "anyone" if access.anyone else "restricted",
        "everyone_active": access.everyone_active,
        "rules": rules[:MAX_RULES],
        "invite_list": "\n".join(access.invite_list),
    }


def access_request(form: Mapping[str, Any]) -> dict[str, Any]:
    """The registration API's participant access from the form's values.

    ``form`` holds ``who`` (anyone or restricted), ``everyone_active``, ``invite_list`` (ids,
    one a line or comma-separated) and ``rules``: each a mapping of comma-separated
    departments and locations, a list of seniorities and an employee id; blank rules are left
    out.

    Raises:
        SettingsInvalid: a seniority that is none of the levels (by the rule's field).
    """
    problems: dict[str, str] = {}
    rules: list[dict[str, Any]] = []
    for index, rule in enumerate(form.get("rules", ())):
        seniorities = [str(s) for s in rule.get("seniorities", ())]
        wrong = [s for s in seniorities if s not in SENIORITIES]
        if wrong:
            problems[f"rule_{index}_seniorities"] = "Choose among the levels shown."
        reports_to = str(rule.get("reports_to", "")).strip()
        built: dict[str, Any] = {
            "departments": _listed(str(rule.get("departments", ""))),
            "locations": _listed(str(rule.get("locations", ""))),
            "seniorities": seniorities,
            "reports_to": reports_to or None,
        }
        if built["departments"] or built["locations"] or seniorities or reports_to:
            rules.append(built)
    if problems:
        raise SettingsInvalid(problems)
    return {
        "anyone": form.get("who") != "restricted",
        "everyone_active": bool(form.get("everyone_active")),
        "rules": rules,
        "invite_list": _listed(str(form.get("invite_list", ""))),
    }


def access_field(api_field: str, rule_indexes: Sequence[int]) -> str:
    """The access form's field an API problem names.

    ``body.rules.0.reports_to`` -> ``rule_<i>_reports_to`` where ``i`` is the form's index of
    the API's rule 0 (``rule_indexes``: blank rules were left out).
    """
    parts = api_field.removeprefix("body.").split(".")
    if parts[0] == "rules" and len(parts) >= 2 and parts[1].isdigit():
        position = int(parts[1])
        index = rule_indexes[position] if position < len(rule_indexes) else position
        part = parts[2] if len(parts) > 2 and parts[2] in RULE_PARTS else "departments"
        return f"rule_{index}_{part}"
    if parts[0] in {"invite_list", "everyone_active"}:
        return parts[0]
    return ""


# ---------------------------------------------------------------------- invitations


class Invitation(_View):
    """One invitation to register."""

    invitation_id: str
    employee_id: str
    status: str
    sent_at: datetime | None = None
    reminders_sent: int = 0
    next_reminder_at: datetime | None = None
    registered_at: datetime | None = None


class InvitationResult(_View):
    """What an invitation request did."""

    invited: int
    sent: int
    pending: int
    already_invited: tuple[str, ...] = ()
    already_registered: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Funnel:
    """From invited to registered, with the reminders on the way."""

    invited: int
    sent: int
    reminded: int
    registered: int
    waiting: int
    """Invitations planned for when registration opens."""
    closed: int
    """Never answered, and registration closed."""

    @property
    def registered_share(self) -> float:
        """The share of the invited who registered (0 when nobody was invited)."""
        return self.registered / self.invited if self.invited else 0.0


def funnel(invitations: Iterable[Invitation]) -> Funnel:
    """The funnel of a program's invitations."""
    found = list(invitations)
    sent = [i for i in found if i.sent_at is not None or i.status in {"sent", "registered"}]
    return Funnel(
        invited=len(found),
        sent=len(sent),
        reminded=sum(1 for i in found if i.reminders_sent > 0),
        registered=sum(1 for i in found if i.status == "registered"),
        waiting=sum(1 for i in found if i.status == "pending"),
        closed=sum(1 for i in found if i.status == "closed"),
    )


def invitation_request(values: Mapping[str, str]) -> dict[str, Any]:
    """The invitation plan from the form: when to remind, how often.

    Raises:
        SettingsInvalid: a number that cannot be read, by its field.
    """
    problems: dict[str, str] = {}
    remind: float | None = None
    reminders = 0
    if values.get("reminders") == "yes":
        try:
            remind = float(values.get("remind_after_days", "").strip())
        except ValueError:
            problems["remind_after_days"] = "Enter a number of days, e.g. 3."
        try:
            reminders = int(values.get("max_reminders", "").strip())
        except ValueError:
            problems["max_reminders"] = "Enter a whole number, e.g. 2."
    if problems:
        raise SettingsInvalid(problems)
    return {"remind_after_days": remind, "max_reminders": reminders}


# ---------------------------------------------------------------------- what-if


@dataclass(frozen=True, slots=True)
class Change:
    """A mentee whose mentor a what-if changes."""

    mentee_participant_id: str
    mentor_before: str | None
    mentor_after: str | None


def changed_pairs(proposal: Proposal, existing: Iterable[Pair | PairRef]) -> list[Change]:
    """What a what-if proposal changes against the pairs that exist: one row per mentee.

    A mentee with a new mentor, one who loses theirs (a removed pair, no new one), one who
    gets a first mentor. Pairs the proposal keeps are no change.
    """
    before: dict[str, str] = {}
    for pair in existing:
        if isinstance(pair, Pair) and pair.status != "active":
            continue
        before[pair.mentee_participant_id] = pair.mentor_participant_id
    for removed in proposal.removed:
        before.setdefault(removed.mentee_participant_id, removed.mentor_participant_id)
    after = {
        pair.mentee_participant_id: pair.mentor_participant_id
        for pair in proposal.pairs
        if not pair.kept
    }
    kept = {pair.mentee_participant_id for pair in proposal.pairs if pair.kept}
    freed = {r.mentee_participant_id for r in proposal.removed}
    changes: list[Change] = []
    for mentee in sorted(set(after) | freed):
        if mentee in kept:
            continue
        old, new = before.get(mentee), after.get(mentee)
        if old != new:
            changes.append(Change(mentee, old, new))
    return changes


# ---------------------------------------------------------------------- health


class InactivePair(_View):
    """A pair without a session for a while."""

    pair_id: str
    days_without_session: int


class LowRating(_View):
    """A session rated low."""

    pair_id: str
    rating: int
    session_id: str


class PoorFit(_View):
    """A pair a member said is not a good fit."""

    pair_id: str
    concern: str | None = None


class OverCapacity(_View):
    """A mentor with more mentees than their capacity."""

    mentor_participant_id: str
    pairs: int
    capacity: int


class LineConflict(_View):
    """A pair with a reporting line between its members."""

    pair_id: str
    levels: int
    mentor_manages_mentee: bool


class MilestoneFlag(_View):
    """A milestone that needs attention."""

    goal_id: str
    pair_id: str | None = None
    milestone: int
    due_on: date
    days: int


class HealthReport(_View):
    """What needs a program manager's attention (analytics' health report)."""

    program_id: str
    inactive_after_days: int
    inactive_pairs: tuple[InactivePair, ...] = ()
    low_ratings: tuple[LowRating, ...] = ()
    not_a_good_fit: tuple[PoorFit, ...] = ()
    mentors_over_capacity: tuple[OverCapacity, ...] = ()
    reporting_line_conflicts: tuple[LineConflict, ...] = ()
    overdue_milestones: tuple[MilestoneFlag, ...] = ()
    milestones_at_risk: tuple[MilestoneFlag, ...] = ()


FLAG_KINDS = (
    "inactive",
    "not_a_good_fit",
    "low_rating",
    "reporting_line",
    "over_capacity",
    "overdue_milestone",
    "milestone_at_risk",
)
NEXT_STEPS = ("nudge", "end_pair", "review_pairs")
"""What a flag's next step does: nudge the pair (a message through notifications), end the
pair and re-match the mentee, or look at the mentor's pairs."""


@dataclass(frozen=True, slots=True)
class Flag:
    """One health flag: its kind, the people, what was seen and the next step."""

    kind: str
    people: tuple[str, ...]
    """Participant ids: the mentee then the mentor of a pair, or the mentor alone."""
    pair_id: str | None
    figure: int | None
    """Days without a session, the rating, the reporting-line levels, the pairs over
    capacity, the days a milestone is late or left."""
    next_step: str
    active_pair: bool

    @property
    def actionable(self) -> bool:
        """Whether a manager can still act on it: its pair runs, or it is about a mentor."""
        return self.active_pair or self.next_step == "review_pairs"


def health_flags(report: HealthReport, pairs: Iterable[Pair]) -> list[Flag]:
    """Every flag of the report with the people it names and a next step.

    Those a manager can act on first, then those of pairs that no longer run (ended since:
    kept, without a step that acts on them), each part in ``FLAG_KINDS`` order.
    """
    by_id = {pair.pair_id: pair for pair in pairs}

    def of(kind: str, pair_id: str | None, figure: int | None, step: str) -> Flag:
        pair = by_id.get(pair_id or "")
        people = (pair.mentee_participant_id, pair.mentor_participant_id) if pair else ()
        active = pair is not None and pair.status == "active"
        return Flag(kind, people, pair_id, figure, step, active)

    flags = [
        of("inactive", f.pair_id, f.days_without_session, "nudge") for f in report.inactive_pairs
    ]
    flags += [of("not_a_good_fit", f.pair_id, None, "end_pair") for f in report.not_a_good_fit]
    flags += [of("low_rating", f.pair_id, f.rating, "end_pair") for f in report.low_ratings]
    flags += [
        of("reporting_line", f.pair_id, f.levels, "end_pair")
        for f in report.reporting_line_conflicts
    ]
    flags += [
        Flag(
            "over_capacity",
            (f.mentor_participant_id,),
            None,
            f.pairs - f.capacity,
            "review_pairs",
            active_pair=False,
        )
        for f in report.mentors_over_capacity
    ]
    flags += [
        of("overdue_milestone", f.pair_id, f.days, "nudge") for f in report.overdue_milestones
    ]
    flags += [
        of("milestone_at_risk", f.pair_id, f.days, "nudge") for f in report.milestones_at_risk
    ]
    return sorted(flags, key=lambda flag: not flag.actionable)  # stable: kinds keep their order
