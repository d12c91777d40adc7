"""What the program manager's console reads from the services, and the rules of its pages.

Like `portal.domain.models`, only the fields the pages use are declared. The functions are
pure: filtering the registrations table, writing it as CSV, reading the wizard's form into a
program, the bars of a proposed pair's score.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class KeyResult(_View):
    """The measurable result a program is run for."""

    description: str
    metric: str
    target: float


class AgendaItem(_View):
    """One part of the sessions' planned content."""

    title: str
    notes: str = ""
    session: int | None = None


class ManagedProgram(_View):
    """A program as its manager sees it."""

    program_id: str
    name: str
    goal: str
    goal_detail: str = ""
    key_result: KeyResult
    format: str
    starts_on: date
    ends_on: date
    cadence: str
    session_minutes: int = 60
    time_zone: str = "UTC"
    registration_opens_at: datetime
    registration_closes_at: datetime
    matching_mode: str
    auto_approve_matches: bool = False
    lifecycle: str
    registration_status: str
    questionnaire_version: int = 1
    agenda: tuple[AgendaItem, ...] = ()
    cloned_from: str | None = None
    matching: dict[str, Any] = Field(default_factory=dict)


class LaunchStep(_View):
    """One step of registration's launch checklist."""

    step: str
    title: str
    done: bool
    missing: tuple[str, ...] = ()


class Launch(_View):
    """The launch checklist of a program."""

    program_id: str
    lifecycle: str
    steps: tuple[LaunchStep, ...]
    steps_left: int

    @property
    def next_step(self) -> LaunchStep | None:
        """The first step not done, if any."""
        return next((step for step in self.steps if not step.done), None)


class RegistrationRow(_View):
    """One registration in the program's table."""

    participant_id: str
    employee_id: str
    name: str
    email: str
    department: str | None = None
    status: str
    role: str
    capacity: int = 0
    registered_at: datetime


class ImportProblem(_View):
    """One refused row of a CSV import: the file's line, the field, why."""

    row: int
    field: str = ""
    message: str

    @property
    def field_name(self) -> str:
        """The field as the file names it (``body.answers.capacity`` -> ``capacity``)."""
        return self.field.removeprefix("body.").removeprefix("answers.")


class ImportResult(_View):
    """What an import did."""

    rows: int
    registered: int
    updated: int
    unchanged: int
    failed: int
    errors: tuple[ImportProblem, ...] = ()


class PairRef(_View):
    """A mentor and a mentee, by participant id."""

    mentor_participant_id: str
    mentee_participant_id: str


class RunSummary(_View):
    """A finished run's figures."""

    solver_status: str
    mentees_considered: int
    mentors_considered: int
    mentees_matched: int
    unmatched: int
    removed_pairs: int = 0
    parts: int = 1


class Run(_View):
    """A matching run."""

    run_id: str
    program_id: str
    kind: str
    status: str
    stage: str
    requested_at: datetime
    finished_at: datetime | None = None
    pins: tuple[PairRef, ...] = ()
    forbids: tuple[PairRef, ...] = ()
    max_changes: int | None = None
    summary: RunSummary | None = None
    error: str | None = None

    @property
    def active(self) -> bool:
        """Still queued, running or being approved."""
        return self.status in {"queued", "running", "approving"}


class ProposedPair(_View):
    """One pair a run proposes, its score explained per criterion."""

    mentor_participant_id: str
    mentee_participant_id: str
    score: float
    contributions: dict[str, float] = Field(default_factory=dict)
    pinned: bool = False
    kept: bool = False


class Unmatched(_View):
    """Someone a run left unmatched, and why."""

    participant_id: str
    role: str
    reason: str
    detail: str = ""


class Proposal(_View):
    """One part of a run's proposal."""

    run_id: str
    part: int
    parts: int
    pairs: tuple[ProposedPair, ...]
    unmatched: tuple[Unmatched, ...]
    removed: tuple[PairRef, ...] = ()


class WhyNot(_View):
    """Why a mentee and a mentor are not paired."""

    mentee_participant_id: str
    mentor_participant_id: str
    paired: bool
    can_be_paired: bool
    reasons: tuple[str, ...] = ()
    score: float | None = None
    contributions: dict[str, float] | None = None
    mentee_partner: str | None = None
    mentee_partner_score: float | None = None
    objective: float | None = None
    objective_with_pair: float | None = None
    summary: str = ""


class Pair(_View):
    """A pair the program made."""

    pair_id: str
    mentor_participant_id: str
    mentee_participant_id: str
    status: str = "active"
    score: float | None = None
    created_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    is_rematch: bool = False


# ---------------------------------------------------------------------- the wizard's form


