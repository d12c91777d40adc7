"""Messages rendered with Jinja2 from the template files, in each reader's language.

Strings are translated through gettext catalogues (``locale/<language>/LC_MESSAGES/
messages.po``, read with Babel at start-up).

Each kind has three files in ``templates/``: ``<kind>.subject.txt``, ``<kind>.txt`` (the
plain-text part) and ``<kind>.html`` (the HTML part, which extends ``base.html`` for the
program's branding). Strings to translate are marked ``{% trans %}`` / ``_()``; the English
text is the msgid, so English needs no catalogue.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from mentorship_kit.typography import hold_day_to_month
from notifications.domain.kinds import Kind
from notifications.domain.preferences import LANGUAGES

PACKAGE = "notifications"
BLANK_LINES = re.compile(r"\n{3,}")
BREAKING_SPACES = re.compile(r"[^\S\u00a0\u202f]+")
"""White space a subject collapses, line and record separators included (left in, they would
break the header): all of it but the no-break spaces French typography puts in."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message's subject and its two bodies."""

    subject: str
    text: str
    html: str
    action: str
    """The label of its button (the e-mail's, a chat message's)."""


def load_translations(language: str) -> NullTranslations:
    """The gettext catalogue of ``language`` (English: the msgids themselves)."""
    source = resources.files(PACKAGE) / "locale" / language / "LC_MESSAGES" / "messages.po"
    if not source.is_file():
        return NullTranslations()
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


class Templates:
    """Renders each kind of message in each language."""

    def __init__(self) -> None:
        folder = str(resources.files(PACKAGE) / "templates")
        self._environments: dict[str, Environment] = {}
        self._translations: dict[str, NullTranslations] = {}
        for language in LANGUAGES:
            translations = load_translations(language)
            self._translations[language] = translations
            environment = Environment(
                loader=FileSystemLoader(folder),
                autoescape=select_autoescape(["html"]),
                undefined=StrictUndefined,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            environment.install_gettext_translations(  # type: ignore[attr-defined]
                translations, newstyle=True
            )
            environment.filters["when"] = _when_filter(language)
            environment.filters["number"] = _number_filter(language)
            environment.filters["percent"] = _percent_filter(language)
            environment.globals["language"] = language
            self._environments[language] = environment

    def render(self, kind: Kind, language: str, context: dict[str, Any]) -> Rendered:
        """Subject, text and HTML of a message of ``kind`` in ``language``."""
        environment = self._environments.get(language) or self._environments["en"]
        subject = environment.get_template(f"{kind.value}.subject.txt").render(context)
        actions = environment.get_template("_action.txt").module
        return Rendered(
            subject=BREAKING_SPACES.sub(" ", subject).strip(" "),
            text=_paragraphs(environment.get_template(f"{kind.value}.txt").render(context)),
            html=environment.get_template(f"{kind.value}.html").render(context),
            action=str(actions.label(kind.value)).strip(),  # type: ignore[attr-defined]
        )

    def translate(self, language: str, message: str, **values: object) -> str:
        """``message`` (a msgid) in ``language``, its ``%(name)s`` filled from ``values``."""
        translations = self._translations.get(language) or self._translations["en"]
        return translations.gettext(message) % values

    def render_chat(self, kind: Kind, language: str, context: dict[str, Any]) -> tuple[str, str]:
        """The title and plain text of a chat message of ``kind``."""
        rendered = self.render(kind, language, context)
        return rendered.subject, rendered.text


def _paragraphs(text: str) -> str:
    """Plain text with one blank line at most between paragraphs.

    No trailing spaces either, except the signature delimiter's (``-- ``).
    """
    lines = [line if line == "-- " else line.rstrip() for line in text.strip().split("\n")]
    return BLANK_LINES.sub("\n\n", "\n".join(lines)) + "\n"


def _when_filter(language: str) -> Any:
    def when(moment: datetime | str, zone: str = "UTC") -> str:
        instant = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
        local = instant.astimezone(ZoneInfo(zone))
        text = format_datetime(local, "EEEE d MMMM y, HH:mm", locale=language)
        return f"{hold_day_to_month(text, language)} ({zone})"

    return when


def _number_filter(language: str) -> Any:
    def number(value: int) -> str:
        """French groups thousands with U+202F ("5\u202f000"); English stays as it was ("5000")."""
        return format_decimal(value, locale=language) if language == "fr" else str(value)

    return number


def _percent_filter(language: str) -> Any:
    def percent(value: int) -> str:
        """A whole percentage: "72%" in English, "72\u00a0%" in French."""
        return format_percent(value / 100, locale=language) if language == "fr" else f"{value}%"

    return percent
