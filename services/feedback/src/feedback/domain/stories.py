"""Impact stories: a participant writes one with consent to publish; a manager approves it.

Only approved stories are listed for the program; the text never travels in an event.
"""

from __future__ import annotations

from datetime import datetime

from feedback.domain.errors import FeedbackInputError, FeedbackRuleError
from feedback.domain.membership import Participation
from feedback.domain.records import Record


class Story(Record):
    """A participant's impact story."""

    story_id: str
    program_id: str
    participant_id: str
    title: str
    text: str
    consent_to_publish: bool
    approved: bool = False
    written_at: datetime
    approved_at: datetime | None = None


def write_story(
    *, story_id: str, author: Participation, title: str, text: str, consent: bool, now: datetime
) -> Story:
    """A new story, waiting for approval.

    Raises:
        FeedbackInputError: no consent to publish it (a story is written to be published).
    """
    if not consent:
        raise FeedbackInputError([("consent_to_publish", "a story is shared only with consent")])
    return Story(
        story_id=story_id,
        program_id=author.program_id,
        participant_id=author.participant_id,
        title=title,
        text=text,
        consent_to_publish=True,
        written_at=now,
    )


def approve_story(story: Story, now: datetime) -> Story:
    """The story, approved (approving again keeps the first approval).

    Raises:
        FeedbackRuleError: its author withdrew consent.
    """
    if not story.consent_to_publish:
        raise FeedbackRuleError("no_consent", "The author has not consented to publishing it.")
    if story.approved:
        return story
    return story.model_copy(update={"approved": True, "approved_at": now})


def withdraw_consent(story: Story) -> Story:
    """The story, no longer to be published (and no longer approved)."""
    return story.model_copy(update={"consent_to_publish": False, "approved": False})