GOALS = (
    "leadership_development",
    "onboarding",
    "diversity_and_inclusion",
    "career_development",
    "retention",
    "culture",
    "knowledge_transfer",
    "other",
)
FORMATS = ("one_on_one", "peer", "reverse", "flash")
CADENCES = ("weekly", "biweekly", "monthly")
MATCHING_MODES = ("admin_led", "mentee_choice", "both")
SETTINGS_FIELDS = (
    "name",
    "goal",
    "goal_detail",
    "key_result_description",
    "key_result_target",
    "format",
    "cadence",
    "matching_mode",
    "starts_on",
    "ends_on",
    "registration_opens_on",
    "registration_closes_on",
    "time_zone",
    "auto_approve_matches",
)


def default_settings(today: date) -> dict[str, str]:
    """What the wizard's first step proposes.

    Registration for three weeks from today, the program for six months from four weeks on,
    admin-led matching.
    """
    starts = today + timedelta(days=28)
    return {
        "name": "",
        "goal": "career_development",
        "goal_detail": "",
        "key_result_description": "80% of mentees hold 6 sessions",
        "key_result_target": "80",
        "format": "one_on_one",
        "cadence": "biweekly",
        "matching_mode": "admin_led",
        "starts_on": starts.isoformat(),
        "ends_on": (starts + timedelta(days=182)).isoformat(),
        "registration_opens_on": today.isoformat(),
        "registration_closes_on": (today + timedelta(days=21)).isoformat(),
        "time_zone": "UTC",
        "auto_approve_matches": "",
    }


def settings_of(program: ManagedProgram) -> dict[str, str]:
    """A program's settings as the form shows them."""
    return {
        "name": program.name,
        "goal": program.goal,
        "goal_detail": program.goal_detail,
        "key_result_description": program.key_result.description,
        "key_result_target": f"{program.key_result.target * 100:g}",
        "format": program.format,
        "cadence": program.cadence,
        "matching_mode": program.matching_mode,
        "starts_on": program.starts_on.isoformat(),
        "ends_on": program.ends_on.isoformat(),
        "registration_opens_on": program.registration_opens_at.date().isoformat(),
        "registration_closes_on": program.registration_closes_at.date().isoformat(),
        "time_zone": program.time_zone,
        "auto_approve_matches": "yes" if program.auto_approve_matches else "",
    }


class SettingsInvalid(ValueError):  # noqa: N818 - names the situation
    """The form's values cannot be read; ``problems`` by form field."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = dict(problems)


def _day(values: Mapping[str, str], name: str, problems: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(values.get(name, "").strip())
    except ValueError:
        problems[name] = "Enter a date (YYYY-MM-DD)."
        return None


def program_request(values: Mapping[str, str], now: datetime) -> dict[str, Any]:
    """The registration API's program body from the form's values.

    Registration opens at the start of its first day (now, when that is today) and closes at
    the end of its last day, both in UTC; the key result's target is a percentage.

    Raises:
        SettingsInvalid: a date or the target cannot be read (the API checks the rest).
    """
    problems: dict[str, str] = {}
    opens = _day(values, "registration_opens_on", problems)
    closes = _day(values, "registration_closes_on", problems)
    starts = _day(values, "starts_on", problems)
    ends = _day(values, "ends_on", problems)
    try:
        target = float(values.get("key_result_target", "").strip().rstrip("%")) / 100
    except ValueError:
        problems["key_result_target"] = "Enter a percentage, e.g. 80."
        target = 0.0
    if problems or opens is None or closes is None or starts is None or ends is None:
        raise SettingsInvalid(problems)
    opens_at = datetime.combine(opens, time(), UTC)
    if opens == now.date():
        opens_at = now.replace(microsecond=0)
    return {
        "name": values.get("name", "").strip(),
        "goal": values.get("goal", ""),
        "goal_detail": values.get("goal_detail", "").strip(),
        "key_result": {
            "description": values.get("key_result_description", "").strip(),
            "metric": "mentees_with_6_sessions_share",
            "target": target,
        },
        "format": values.get("format", ""),
        "cadence": values.get("cadence", ""),
        "matching_mode": values.get("matching_mode", ""),
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat(),
        "registration_opens_at": opens_at.isoformat(),
        "registration_closes_at": datetime.combine(closes, time(23, 59, 59), UTC).isoformat(),
        "time_zone": values.get("time_zone", "").strip() or "UTC",
        "auto_approve_matches": values.get("auto_approve_matches") == "yes",
    }


API_FIELDS: Mapping[str, str] = {
    "body.key_result.description": "key_result_description",
    "body.key_result.target": "key_result_target",
    "body.key_result": "key_result_description",
    "body.registration_opens_at": "registration_opens_on",
    "body.registration_closes_at": "registration_closes_on",
}


def form_field(api_field: str) -> str:
    """The form field an API problem names (``body.starts_on`` -> ``starts_on``)."""
    return API_FIELDS.get(api_field, api_field.removeprefix("body."))


def agenda_items(text: str) -> list[dict[str, Any]]:
    """The agenda from a text area: one session's topic per non-empty line, in order."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [{"title": title[:200], "session": n} for n, title in enumerate(lines, start=1)]


