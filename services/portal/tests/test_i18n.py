"""Every text of the portal is in the catalogues, and the French one is complete."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from mentorship_devstack.typography import french_line_breaks
from portal.entrypoints.http.i18n import (
    CATALOGUES,
    LANGUAGES,
    Translator,
    load_translations,
    negotiate,
)

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "portal"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _extracted() -> set[str | tuple[str, ...]]:
    found: set[str | tuple[str, ...]] = set()
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"trimmed": "true"}}
    for _, _, message, _, _ in extract_from_dir(
        str(PACKAGE), method_map=method_map, options_map=options
    ):
        found.add(message if isinstance(message, str) else tuple(m for m in message if m))
    return found


def test_the_french_catalogue_translates_every_message_with_the_same_placeholders() -> None:
    with (CATALOGUES / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="fr")
    translated = {(m.id if isinstance(m.id, str) else tuple(m.id)): m for m in catalog if m.id}
    missing = _extracted() - set(translated)
    assert missing == set(), f"run pybabel extract/update (README): {sorted(map(str, missing))}"
    for key, message in translated.items():
        assert not message.fuzzy, key
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {key}"
        original = key if isinstance(key, str) else key[-1]
        for text in strings:
            assert isinstance(text, str)
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(original)), key


def test_every_language_loads_and_translates() -> None:
    translations = load_translations()
    assert set(translations) == set(LANGUAGES)
    assert translations["fr"].gettext("Sign out") == "Se déconnecter"
    assert translations["en"].gettext("Sign out") == "Sign out"


def test_the_browser_language_is_negotiated() -> None:
    assert negotiate("fr-CA,fr;q=0.9,en;q=0.5") == "fr"
    assert negotiate("de-DE,de;q=0.9,en;q=0.8") == "en"
    assert negotiate("en;q=0.2, fr;q=0.8") == "fr"
    assert negotiate("") == "en"


def test_the_french_catalogue_defines_each_message_once() -> None:
    # A duplicate makes gettext's tools (msgfmt --check) refuse the file, and only one of the
    # two translations is ever shown.
    text = (CATALOGUES / "fr" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    entries = re.findall(r'^(msgctxt "[^\n]*"\n)?msgid ((?:"[^\n]*"\n)+)', text, re.MULTILINE)
    keys = [context + message for context, message in entries]
    assert sorted({key for key in keys if keys.count(key) > 1}) == []


def test_french_punctuation_is_held_to_its_word_by_a_no_break_space() -> None:
    with (CATALOGUES / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="fr")
    assert french_line_breaks(message.string for message in catalog if message.id) == []


def test_french_pages_keep_the_no_break_spaces() -> None:
    french = load_translations()["fr"]
    assert french.gettext("Is this a good fit?") == "Ce binôme vous convient-il\u202f?"
    assert french.gettext("Rated %(rating)s of 5") % {"rating": 4} == "Notée 4\u00a0sur\u00a05"


def test_a_french_date_holds_its_day_to_its_month() -> None:
    translations = load_translations()
    moment = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
    french = Translator("fr", translations["fr"])
    english = Translator("en", translations["en"])

    assert french.when(moment) == "lundi 4\u00a0janvier 2027, 10:00"
    assert french.day(moment.date()) == "4\u00a0janvier 2027"
    assert english.when(moment) == "Monday 4 January 2027, 10:00"


_NOT_PROSE = re.compile(r"<[^>]*>|%\(\w+\)[sd]|`[^`]*`|\{[^}]*\}|https?://\S+")
"""What an apostrophe may stay straight in: a tag and its attributes, a placeholder, code, a URL."""


def straight_apostrophes(texts: Iterable[str]) -> list[str]:
    """The texts whose prose has a straight apostrophe (') where French writes a curly one."""
    return [text for text in texts if "'" in _NOT_PROSE.sub("", text)]


def test_straight_apostrophes_are_found_in_prose_only() -> None:
    curly = "\u2019"
    texts = ["L'avis", f"L{curly}avis", f"<a href='/x'>l{curly}avis</a>", "`a'b`", "%(n)s"]
    assert straight_apostrophes(texts) == ["L'avis"]


def test_french_writes_its_apostrophes_curly() -> None:
    # Locally here until mentorship_devstack.typography has the shared check.
    with (CATALOGUES / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="fr")
    texts = [
        str(text)
        for message in catalog
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
    ]
    assert straight_apostrophes(texts) == []
