"""A refused form's problems in the reader's language: beside each field, or as a list.

The one place the pages turn the services' refusals (and the portal's own catalogued ones)
into text; `portal.domain.refusals` says which texts and codes the portal knows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from mentorship_kit.errors import InvalidInputError, RuleError
from portal.domain.refusals import (
    REFUSED_WITHOUT_REASON,
    RULE_TEXTS,
    FormRefused,
    Problem,
    explain,
    path_field,
)
from portal.entrypoints.http.i18n import Translator

NO_LABELS: Mapping[str, str] = MappingProxyType({})


def refusal_text(translator: Translator, text: str) -> str:
    """One problem's message: the portal's words for a text it knows, else the text itself."""
    if not text:
        return ""
    message, variables = explain(text)
    return translator.gettext(message, **variables)


def field_errors(translator: Translator, by_field: Mapping[str, str]) -> dict[str, str]:
    """Each field's message, translated (shown beside the field, which names it)."""
    return {field: refusal_text(translator, message) for field, message in by_field.items()}


def refused_fields(
    translator: Translator,
    refused: InvalidInputError,
    field: Callable[[str], str] = path_field,
) -> dict[str, str]:
    """A 422's first problem of each form field (``field`` names a path's), translated.

    A problem naming no field of the form is under "" (shown in the summary alone).
    """
    return field_errors(translator, FormRefused.of(refused.problems, field).by_field)


def problem_lines(
    translator: Translator, problems: Iterable[Problem], labels: Mapping[str, str] = NO_LABELS
) -> list[str]:
    """Every problem as a line of a list, naming its field as the form's ``labels`` do.

    A field with no label is not named; the same line is given once.
    """
    lines: list[str] = []
    for field, text in problems:
        message = refusal_text(translator, text)
        if not message:
            continue
        if label := labels.get(field):
            message = translator.gettext(
                "%(label)s: %(text)s", label=translator.gettext(label), text=message
            )
        if message not in lines:
            lines.append(message)
    return lines


def rule_text(translator: Translator, refused: RuleError) -> str:
    """A rule's refusal: the portal's words for its code, else its (catalogued) message."""
    if known := RULE_TEXTS.get(refused.code):
        return translator.gettext(known)
    return translator.gettext(str(refused)) if str(refused) else ""


def refusal_lines(
    translator: Translator, refused: Exception, labels: Mapping[str, str] = NO_LABELS
) -> list[str]:
    """What any refusal says, as a list's lines: a rule's, each problem of a form or a 422.

    ``labels`` name the form's fields (see `problem_lines`). Never empty: a refusal with no
    text says it was refused.
    """
    if isinstance(refused, RuleError):
        lines = [rule_text(translator, refused)]
    elif isinstance(refused, FormRefused):
        lines = problem_lines(translator, refused.problems, labels)
    elif isinstance(refused, InvalidInputError):
        problems = [(path_field(path), message) for path, message in refused.problems]
        lines = problem_lines(translator, problems, labels)
    else:
        lines = [translator.gettext(str(refused))]
    return [line for line in lines if line] or [translator.gettext(REFUSED_WITHOUT_REASON)]


def translated_labels(translator: Translator, labels: Mapping[str, str]) -> dict[str, str]:
    """A form's ``labels`` in the reader's language (for its error summary)."""
    return {field: translator.gettext(label) for field, label in labels.items()}
