"""The organisation's settings shared by its programs: the template's lists and the pool."""

from __future__ import annotations

from mentorship_kit.mongo import Collection, Database
from mentorship_kit.outbox import Transaction
from registration.domain.questionnaire import Choice, Question
from registration.domain.template import ChoiceList, OrganisationChoices

ORGANISATION = "organisation"
QUESTION_POOL = "question_pool"
_CHOICES = "choices"


class OrganisationRepository:
    """The organisation's lists of offices, time zones, languages and its custom questions."""

    def __init__(self, database: Database) -> None:
        self._organisation: Collection = database[ORGANISATION]
        self._pool: Collection = database[QUESTION_POOL]

    async def choices(self, tx: Transaction | None = None) -> OrganisationChoices:
        """The lists (the platform's defaults for any list never edited)."""
        document = await self._organisation.find_one(
            {"_id": _CHOICES}, session=tx.session if tx else None
        )
        lists = OrganisationChoices()
        for name in ChoiceList:
            stored = (document or {}).get(name.value)
            if stored is not None:
                lists = lists.with_list(name, [Choice.model_validate(item) for item in stored])
        return lists

    async def save_list(
        self, name: ChoiceList, choices: tuple[Choice, ...], tx: Transaction
    ) -> None:
        """Store one edited list."""
        await self._organisation.update_one(
            {"_id": _CHOICES},
            {"$set": {name.value: [choice.model_dump(mode="json") for choice in choices]}},
            upsert=True,
            session=tx.session,
        )

    async def custom_questions(self, tx: Transaction | None = None) -> list[Question]:
        """The organisation's own questions."""
        cursor = self._pool.find({}, session=tx.session if tx else None)
        return [Question.model_validate(document["question"]) async for document in cursor]

    async def save_question(self, question: Question, tx: Transaction) -> None:
        """Add or replace a custom question (by key)."""
        await self._pool.replace_one(
            {"_id": question.key},
            {"_id": question.key, "question": question.model_dump(mode="json")},
            upsert=True,
            session=tx.session,
        )

    async def delete_question(self, key: str, tx: Transaction) -> bool:
        """Remove a custom question; whether it existed."""
        result = await self._pool.delete_one({"_id": key}, session=tx.session)
        return result.deleted_count > 0
