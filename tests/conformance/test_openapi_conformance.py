"""Every service's committed OpenAPI document against the live service, with schemathesis (#12).

The services run as real processes on the real broker and database (the `stack` fixture).
Every operation of every service is tested with all of schemathesis' checks (no server error,
only documented status codes, bodies and headers as documented, invalid input refused, valid
input accepted, auth enforced, ...):

- as the admin: the examples and fuzzing phases (valid and invalid input), and with
  `CONFORMANCE_COVERAGE=1` the coverage phase too (every boundary and kind of invalid input of
  every field: over a thousand requests to registration alone);
- as a participant, registered in a program (the operations that take a bearer token): the
  examples and fuzzing phases (what the participant may see and do differs, the validation of
  input does not);
- statefully: chains of operations linked by the ids they return (schemathesis infers the links
  from the documents), as the admin.

The count of examples is bounded and the generation derandomized with a fixed seed, so a run
sends the same requests every time. The requests each service answered are counted from its
own metrics and printed at the end of the run.

The services are `mentorship_devstack.services.SERVICES`: a service added there is tested here
without a change here (and a service with a committed document that is not there fails
`test_every_committed_document_is_tested`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis import BaseSchema, Case
from schemathesis.core.errors import NoLinksFound
from schemathesis.specs.openapi.schemas import OpenApiSchema

from mentorship_devstack.api import create_program, register
from mentorship_devstack.services import SERVICES, ServiceProcess
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, participant_token
from mentorship_devstack.workloads import people

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261
ADMIN_EXAMPLES = 5
"""Examples per operation in the admin's fuzzing phase (valid and invalid input alike)."""
PARTICIPANT_EXAMPLES = 2
STATEFUL_SCENARIOS = 8
STATEFUL_STEPS = 5
COVERAGE = os.environ.get("CONFORMANCE_COVERAGE", "") == "1"
"""The coverage phase (every boundary and kind of invalid input of every field) sends over a
thousand requests to registration alone: off by default, `CONFORMANCE_COVERAGE=1` adds it to
the admin's runs."""
PARTICIPANT = "conformance-participant"
"""The employee whose token the participant runs use: registered in a program first."""

RULES_BEYOND_JSON_SCHEMA: Mapping[str, Mapping[str, str]] = {
    "registration": {
        "POST /v1/programs": "dates in order (registration closes after it opens, the program "
        "runs 1 to 12 months), a time zone of the IANA database",
        "PATCH /v1/programs/{program_id}": "the same, on the program as changed",
        "PUT /v1/programs/{program_id}/questionnaire": "each kind of question has the fields "
        "its kind needs (a scale its minimum and maximum, a choice its choices)",
        "POST /v1/programs/{program_id}/registrations": "an admin registering someone names "
        "them (employee_id)",
        "PUT /v1/programs/{program_id}/registrations/{employee_id}": "the body's employee_id, "
        "when given, is the path's",
        "POST /v1/programs/{program_id}/cohorts": "the cohort's dates in order, as a program's",
        "PUT /v1/programs/{program_id}/access": "anyone may register, or the rules, the invite "
        "list or everyone_active restrict who may (not both)",
        "POST /v1/programs/{program_id}/access/preview": "the same, on the access previewed",
        "POST /v1/programs/{program_id}/questionnaire/questions": "a key the questionnaire "
        "does not ask yet",
        "PUT /v1/question-pool/{key}": "a question has the fields its kind needs",
        "PUT /v1/organisation/choices/{name}": "the languages' keys are ISO 639 codes",
        "POST /v1/directory/import": "a CSV file whose first line names its columns",
        "POST /v1/programs/{program_id}/registrations/import": "the same",
    },
    "matching": {
        "POST /v1/programs/{program_id}/matching-runs": "max_changes is given for a what_if "
        "run, and only for it",
    },
    "notifications": {
        "GET /v1/unsubscribe/{token}": "a link the service signed (a forged one is a 422 "
        "naming path.token)",
        "POST /v1/unsubscribe/{token}": "the same",
    },
    "analytics": {
        "GET /v1/programs/{program_id}/reports/mentors": "a cursor the view gave out for the "
        "program (another is a 422 naming cursor)",
    },
    "feedback": {
        "POST /v1/outcomes/import": "a CSV file whose first line names its columns (or a JSON "
        "body of outcomes)",
        "PATCH /v1/goals/{goal_id}": "progress_percent, milestones_reached or both",
        "POST /v1/pairs/{pair_id}/fit": "a concern only when good_fit is false",
        "PUT /v1/programs/{program_id}/skills/self/{moment}": "the levels name exactly the "
        "skills the mentee chose at registration (422 naming body.levels.<skill>)",
        "PUT /v1/pairs/{pair_id}/skills/mentor/{moment}": "the same",
        "PUT /v1/skills/rater-links/{token}": "the same",
        "POST /v1/programs/{program_id}/skills/raters": "at most five peers per moment in all, "
        "and the manager or at least one peer (422 naming body.peers); each invited peer gives "
        "an email or an employee_id, not both (422 naming body.invite_peers.<n>)",
    },
}
"""Operations whose valid input obeys a rule across fields that JSON Schema cannot state: a
request the document allows may be refused with 422 (naming the field), and the check that
valid input is accepted takes 422 as an answer there, and nowhere else."""
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
"""What the check that valid input is accepted expects by default (a 5xx is another check's
failure)."""


