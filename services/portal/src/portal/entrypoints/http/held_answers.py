"""What the feedback and survey forms hold: my earlier answers, or what I have just sent.

A form sent back (a refusal, or feedback not answering) shows what was typed, never the
earlier answers or an empty form: the notes someone wrote are not lost to a missing rating.
Sent again unchanged, a form holding my earlier answers replaces them with themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from portal.domain.models import Feedback, SurveyAnswers


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


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """The fields of a survey form, as shown and as sent to feedback."""

    growth_rating: int | None = None
    relationship_rating: int | None = None
    recommend_score: int | None = None
    would_join_again: bool | None = None
    skills_developing: frozenset[str] = frozenset()
    comments: str = ""

    @classmethod
    def given(cls, answers: SurveyAnswers | None) -> SurveyAnswer:
        """The earlier answers (an empty form without them)."""
        if answers is None:
            return cls()
        return cls(
            growth_rating=answers.growth_rating,
            relationship_rating=answers.relationship_rating,
            recommend_score=answers.recommend_score,
            would_join_again=answers.would_join_again,
            skills_developing=frozenset(answers.skills_developing),
            comments=answers.comments,
        )

    @classmethod
    def sent(cls, form: FormData) -> SurveyAnswer:
        """What the form sent."""
        join_again = str(form.get("would_join_again", ""))
        return cls(
            growth_rating=_level(form.get("growth_rating")),
            relationship_rating=_level(form.get("relationship_rating")),
            recommend_score=_level(form.get("recommend_score")),
            would_join_again={"yes": True, "no": False}.get(join_again),
            skills_developing=frozenset(str(s) for s in form.getlist("skills_developing")),
            comments=str(form.get("comments", "")),
        )

    def request(self) -> dict[str, Any]:
        """The body of feedback's ``POST /v1/programs/{id}/surveys/{kind}``.

        An answer left out is sent as null: feedback refuses it, naming the field.
        """
        return {
            "growth_rating": self.growth_rating,
            "relationship_rating": self.relationship_rating,
            "recommend_score": self.recommend_score,
            "would_join_again": self.would_join_again,
            "skills_developing": sorted(self.skills_developing),
            "comments": self.comments,
        }


AGREEMENT_FIELDS = ("expectations", "meeting_frequency", "confidentiality", "boundaries")
"""The fields of a pair's agreement form, in the form's order."""


@dataclass(frozen=True, slots=True)
class HeldAgreement:
    """An agreement form sent back: what was written, and why it is back."""

    fields: Mapping[str, str]
    """What was written, by field of `AGREEMENT_FIELDS`."""
    errors: Mapping[str, str] = field(default_factory=dict)
    """A refusal's message beside each field it names."""
    unsaved: bool = False
    """Feedback did not answer: nothing was saved."""


GOAL_FIELDS = ("title", "topic", "milestones")
"""The fields of the add-a-goal form."""


@dataclass(frozen=True, slots=True)
class HeldGoal:
    """The add-a-goal form as sent: what was written, and why it is back (if it is)."""

    title: str = ""
    topic: str = ""
    milestones: str = ""
    """As typed: one milestone per line."""
    errors: Mapping[str, str] = field(default_factory=dict)
    """A refusal's message beside each field it names."""
    unsaved: bool = False
    """Feedback did not answer: nothing was saved."""

    @classmethod
    def sent(cls, form: FormData) -> HeldGoal:
        """What the form sent."""
        return cls(
            title=str(form.get("title", "")),
            topic=str(form.get("topic", "")),
            milestones=str(form.get("milestones", "")),
        )

    def request(self) -> dict[str, Any]:
        """The body of feedback's ``POST /v1/pairs/{id}/goals``."""
        lines = (line.strip() for line in self.milestones.splitlines())
        return {
            "topic": self.topic,
            "title": self.title.strip(),
            "milestones": [line for line in lines if line],
        }


FEEDBACK_FIELDS = ("rating", "topics", "action_items", "private_notes", "progress")
"""The fields of the session feedback form (progress: its topics' levels, as one)."""
SURVEY_FIELDS = (
    "growth_rating",
    "relationship_rating",
    "recommend_score",
    "would_join_again",
    "skills_developing",
    "comments",
)
"""The fields of a survey form."""


def field_of(fields: Sequence[str]) -> Callable[[str], str]:
    """Which of a form's ``fields`` a service's problem path names ("" for none of them).

    An item of a list is its list: ``body.milestones.3`` (or deeper) is ``milestones``.
    """

    def field(path: str) -> str:
        parts = path.split(".")
        return next((name for name in fields if name in parts), "")

    return field


def _level(value: object) -> int | None:
    """A level the form sent, if it is a whole number (feedback checks its range)."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None
