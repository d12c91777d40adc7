"""A form the services refused: every problem, by the form's own field, in the portal's words.

The services answer a refused request in English: 422 with one problem per field
(``{"field": "body.starts_on", "message": "Input should be a valid date"}``; the messages of
their schemas are pydantic's) and 409 with the rule's code. The portal shows neither text as
it is: `explain` recognises the services' texts it knows and gives the portal's own message
(catalogued, translated by the page) with its variables; a text it does not know is shown as
the service wrote it. `PROGRAM_LABELS` and the other ``*_LABELS`` name a form's fields as its
labels do, for messages shown away from the field (a flash, the summary above the form).
`RULE_TEXTS` says what a rule's code means.

`FormRefused` carries the problems from the use case to the page: all of them in order (for a
list) and the first of each field (shown beside it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final, Self

from portal.domain.notifications import N_

type Problem = tuple[str, str]
"""(the form's field, or "" for the whole form; the message)."""

_NUMBER = r"(?P<limit>-?\d+(?:\.\d+)?)"
SERVICE_TEXTS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (r"^Field required$", N_("Fill this in.")),
        (r"^String should have at least 1 character$", N_("Fill this in.")),
        (r"^String should have at most 1 character$", N_("Use at most one character.")),
        (
            r"^String should have at least (?P<limit>\d+) characters?$",
            N_("Use at least %(limit)s characters."),
        ),
        (
            r"^String should have at most (?P<limit>\d+) characters?$",
            N_("Use at most %(limit)s characters."),
        ),
        (r"^String should match pattern", N_("This is not in the expected form.")),
        (rf"^Input should be greater than or equal to {_NUMBER}$", N_("Give %(limit)s or more.")),
        (rf"^Input should be less than or equal to {_NUMBER}$", N_("Give %(limit)s or less.")),
        (rf"^Input should be greater than {_NUMBER}$", N_("Give more than %(limit)s.")),
        (rf"^Input should be less than {_NUMBER}$", N_("Give less than %(limit)s.")),
        (r"^Input should be a valid integer", N_("Give a whole number.")),
        (r"^Input should be a valid number", N_("Give a number.")),
        (r"^Input should be a valid date", N_("Give a date.")),
        (r"^Input should be a valid boolean", N_("Answer yes or no.")),
        (
            r"^Input should be (?:'[^']*'(?:, | or ))*'[^']*'$",
            N_("Choose one of the options shown."),
        ),
        (r"^value is not a valid email address", N_("Give a valid e-mail address.")),
        (r"^List should have at least (?P<limit>\d+) items?", N_("Give at least %(limit)s.")),
        (r"^List should have at most (?P<limit>\d+) items?", N_("Give at most %(limit)s.")),
    )
)
"""The services' refusal texts the portal knows, and the message it shows for each."""

REFUSED_WITHOUT_REASON: Final = N_("The request was refused; nothing was changed.")
"""What a refusal says when the service gave no reason the portal can show."""

_VALUE_ERROR = "Value error, "

PROGRAM_LABELS: Final[Mapping[str, str]] = {
    "name": N_("Name"),
    "goal": N_("Goal"),
    "goal_detail": N_("The goal in a sentence"),
    "key_result_description": N_("Key result"),
    "key_result_target": N_("Target (%)"),
    "format": N_("Format"),
    "cadence": N_("Pairs meet"),
    "matching_mode": N_("How pairs are formed"),
    "time_zone": N_("Time zone"),
    "registration_opens_on": N_("Registration opens"),
    "registration_closes_on": N_("Registration closes"),
    "starts_on": N_("Program starts"),
    "ends_on": N_("Program ends"),
}
"""The program's settings form's fields, as its labels say them (console/program_form.html)."""
INVITATION_LABELS: Final[Mapping[str, str]] = {
    "reminders": N_("Remind those who do not register"),
    "remind_after_days": N_("Remind after (days)"),
    "max_reminders": N_("At most this many reminders"),
}
"""The invitations form's fields (console/access.html)."""
MENTOR_CHOICE_LABELS: Final[Mapping[str, str]] = {
    "preferred_mentors": N_("Your choices, best first"),
}
"""The mentor choice form's fields (mentors.html)."""

RULE_TEXTS: Final[Mapping[str, str]] = {
    "registration_not_open": N_("Registration for this program is not open yet."),
    "registration_closed": N_("Registration for this program is closed."),
    "program_closed": N_("The program is closed; it no longer changes."),
}
"""What the services' rule codes mean, for a refusal the portal has no better words for."""


def explain(text: str) -> tuple[str, dict[str, str]]:
    """The portal's message for a service's refusal ``text``, with its variables.

    A text the portal does not know comes back as it is (with no variables).
    """
    text = text.strip()
    if text.startswith(_VALUE_ERROR):  # a schema's own check: its text follows
        text = text.removeprefix(_VALUE_ERROR)
    for pattern, message in SERVICE_TEXTS:
        if found := pattern.match(text):
            return message, {name: value for name, value in found.groupdict().items() if value}
    return text, {}


def path_field(path: str) -> str:
    """The form field a service's problem path names: its last part that is not an index.

    ``body.title`` is ``title``; ``body.preferred_mentors.1`` is ``preferred_mentors``.
    """
    parts = [part for part in path.split(".") if part and not part.isdigit()]
    return parts[-1] if len(parts) > 1 or (parts and parts[0] != "body") else ""


def first_by_field(problems: Sequence[Problem]) -> dict[str, str]:
    """The first problem of each field, in order (what is shown beside each field)."""
    found: dict[str, str] = {}
    for field, message in problems:
        found.setdefault(field, message)
    return found


class FormRefused(Exception):  # noqa: N818 - names the situation
    """A form was refused: ``problems`` in order, ``by_field`` the first of each form field."""

    def __init__(self, by_field: Mapping[str, str], problems: Sequence[Problem] = ()) -> None:
        self.by_field = dict(by_field)
        self.problems: tuple[Problem, ...] = tuple(problems) or tuple(self.by_field.items())
        super().__init__(f"refused: {', '.join(name or '(form)' for name in self.by_field)}")

    @classmethod
    def of(cls, refused: Iterable[Problem], field: Callable[[str], str]) -> Self:
        """A service's 422 problems, each path named as the form's ``field`` ("" stays "")."""
        problems = [(field(path) if path else "", message) for path, message in refused]
        return cls(first_by_field(problems), problems)
