"""What the session feedback form holds: my earlier answer, or what I have just sent.

A form sent back (a refusal, or feedback not answering) shows what was typed, never the
earlier answer or an empty form: the notes someone wrote are not lost to a missing rating.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from portal.domain.models import Feedback


@dataclass(frozen=True, slots=True)
class FeedbackAnswer:
    """The fields of the feedback form, as shown and as sent to feedback."""

    rating: int | None = None
    topics: frozenset[str] = frozenset()
    action_items: str = ""
    """As typed: one item per line."""
    private_notes: str = ""
    progress: Mapping[str, int] = field(default_factory=dict)
    """The level chosen per topic; a topic left at "no change" is absent."""

    @classmethod
    def given(cls, feedback: Feedback | None) -> FeedbackAnswer:
        """The earlier answer (an empty form without one)."""
        if feedback is None:
            return cls()
        return cls(
            rating=feedback.rating,
            topics=frozenset(feedback.topics),
            action_items="\n".join(feedback.action_items),
            private_notes=feedback.private_notes or "",
            progress={entry.topic: entry.level for entry in feedback.progress},
        )

    @classmethod
    def sent(cls, form: FormData, offered: Sequence[str]) -> FeedbackAnswer:
        """What the form sent; progress is read for the program's ``offered`` topics only."""
        levels = {topic: _level(form.get(f"progress.{topic}")) for topic in offered}
        return cls(
            rating=_level(form.get("rating")),
            topics=frozenset(str(topic) for topic in form.getlist("topics")),
            action_items=str(form.get("action_items", "")),
            private_notes=str(form.get("private_notes", "")),
            progress={topic: level for topic, level in levels.items() if level is not None},
        )

    def request(self) -> dict[str, Any]:
        """The body of feedback's ``POST /v1/sessions/{id}/feedback``.

        Without a rating, 0: feedback refuses it, naming the field.
        """
        items = (line.strip() for line in self.action_items.splitlines())
        return {
            "rating": self.rating or 0,
            "topics": sorted(self.topics),
            "action_items": [item for item in items if item],
            "private_notes": self.private_notes,
            "progress": [{"topic": t, "level": level} for t, level in self.progress.items()],
        }


def _level(value: object) -> int | None:
    """A level the form sent, if it is a whole number (feedback checks its range)."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None
