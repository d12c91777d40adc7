"""Languages: every user-facing text goes through gettext catalogues (Babel).

The catalogues are the ``.po`` files in ``portal/translations``; they are compiled in memory
at start-up, so no compiled file can go stale. The language is the one the person chose (kept
in the session), else the best match of their browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.core import UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_percent
from markupsafe import Markup

from mentorship_kit.typography import hold_day_to_month

LANGUAGES: Mapping[str, str] = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
CATALOGUES = Path(__file__).resolve().parents[2] / "translations"


def load_translations(directory: Path = CATALOGUES) -> dict[str, gettext.NullTranslations]:
    """Every language's translations (English: the messages themselves)."""
    loaded: dict[str, gettext.NullTranslations] = {DEFAULT_LANGUAGE: gettext.NullTranslations()}
    for language in LANGUAGES:
        po = directory / language / "LC_MESSAGES" / "messages.po"
        if language == DEFAULT_LANGUAGE or not po.is_file():
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        loaded[language] = gettext.GNUTranslations(compiled)
    return loaded


def negotiate(accept_language: str) -> str:
    """The supported language the ``Accept-Language`` header prefers."""
    weighted: list[tuple[float, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((quality - index * 1e-6, tag.strip().lower().split("-")[0]))
    for _, language in sorted(weighted, reverse=True):
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Translator:
    """Texts, dates and numbers in one language."""

    language: str
    translations: gettext.NullTranslations

    def gettext(self, message: str, **variables: Any) -> str:
        """``message`` translated, with ``%(name)s`` placeholders filled."""
        text = self.translations.gettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, n: int, **variables: Any) -> str:
        """The singular or plural form for ``n`` (``%(num)d`` is ``n``)."""
        text = self.translations.ngettext(singular, plural, n)
        return text % {"num": n, **variables}

    def jinja_callables(self) -> dict[str, Callable[..., Any]]:
        """``gettext``/``_``/``ngettext`` for templates (escaping the variables)."""

        def template_gettext(message: str, **variables: Any) -> Markup:
            text = Markup(self.translations.gettext(message))  # noqa: S704 - our catalogue
            return text % variables if variables else text

        def template_ngettext(singular: str, plural: str, n: int, **variables: Any) -> Markup:
            text = Markup(self.translations.ngettext(singular, plural, n))  # noqa: S704
            return text % {"num": n, **variables}

        return {"gettext": template_gettext, "_": template_gettext, "ngettext": template_ngettext}

    def when(self, moment: datetime, time_zone: str | None = None) -> str:
        """A date and time, in ``time_zone`` (else as given), e.g. "Monday 4 January, 10:00"."""
        zone = _zone(time_zone)
        local = moment.astimezone(zone) if zone else moment
        text = format_datetime(local, "EEEE d MMMM y, HH:mm", locale=Locale.parse(self.language))
        return hold_day_to_month(text, self.language)

    def day(self, moment: Any) -> str:
        """A date, long form."""
        date = format_date(moment, "long", locale=Locale.parse(self.language))
        return hold_day_to_month(date, self.language)

    def percent(self, share: float) -> str:
        """A share (0 to 1) as a whole percentage, e.g. "72%" or "72 %"."""
        return format_percent(round(share, 2), locale=Locale.parse(self.language))

    def language_name(self, code: str) -> str:
        """A language's name in this language, e.g. "French" or "français"."""
        try:
            name = Locale.parse(code).get_display_name(Locale.parse(self.language))
        except (ValueError, TypeError, UnknownLocaleError):
            return code
        return name or code


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
