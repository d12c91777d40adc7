"""Impact stories: a participant writes and withdraws theirs; a manager approves the program's.

Every call carries the signed-in person's token, so feedback decides who may do what: only a
program's participants write its stories, only their author withdraws one, only admins see
those awaiting approval and approve them. Its refusals that the person can act on come back
as `StoryRefused`, by form field.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError, RuleError
from portal.adapters.console import ProgramAdminApi
from portal.adapters.services import RegistrationApi
from portal.adapters.stories import StoriesApi
from portal.domain.console import ManagedProgram
from portal.domain.models import Program
from portal.domain.notifications import N_
from portal.domain.refusals import FormRefused
from portal.domain.stories import Story, StoryDraft, StoryState, story_field, story_problems
from portal.usecases.participant import Caller


class StoryRefused(FormRefused):
    """The story was not written; ``by_field`` names each problem's form field ("" for none)."""


@dataclass(frozen=True, slots=True)
class MyStories:
    """The participant's stories page."""

    stories: list[Story]
    program_names: dict[str, str]
    """Every program's name by id (a story may be of a program the person left)."""
    programs: list[Program]
    """The programs the person takes part in: where they may write a story."""


@dataclass(frozen=True, slots=True)
class ProgramStories:
    """The console's stories page: those awaiting approval (oldest first) and the published."""

    program: ManagedProgram
    pending: list[Story]
    published: list[Story]
    names: dict[str, str]
    """Authors' names by participant id."""


class StoryDesk:
    """What the participant's stories page shows and does."""

    def __init__(self, registration: RegistrationApi, stories: StoriesApi) -> None:
        self._registration = registration
        self._stories = stories

    async def page(self, caller: Caller) -> MyStories:
        """My stories, newest first, and the programs I may write one in."""
        stories, programs = await asyncio.gather(
            self._stories.mine(caller.token), self._registration.programs(caller.token)
        )
        registrations = await asyncio.gather(
            *(self._registration.my_registration(caller.token, p.program_id) for p in programs)
        )
        taking_part = [
            program
            for program, registration in zip(programs, registrations, strict=True)
            if registration is not None and registration.active
        ]
        return MyStories(
            stories=stories,
            program_names={program.program_id: program.name for program in programs},
            programs=taking_part,
        )

    async def write(self, caller: Caller, draft: StoryDraft, programs: list[Program]) -> Story:
        """Write the story ``draft`` holds in one of ``programs`` (those I take part in).

        Raises:
            StoryRefused: the form's problems, or feedback's refusal, by form field.
        """
        if problems := story_problems(draft, {program.program_id for program in programs}):
            raise StoryRefused(problems)
        try:
            return await self._stories.write(caller.token, draft.program_id, draft.request())
        except InvalidInputError as refused:
            raise StoryRefused.of(refused.problems, story_field) from None
        except ForbiddenError:
            raise StoryRefused(
                {
                    "program_id": N_(
                        "Only the program's participants write its stories, and the feedback "
                        "service does not count you as one yet. If you registered a moment "
                        "ago, try again in a minute."
                    )
                }
            ) from None
        except RuleError:
            raise StoryRefused(
                {"program_id": N_("This program does not take stories yet: try again in a minute.")}
            ) from None

    async def withdraw_consent(self, caller: Caller, story_id: str) -> Story:
        """Withdraw my consent to publish one of my stories (404 when it is not mine)."""
        return await self._stories.withdraw_consent(caller.token, story_id)


class StoryModeration:
    """What the console's stories page shows and does."""

    def __init__(self, programs: ProgramAdminApi, stories: StoriesApi) -> None:
        self._programs = programs
        self._stories = stories

    async def page(self, caller: Caller, program_id: str) -> ProgramStories:
        """The program's stories (403 from registration when the program is not the caller's)."""
        program, rows, stories = await asyncio.gather(
            self._programs.program(caller.token, program_id),
            self._programs.registrations(caller.token, program_id),
            self._stories.of_program(caller.token, program_id),
        )
        pending = [s for s in stories if s.state is StoryState.AWAITING_APPROVAL]
        published = [s for s in stories if s.state is StoryState.PUBLISHED]
        return ProgramStories(
            program=program,
            pending=sorted(pending, key=lambda story: story.written_at),
            published=sorted(
                published, key=lambda story: story.approved_at or story.written_at, reverse=True
            ),
            names={row.participant_id: row.name for row in rows},
        )

    async def approve(self, caller: Caller, program_id: str, story_id: str) -> Story:
        """Approve one of the program's stories for publishing.

        Raises:
            NotFoundError: the story is not one of the program's.
        """
        stories = await self._stories.of_program(caller.token, program_id)
        if story_id not in {story.story_id for story in stories}:
            raise NotFoundError(f"no story {story_id} in {program_id}")
        return await self._stories.approve(caller.token, story_id)
