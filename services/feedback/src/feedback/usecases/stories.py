"""Impact stories: written by a program's participants, approved by a manager (an admin)."""

from __future__ import annotations

import uuid

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.domain.stories import Story, approve_story, withdraw_consent, write_story
from mentorship_kit.errors import ForbiddenError, NotFoundError
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.principal import Principal

NOT_A_PERSON = "your stories are listed for your own token: the admin token names nobody"


class StoryService:
    """Stores stories and their approval."""

    def __init__(
        self, transactor: Transactor, directory: Directory, stories: Records[Story]
    ) -> None:
        self._transactor = transactor
        self._directory = directory
        self._stories = stories

    async def write(
        self, program_id: str, title: str, text: str, consent: bool, caller: Principal
    ) -> Story:
        """The caller, a participant of the program, writes a story."""
        author = (
            await self._directory.participant_in(caller.person_id, program_id)
            if caller.person_id
            else None
        )
        if author is None:
            raise ForbiddenError("only the program's participants write its stories")

        async def store(tx: Transaction) -> Story:
            story = write_story(
                story_id=f"story-{uuid.uuid4().hex[:20]}",
                author=author,
                title=title,
                text=text,
                consent=consent,
                now=tx.now,
            )
            await self._stories.put(story, tx)
            return story

        return await self._transactor.run(store)

    async def approve(self, story_id: str) -> Story:
        """A manager approves a story for publishing."""

        async def store(tx: Transaction) -> Story:
            story = await self._stories.get(story_id, tx)
            if story is None:
                raise NotFoundError(f"no story {story_id}")
            approved = approve_story(story, tx.now)
            await self._stories.put(approved, tx)
            return approved

        return await self._transactor.run(store)

    async def withdraw(self, story_id: str, caller: Principal) -> Story:
        """The author withdraws consent: the story is no longer published."""

        async def store(tx: Transaction) -> Story:
            story = await self._stories.get(story_id, tx)
            mine = (
                story is not None
                and caller.person_id is not None
                and await self._directory.participant_in(caller.person_id, story.program_id)
            )
            if story is None or not mine or mine.participant_id != story.participant_id:
                raise NotFoundError(f"no story {story_id} of yours")
            withdrawn = withdraw_consent(story)
            await self._stories.put(withdrawn, tx)
            return withdrawn

        return await self._transactor.run(store)

    async def mine(self, caller: Principal) -> list[Story]:
        """The stories the caller wrote, in every program and whatever their state, newest first.

        Raises:
            ForbiddenError: the caller is no person (the admin token names nobody).
        """
        if caller.person_id is None:
            raise ForbiddenError(NOT_A_PERSON)
        participations = await self._directory.participations(caller.person_id)
        ids = [participation.participant_id for participation in participations]
        stories = await self._stories.find({"participant_id": {"$in": ids}}) if ids else []
        return sorted(stories, key=lambda story: story.written_at, reverse=True)

    async def of_program(self, program_id: str, *, approved_only: bool) -> list[Story]:
        """The program's stories (approved ones only, unless asked otherwise)."""
        query: dict[str, object] = {"program_id": program_id}
        if approved_only:
            query["approved"] = True
        return await self._stories.find(query)
