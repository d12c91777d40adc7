"""When the portal invites people to a program's surveys.

The feedback service accepts survey answers at any time and no API says when a survey is
"open"; until one does, the portal offers the mid-program survey from the program's midpoint
and the closing survey from two weeks before its end (both until 30 days after it ends).
"""

from __future__ import annotations

from datetime import date, timedelta

from portal.domain.models import Program

CLOSING_LEAD = timedelta(days=14)
GRACE = timedelta(days=30)


def open_surveys(program: Program, today: date) -> list[str]:
    """The survey kinds to offer today."""
    if today < program.starts_on or today > program.ends_on + GRACE:
        return []
    midpoint = program.starts_on + (program.ends_on - program.starts_on) / 2
    kinds = []
    if today >= midpoint:
        kinds.append("mid_program")
    if today >= program.ends_on - CLOSING_LEAD:
        kinds.append("closing")
    return kinds
