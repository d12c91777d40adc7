"""Erasure requests as the admins' console shows them (GDPR, article 17).

A participant asks, from "My data", to be erased; registration keeps the open requests and
erases a person from every service in one step. The console lists the requests, oldest first,
with how long each has left of the one month the GDPR allows for an answer. Business outcomes
imported from the HRIS are erased on their own (feedback keeps them, analytics follows).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

ANSWER_WITHIN = timedelta(days=30)
"""The GDPR's "one month" (article 12(3)), counted as 30 days from the request."""

DUE_SOON = timedelta(days=7)
"""A request due within this long is shown as urgent."""


class ErasureRequest(BaseModel):
    """An open request, as registration lists it to admins."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    request_id: str
    employee_id: str
    person_id: str
    requested_at: datetime

    @property
    def due_at(self) -> datetime:
        """When the answer is due."""
        return self.requested_at + ANSWER_WITHIN

    def days_left(self, now: datetime) -> int:
        """Whole days until it is due (negative: overdue by that many days)."""
        return (self.due_at - now).days

    def urgent(self, now: datetime) -> bool:
        """Due within a week, or overdue."""
        return self.due_at - now <= DUE_SOON


class ErasedPerson(BaseModel):
    """What registration answers once a person is erased."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    employee_id: str
    registrations_erased: int


class ErasedOutcomes(BaseModel):
    """What feedback answers once a person's HRIS outcomes are erased."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    deleted: int
    erased_at: datetime
