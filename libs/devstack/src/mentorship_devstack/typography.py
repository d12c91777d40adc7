"""French typography checks for the services' message catalogues (used by their tests).

French wants a no-break space where a line must not break: before ":" (U+00A0), before "?",
"!" and ";" (U+202F), inside guillemets, and between a number and the word it goes with ("4
sur 5", "1 à 5", "3 séances", "50 %"). A plain space there lets a phone's narrow line start with the
mark, or split the figure from its word.
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
