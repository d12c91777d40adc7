"""Impact stories as the portal shows them, and the story form read and checked.

A story is awaiting approval until a manager approves it, then published; once its author
withdraws consent it is no longer published, whatever it was. The form is checked here with
the feedback service's own bounds (title 500 characters, text 5,000, consent required), so a
mistake comes back beside its field, in the person's language, before any call.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from portal.domain.notifications import N_

TITLE_MAX = 500
TEXT_MAX = 5000
STORY_FIELDS = ("program_id", "title", "text", "consent_to_publish")


class StoryState(StrEnum):
    """Where a story stands."""

    AWAITING_APPROVAL = "awaiting_approval"
    PUBLISHED = "published"
    CONSENT_WITHDRAWN = "consent_withdrawn"


class Story(BaseModel):
    """An impact story (feedback's ``StoryView``)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    story_id: str
    program_id: str
    participant_id: str
    title: str
    text: str
    consent_to_publish: bool
    approved: bool
    written_at: datetime
    approved_at: datetime | None = None

    @property
    def state(self) -> StoryState:
        """Awaiting approval, published, or with consent withdrawn."""
        if not self.consent_to_publish:
            return StoryState.CONSENT_WITHDRAWN
        return StoryState.PUBLISHED if self.approved else StoryState.AWAITING_APPROVAL


@dataclass(frozen=True, slots=True)
class StoryDraft:
    """What the story form holds, as typed (kept to show the form again)."""

    program_id: str = ""
    title: str = ""
    text: str = ""
    consent: bool = False

    @classmethod
    def of(cls, form: Mapping[str, str]) -> StoryDraft:
        """The draft in a submitted form (text fields trimmed, as feedback trims them)."""
        return cls(
            program_id=form.get("program_id", "").strip(),
            title=form.get("title", "").strip(),
            text=form.get("text", "").strip(),
            consent=form.get("consent_to_publish") == "yes",
        )

    def request(self) -> dict[str, object]:
        """The body of ``POST /v1/programs/{id}/stories``."""
        return {"title": self.title, "text": self.text, "consent_to_publish": self.consent}


def story_problems(draft: StoryDraft, programs: Collection[str]) -> dict[str, str]:
    """Each problem of ``draft`` by form field (untranslated messages; empty when none).

    ``programs`` are the programs the person takes part in: the only ones offered.
    """
    problems: dict[str, str] = {}
    if draft.program_id not in programs:
        problems["program_id"] = N_("Choose one of your programs.")
    if not draft.title:
        problems["title"] = N_("Give your story a title.")
    elif len(draft.title) > TITLE_MAX:
        problems["title"] = N_("Keep the title to 500 characters or fewer.")
    if not draft.text:
        problems["text"] = N_("Write your story.")
    elif len(draft.text) > TEXT_MAX:
        problems["text"] = N_("Keep the story to 5,000 characters or fewer.")
    if not draft.consent:
        problems["consent_to_publish"] = N_(
            "A story is shared only with your consent: tick the box to give it."
        )
    return problems


def story_field(path: str) -> str:
    """The form field a service's problem path names (``body.title`` is ``title``)."""
    name = path.rsplit(".", 1)[-1]
    return name if name in STORY_FIELDS else ""
