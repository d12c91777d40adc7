"""The organisation's shared settings: the template's editable lists and the question pool."""

from __future__ import annotations

from mentorship_kit.outbox import Transaction, Transactor
from registration.adapters.organisation import OrganisationRepository
from registration.domain.question_pool import PoolQuestion, check_custom, pool
from registration.domain.questionnaire import Choice, Question
from registration.domain.template import ChoiceList, OrganisationChoices
from registration.usecases.errors import CodedNotFoundError


class OrganisationService:
    """Edits the lists the standard template offers and the organisation's own questions."""

    def __init__(self, transactor: Transactor, organisation: OrganisationRepository) -> None:
        self._transactor = transactor
        self._organisation = organisation

    async def choices(self) -> OrganisationChoices:
        """The offices, time zones and languages the standard template offers."""
        return await self._organisation.choices()

    async def set_list(self, name: ChoiceList, choices: list[Choice]) -> OrganisationChoices:
        """Replace one list; programs created (or templates applied) from now on offer it.

        Raises:
            ChoiceListError: a choice is not what the template's question takes.
        """

        async def work(tx: Transaction) -> OrganisationChoices:
            lists = (await self._organisation.choices(tx)).with_list(name, choices)
            await self._organisation.save_list(name, lists.of(name), tx)
            return lists

        return await self._transactor.run(work)

    async def pool(self) -> list[PoolQuestion]:
        """The standard template's questions, then the organisation's own."""
        return pool(await self._organisation.choices(), await self._organisation.custom_questions())

    async def save_question(self, question: Question) -> Question:
        """Add (or replace, by key) a custom question.

        Raises:
            PoolError: the key is a standard question's, or the pool is full.
        """

        async def work(tx: Transaction) -> Question:
            custom = await self._organisation.custom_questions(tx)
            others = sum(1 for item in custom if item.key != question.key)
            check_custom(question, await self._organisation.choices(tx), others)
            await self._organisation.save_question(question, tx)
            return question

        return await self._transactor.run(work)

    async def delete_question(self, key: str) -> None:
        """Remove a custom question (programs that asked it keep it).

        Raises:
            CodedNotFoundError: question_not_found.
        """

        async def work(tx: Transaction) -> bool:
            return await self._organisation.delete_question(key, tx)

        if not await self._transactor.run(work):
            raise CodedNotFoundError(
                "question_not_found", f"The question pool has no custom question {key!r}."
            )
