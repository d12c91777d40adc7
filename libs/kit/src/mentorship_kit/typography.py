"""French typography shared by what the services write for people (the portal's pages, mails)."""

from __future__ import annotations

import re

_DAY_MONTH = re.compile(r"(\d) (?=[^\W\d_])")
"""A number, a plain space and a word: where a line must not break in a French date."""


def hold_day_to_month(date: str, language: str) -> str:
    """In French, a formatted date's day held to its month by a no-break space ("4 janvier")."""
    return _DAY_MONTH.sub("\\1\u00a0", date) if language == "fr" else date
