from __future__ import annotations

from datetime import UTC, datetime

import pytest

from registration.domain.programs import Program, ProgramSettings
from registration.domain.template import Template, questionnaire_from

from .factories import program_settings


@pytest.fixture
def open_program() -> Program:
    settings = ProgramSettings.model_validate(program_settings())
    return Program.create(
        "prog-1", settings, questionnaire_from(Template.STANDARD), datetime.now(UTC)
    )