# ---------------------------------------------------------------------- registrations


@dataclass(frozen=True, slots=True)
class RegistrationFilter:
    """What the registrations table is narrowed to (empty: no narrowing)."""

    search: str = ""
    role: str = ""
    department: str = ""
    status: str = ""

    def keeps(self, row: RegistrationRow) -> bool:
        """Whether ``row`` is shown."""
        needle = self.search.strip().casefold()
        if needle and not any(
            needle in value.casefold() for value in (row.name, row.email, row.employee_id)
        ):
            return False
        if self.role and row.role != self.role:
            return False
        if self.department and (row.department or "") != self.department:
            return False
        return not (self.status and row.status != self.status)

    @property
    def active(self) -> bool:
        """Whether anything narrows the table."""
        return bool(self.search.strip() or self.role or self.department or self.status)


def departments(rows: Iterable[RegistrationRow]) -> list[str]:
    """The departments of ``rows``, sorted, without duplicates."""
    return sorted({row.department for row in rows if row.department}, key=str.casefold)


CSV_COLUMNS = (
    "employee_id",
    "name",
    "email",
    "department",
    "role",
    "capacity",
    "status",
    "registered_at",
)


def registrations_csv(rows: Sequence[RegistrationRow]) -> str:
    """``rows`` as CSV, one line each, the columns of `CSV_COLUMNS`.

    A cell starting with ``=``, ``+``, ``-`` or ``@`` is prefixed with ``'`` so that a
    spreadsheet never runs it as a formula.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells = (
            row.employee_id,
            row.name,
            row.email,
            row.department or "",
            row.role,
            str(row.capacity),
            row.status,
            row.registered_at.isoformat(),
        )
        writer.writerow([_inert(cell) for cell in cells])
    return out.getvalue()


def _inert(cell: str) -> str:
    return f"'{cell}" if cell[:1] in {"=", "+", "-", "@"} else cell


# ---------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class Bar:
    """One criterion's share of a pair's score, as a bar."""

    criterion: str
    value: float
    maximum: float


def score_bars(contributions: Mapping[str, float], maxima: Mapping[str, float]) -> list[Bar]:
    """A bar per criterion, in the order of ``maxima``.

    Each bar is against the highest contribution of that criterion in the proposal, so the
    bars compare pairs.
    """
    return [
        Bar(name, round(contributions.get(name, 0.0), 3), maximum)
        for name, maximum in maxima.items()
    ]


def criterion_maxima(pairs: Iterable[ProposedPair]) -> dict[str, float]:
    """The highest contribution of each criterion over ``pairs``.

    Criteria in the order of `WEIGHTS` (the weightiest first), any other after them by name;
    a criterion never above zero gets 1, so its bars stay empty.
    """
    highest: dict[str, float] = {}
    for pair in pairs:
        for name, value in pair.contributions.items():
            highest[name] = max(highest.get(name, 0.0), value)
    order = sorted(highest, key=lambda n: (WEIGHTS.index(n) if n in WEIGHTS else len(WEIGHTS), n))
    return {name: (highest[name] if highest[name] > 0 else 1.0) for name in order}


PROPOSAL_SORTS = ("score", "-score", "mentee", "mentor")


def sort_pairs(
    pairs: Sequence[ProposedPair], order: str, names: Mapping[str, str]
) -> list[ProposedPair]:
    """``pairs`` in the table's order.

    ``-score`` (best first, the default), ``score``, ``mentee`` or ``mentor`` (by name).
    """
    if order == "score":
        return sorted(pairs, key=lambda p: p.score)
    if order == "mentee":
        return sorted(pairs, key=lambda p: names.get(p.mentee_participant_id, "").casefold())
    if order == "mentor":
        return sorted(pairs, key=lambda p: names.get(p.mentor_participant_id, "").casefold())
    return sorted(pairs, key=lambda p: -p.score)


# ---------------------------------------------------------------------- questionnaire

QUESTION_KINDS = ("single_choice", "multiple_choice", "number", "scale", "free_text")
MEANINGS = (
    "role",
    "capacity",
    "seniority",
    "years_experience",
    "years_in_role",
    "discipline",
    "disciplines_experienced",
    "preferred_mentor_disciplines",
    "skills_wanted",
    "skills_offered",
    "goals_wanted",
    "goals_achieved",
    "interests",
    "languages",
    "locations",
    "time_zone",
)
"""Every meaning registration's questionnaires know (registration checks each one's kind)."""
QUESTION_FIELDS = (
    "prompt",
    "key",
    "help",
    "kind",
    "choices",
    "required",
    "meaning",
    "minimum",
    "maximum",
    "integer",
    "max_selections",
    "max_length",
)
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A key made of ``text``: lower case letters, digits and ``_`` (at most 64)."""
    return _SLUG.sub("_", text.casefold()).strip("_")[:64] or "choice"


