"""French typography checks for the services' message catalogues (used by their tests).

French wants a no-break space where a line must not break: before ":" (U+00A0), before "?",
"!" and ";" (U+202F), inside guillemets, and between a number and the word it goes with ("4
sur 5", "1 à 5", "3 séances", "50 %"). A plain space there lets a phone's narrow line start with the
mark, or split the figure from its word.

French text also takes the typographic apostrophe (U+2019), not the straight one (U+0027).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_BREAKS = r" [:?!;]|« | »|\d (?:sur|à) \d|(?:\d|\)s) %"


def french_line_breaks(
    translations: Iterable[str | Sequence[str] | None], *, counted: Sequence[str] = ()
) -> list[str]:
    """The translations with a plain space where French wants a no-break one.

    ``translations``: each message's translation, or its plural forms (None: none yet, as
    a catalogue reader gives an untranslated message). ``counted``: the
    names of placeholders (``%(name)s``) that stand for a number followed by its word.
    """
    pattern = _BREAKS + "".join(rf"|%\({re.escape(name)}\)s " for name in counted)
    breakable = re.compile(pattern)
    forms = (
        form
        for translation in translations
        if translation is not None
        for form in ((translation,) if isinstance(translation, str) else translation)
    )
    return [form for form in forms if form and breakable.search(form)]


_NOT_PROSE = re.compile(
    r"<[^<>]*>"  # an HTML tag and its attributes
    r"|%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]"  # a %(name)s placeholder
    r"|\{\{.*?\}\}|\{%.*?%\}|\{[A-Za-z_][\w.]*\}"  # Jinja, a {name} placeholder
    r"|`[^`]*`"  # code
    r"|\b(?:https?|mailto):\S+"  # a URL
)
"""What is not prose in a translation, where a straight apostrophe may belong."""


def french_straight_apostrophes(translations: Iterable[str | Sequence[str] | None]) -> list[str]:
    """The translations whose text has a straight apostrophe where French takes U+2019.

    ``translations`` as for `french_line_breaks`. Placeholders, HTML tags and their
    attributes, Jinja expressions, code in backquotes and URLs are left out of the search.
    """
    forms = (
        form
        for translation in translations
        if translation is not None
        for form in ((translation,) if isinstance(translation, str) else translation)
    )
    return [form for form in forms if form and "'" in _NOT_PROSE.sub("", form)]