def _config(service: str, token: str, *, examples: int, coverage: bool) -> schemathesis.Config:
    rules = RULES_BEYOND_JSON_SCHEMA.get(service, {})
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
            "request-timeout": 30,
            "generation": {"max-examples": examples, "deterministic": True},
            "phases": {"coverage": {"enabled": coverage}},
            "auth": {"openapi": {"HTTPBearer": {"bearer": token}}},
            "operations": [
                {
                    "include-name": name,
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}
                    },
                }
                for name in rules
            ],
        }
    )


def _document(service: str) -> Path:
    return ROOT / "services" / service / "openapi.json"


def _schema(service: str, token: str, *, examples: int, coverage: bool) -> OpenApiSchema:
    config = _config(service, token, examples=examples, coverage=coverage)
    return schemathesis.openapi.from_path(_document(service), config=config)


def _secured(ctx: Any) -> bool:
    return bool(ctx.operation.definition.raw.get("security"))


def _stateless(service: str, schema: BaseSchema) -> Callable[..., None]:
    def test(case: Case[Any], stack: dict[str, ServiceProcess], world: str, counted: None) -> None:
        case.call_and_validate(base_url=stack[service].base_url)

    test.__doc__ = f"Every operation of {service}'s OpenAPI document holds against the service."
    parametrized: Callable[..., None] = schema.parametrize()(test)
    return parametrized


def _stateful(service: str, schema: OpenApiSchema) -> Callable[..., None]:
    def test(stack: dict[str, ServiceProcess], world: str, counted: None) -> None:
        base_url = stack[service].base_url
        try:
            machine = schema.as_state_machine()

            class Machine(machine):  # type: ignore[valid-type,misc]
                def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
                    return {"base_url": base_url}

            Machine.run(
                settings=hypothesis.settings(
                    max_examples=STATEFUL_SCENARIOS,
                    stateful_step_count=STATEFUL_STEPS,
                    derandomize=True,
                    database=None,
                    deadline=None,
                    suppress_health_check=list(hypothesis.HealthCheck),
                )
            )
        except NoLinksFound:
            # analytics: only reads, so no operation's answer feeds another (its operations
            # are all tested by the stateless tests)
            pytest.skip(f"no operation of {service} returns an id another one takes")

    test.__doc__ = f"Chains of {service}'s operations, linked by the ids they return, hold."
    return test


PARTICIPANT_TOKEN = participant_token(PARTICIPANT, ttl_s=12 * 3600)

for _service in SERVICES:
    _admin = _schema(_service, DEV_ADMIN_TOKEN, examples=ADMIN_EXAMPLES, coverage=COVERAGE)
    _participant = _schema(
        _service, PARTICIPANT_TOKEN, examples=PARTICIPANT_EXAMPLES, coverage=False
    )
    globals()[f"test_{_service}_as_admin"] = _stateless(_service, _admin)
    globals()[f"test_{_service}_as_participant"] = _stateless(
        _service, _participant.include(_secured)
    )
    globals()[f"test_{_service}_stateful"] = _stateful(
        _service, _schema(_service, DEV_ADMIN_TOKEN, examples=ADMIN_EXAMPLES, coverage=False)
    )


@pytest.fixture(scope="module")
async def world(stack: dict[str, ServiceProcess]) -> str:
    """A program with the participant registered in it; returns the program's id."""
    async with httpx.AsyncClient(base_url=stack["registration"].base_url, timeout=30) as client:
        program_id = await create_program(client)
        mentee = next(p for p in people(4, seed=3) if p.answers["role"] == "mentee")
        await register(client, program_id, replace(mentee, employee_id=PARTICIPANT))
    return program_id


def test_every_committed_document_is_tested() -> None:
    documented = {path.parent.name for path in ROOT.glob("services/*/openapi.json")}
    assert documented == set(SERVICES)


@pytest.mark.parametrize("service", sorted(RULES_BEYOND_JSON_SCHEMA))
def test_the_rules_beyond_json_schema_name_documented_operations(service: str) -> None:
    paths = json.loads(_document(service).read_text())["paths"]
    labels = {
        f"{method.upper()} {path}" for path, operations in paths.items() for method in operations
    }
    assert set(RULES_BEYOND_JSON_SCHEMA[service]) <= labels
