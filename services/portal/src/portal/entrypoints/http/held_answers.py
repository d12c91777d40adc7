"""What a participant's forms hold: my earlier answers, or what I have just sent.

A form sent back (a refusal, or feedback not answering) is a `HeldForm`: it shows what was
typed, never the earlier answers or an empty form, so the notes someone wrote are not lost to
a missing rating. Sent again unchanged, a form holding my earlier answers replaces them with
themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import Field, asdict, dataclass, field, fields
from typing import Any, ClassVar, Protocol

from starlette.datastructures import FormData

from portal.domain.models import Feedback, SurveyAnswers
from portal.domain.notifications import N_


class FormAnswer(Protocol):
    """What one of the forms sent (a dataclass of its fields), as its service takes it."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    def request(self) -> dict[str, Any]:
        """The body of the service's call."""
        ...


@dataclass(frozen=True, slots=True)
class HeldForm[Answer: FormAnswer]:
    """A form sent back: what was sent, and why it is back."""

    answer: Answer
    errors: Mapping[str, str] = field(default_factory=dict)
    """A refusal's message beside each field it names ("": a problem naming none of them)."""
    unsaved: bool = False
    """The service did not answer: nothing was saved."""

    @property
    def needs_attention(self) -> bool:
        """Whether the page says something is wrong (a rule's refusal is said in the flash)."""
        return bool(self.errors) or self.unsaved


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
        return cls(
            growth_rating=_level(form.get("growth_rating")),
            relationship_rating=_level(form.get("relationship_rating")),
            recommend_score=_level(form.get("recommend_score")),
            would_join_again=_yes_or_no(form.get("would_join_again")),
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


@dataclass(frozen=True, slots=True)
class AgreementAnswer:
    """The agreement form as sent."""

    expectations: str = ""
    meeting_frequency: str = ""
    confidentiality: str = ""
    boundaries: str = ""

    @classmethod
    def sent(cls, form: FormData) -> AgreementAnswer:
        """What the form sent, each field trimmed."""
        return cls(**{each.name: str(form.get(each.name, "")).strip() for each in fields(cls)})

    def request(self) -> dict[str, Any]:
        """The body of feedback's ``PUT /v1/pairs/{id}/agreement``."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class GoalAnswer:
    """The add-a-goal form as sent."""

    title: str = ""
    topic: str = ""
    milestones: str = ""
    """As typed: one milestone per line."""

    @classmethod
    def sent(cls, form: FormData) -> GoalAnswer:
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


@dataclass(frozen=True, slots=True)
class FitAnswer:
    """The fit question's form as sent."""

    good_fit: bool | None = None
    """None: neither yes nor no was chosen."""
    concern: str = ""
    """One of the concerns offered, or ""."""
    reason: str = ""

    @classmethod
    def sent(cls, form: FormData, concerns: Sequence[str]) -> FitAnswer:
        """What the form sent; a concern not among the ``concerns`` offered is dropped."""
        concern = str(form.get("concern", ""))
        return cls(
            good_fit=_yes_or_no(form.get("good_fit")),
            concern=concern if concern in concerns else "",
            reason=str(form.get("reason", "")),
        )

    def request(self) -> dict[str, Any]:
        """The body of feedback's ``POST /v1/pairs/{id}/fit``.

        Neither yes nor no is sent as null: feedback refuses it, naming the field (never a
        "no", which would end the pairing). A concern goes with a "no" only.
        """
        answer: dict[str, Any] = {"good_fit": self.good_fit}
        if self.good_fit is False and self.concern:
            answer["concern"] = self.concern
        if reason := self.reason.strip():
            answer["reason"] = reason
        return answer


FEEDBACK_OWN_WORDS: Mapping[str, str] = {"rating": N_("Choose a rating from 1 to 5.")}
"""What the feedback form says of a refused field, instead of feedback's words."""


def field_of(answer: FormAnswer) -> Callable[[str], str]:
    """Which of a form's fields (its ``answer``'s) a service's problem path names ("" for none).

    An item of a list is its list: ``body.milestones.3`` (or deeper) is ``milestones``; the
    feedback form's ``progress`` holds its topics' levels as one.
    """
    names = [each.name for each in fields(answer)]

    def field_named(path: str) -> str:
        parts = path.split(".")
        return next((name for name in names if name in parts), "")

    return field_named


def _level(value: object) -> int | None:
    """A level the form sent, if it is a whole number (feedback checks its range)."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _yes_or_no(value: object) -> bool | None:
    """A yes-or-no question's choice ("yes", "no"), None when neither was chosen."""
    return {"yes": True, "no": False}.get(str(value or ""))