def _bound(values: Mapping[str, str], name: str, problems: dict[str, str]) -> float | None:
    raw = values.get(name, "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        problems[name] = "Enter a number."
        return None
    return int(number) if number.is_integer() else number


def _choices(values: Mapping[str, str], problems: dict[str, str]) -> list[dict[str, str]]:
    """Choices one per line: ``Label`` (key made from it) or ``key = Label`` (key kept)."""
    choices: list[dict[str, str]] = []
    for line in values.get("choices", "").splitlines():
        text = line.strip()
        if not text:
            continue
        key, sep, label = text.partition(" = ")
        if sep and key.strip() and label.strip():
            choices.append({"key": key.strip(), "label": label.strip()})
        else:
            choices.append({"key": slug(text), "label": text})
    if len(choices) < 2:
        problems["choices"] = "Give at least two choices, one per line."
    return choices


def _kind_settings(
    kind: str, values: Mapping[str, str], problems: dict[str, str]
) -> dict[str, Any]:
    """What a question of ``kind`` takes beyond its prompt: choices, bounds, limits."""
    settings: dict[str, Any] = {}
    if kind in {"single_choice", "multiple_choice"}:
        settings["choices"] = _choices(values, problems)
    if kind == "multiple_choice" and (most := _bound(values, "max_selections", problems)):
        settings["max_selections"] = most
    if kind == "scale":
        low = _bound(values, "minimum", problems)
        high = _bound(values, "maximum", problems)
        settings |= {
            "minimum": 1 if low is None else low,
            "maximum": 5 if high is None else high,
            "integer": True,
        }
    if kind == "number":
        for name in ("minimum", "maximum"):
            if (found := _bound(values, name, problems)) is not None:
                settings[name] = found
        settings["integer"] = values.get("integer") == "yes"
    if kind == "free_text" and (longest := _bound(values, "max_length", problems)):
        settings["max_length"] = longest
    return settings


def new_question(values: Mapping[str, str], shown_if: Sequence[str]) -> dict[str, Any]:
    """A question of the registration API from the editor's form.

    Choices are one per line (their key made from the label, or given as ``key = Label``);
    ``shown_if`` holds ``question:choice`` values, all of one question, that show the new
    question. Numbers and scales take their bounds, multiple choices a most to choose,
    free text a longest answer.

    Raises:
        SettingsInvalid: a problem the form can name before the API is asked.
    """
    problems: dict[str, str] = {}
    prompt = values.get("prompt", "").strip()
    if not prompt:
        problems["prompt"] = "Write the question."
    kind = values.get("kind", "")
    if kind not in QUESTION_KINDS:
        problems["kind"] = "Choose how the question is answered."
    question: dict[str, Any] = {
        "key": slug(values.get("key", "").strip() or prompt),
        "prompt": prompt,
        "help": values.get("help", "").strip(),
        "kind": kind,
        "required": values.get("required") == "yes",
    }
    question |= _kind_settings(kind, values, problems)
    meaning = values.get("meaning", "")
    if meaning:
        if meaning not in MEANINGS:
            problems["meaning"] = "Choose what the answer means to matching."
        question["meaning"] = meaning
    conditions = [item.split(":", 1) for item in shown_if if ":" in item]
    if conditions:
        sources = {source for source, _ in conditions}
        if len(sources) > 1:
            problems["show_if"] = "Choose answers of one question only."
        question["show_if"] = {
            "question": conditions[0][0],
            "any_of": [choice for _, choice in conditions],
        }
    if problems:
        raise SettingsInvalid(problems)
    return question


def question_form(question: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """A question as the editor's form shows it, and its branching as ``question:choice``."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        return f"{value:g}" if isinstance(value, float) else str(value)

    choices = question.get("choices") or []
    values = {
        "prompt": str(question.get("prompt", "")),
        "key": str(question.get("key", "")),
        "help": str(question.get("help", "")),
        "kind": str(question.get("kind", "")),
        "choices": "\n".join(f"{c['key']} = {c['label']}" for c in choices),
        "required": "yes" if question.get("required") else "",
        "meaning": str(question.get("meaning") or ""),
        "minimum": text(question.get("minimum")),
        "maximum": text(question.get("maximum")),
        "integer": "yes" if question.get("integer") else "",
        "max_selections": text(question.get("max_selections")),
        "max_length": text(question.get("max_length"))
        if question.get("kind") == "free_text"
        else "",
    }
    condition = question.get("show_if") or {}
    shown_if = [f"{condition['question']}:{key}" for key in condition.get("any_of", [])]
    return values, shown_if


MEANING_FEEDS: Mapping[str, str] = {
    "role": "role",
    "capacity": "capacity",
    "seniority": "seniority",
    "years_experience": "profile",
    "years_in_role": "profile",
    "discipline": "discipline",
    "disciplines_experienced": "discipline",
    "preferred_mentor_disciplines": "discipline",
    "skills_wanted": "skills",
    "skills_offered": "skills",
    "goals_wanted": "goals",
    "goals_achieved": "goals",
    "interests": "interests",
    "languages": "language_rule",
    "locations": "location",
    "time_zone": "time_zone",
}
"""What each meaning feeds in matching: a criterion of `WEIGHTS`, a rule, or who is who.

``role`` says who is a mentor and who a mentee, ``capacity`` how many mentees a mentor
takes, ``language_rule`` the shared-language hard rule; ``profile``: kept with the
registration, no criterion reads it.
"""


def question_field(api_field: str) -> str:
    """The editor's field an API problem names (``body.questions.17.prompt`` -> ``prompt``)."""
    parts = api_field.split(".")
    known = {*QUESTION_FIELDS, "show_if"} - {"required", "integer"}
    return next((part for part in reversed(parts) if part in known), "")


# ---------------------------------------------------------------------- matching settings

WEIGHTS = ("skills", "goals", "discipline", "interests", "seniority", "location", "time_zone")
FLAG_RULES = ("require_shared_language", "in_person_required", "maximise_worst_pair")


def matching_form(settings: Mapping[str, Any]) -> dict[str, str]:
    """A program's ``matching`` settings as the form shows them (shares as percentages)."""
    weights = settings.get("weights") or {}
    rules = settings.get("rules") or {}

    def text(value: Any) -> str:
        return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    share = rules.get("min_cross_department_share")
    return {
        **{f"weight_{name}": text(float(weights.get(name, 0.0))) for name in WEIGHTS},
        "max_time_zone_gap_hours": text(rules.get("max_time_zone_gap_hours")),
        "reporting_line_depth": text(rules.get("reporting_line_depth", 2)),
        "min_cross_department_share": "" if share is None else f"{share * 100:g}",
        "max_pairs_per_department": text(rules.get("max_pairs_per_department")),
        **{name: "yes" if rules.get(name) else "" for name in FLAG_RULES},
    }


def matching_request(values: Mapping[str, str], current: Mapping[str, Any]) -> dict[str, Any]:
    """The ``matching`` settings to PATCH from the form (other rules kept as they are).

    Raises:
        SettingsInvalid: a number cannot be read (the API checks the ranges).
    """
    problems: dict[str, str] = {}

    def number(name: str, *, optional: bool = False) -> float | None:
        raw = values.get(name, "").strip().replace(",", ".")
        if not raw and optional:
            return None
        try:
            return float(raw)
        except ValueError:
            problems[name] = "Enter a number."
            return None

    weights = {name: number(f"weight_{name}") for name in WEIGHTS}
    gap = number("max_time_zone_gap_hours", optional=True)
    depth = number("reporting_line_depth")
    share = number("min_cross_department_share", optional=True)
    per_department = number("max_pairs_per_department", optional=True)
    if problems:
        raise SettingsInvalid(problems)
    rules = dict(current.get("rules") or {}) | {
        "max_time_zone_gap_hours": gap,
        "reporting_line_depth": int(depth or 0),
        "min_cross_department_share": None if share is None else share / 100,
        "max_pairs_per_department": None if per_department is None else int(per_department),
        **{name: values.get(name) == "yes" for name in FLAG_RULES},
    }
    return {"weights": weights, "rules": rules}


def matching_field(api_field: str) -> str:
    """The form field an API problem names (``...weights.skills`` -> ``weight_skills``)."""
    parts = api_field.split(".")
    if "weights" in parts and parts[-1] in WEIGHTS:
        return f"weight_{parts[-1]}"
    return parts[-1]
