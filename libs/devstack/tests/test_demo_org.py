"""The demo's synthetic organisation: deterministic, shaped like a company, and registrable.

Registrability is checked with the registration service's own questionnaire rules and CSV
reader (its pure domain, no I/O), applied to the standard template as the demo edits it.
"""

from __future__ import annotations

from collections import Counter

from mentorship_devstack.demo_org import (
    CAPACITY_LIMIT,
    DEPARTMENTS,
    csv_export,
    edit_questionnaire,
    organisation,
)
from registration.domain.csv_import import CsvReader
from registration.domain.questionnaire import Questionnaire, check_answers
from registration.domain.template import Template, questionnaire_from

LEVELS = ("co_op", "associate", "intermediate", "senior", "director", "executive")


def _edited() -> Questionnaire:
    read = {
        "program_id": "prog-1",
        "version": 1,
        "created_at": "2026-01-05T09:00:00Z",
        **questionnaire_from(Template.STANDARD).model_dump(mode="json"),
    }
    edited = edit_questionnaire(read)
    assert {k: edited[k] for k in ("program_id", "version", "created_at")} == {
        k: read[k] for k in ("program_id", "version", "created_at")
    }, "the read-only fields go back as read"
    return Questionnaire.model_validate({"questions": edited["questions"]})


def test_the_same_seed_gives_the_same_people_and_another_seed_others() -> None:
    assert organisation(120, seed=3) == organisation(120, seed=3)
    first = {p.employee_id for p in organisation(120, seed=3).people}
    assert first != {p.employee_id for p in organisation(120, seed=4).people}


def test_everyone_is_unique_and_fictional() -> None:
    org = organisation(300, seed=7)
    assert len(org.people) == 300
    assert len({p.employee_id for p in org.people}) == 300
    assert len({p.email for p in org.people}) == 300
    assert all(p.email.endswith("@example.com") for p in org.people)
    assert org.chief_executive not in org.by_employee()


def test_managers_form_one_hierarchy_under_the_chief_executive() -> None:
    org = organisation(300, seed=7)
    people = org.by_employee()
    for person in org.people:
        line, manager = [], person.manager_employee_id
        while manager != org.chief_executive:
            assert manager in people, "every manager is in the organisation"
            assert manager not in line, "no cycles"
            line.append(manager)
            manager = people[manager].manager_employee_id
        assert len(line) <= 2, "head, team lead, individual contributor"
    heads = [p for p in org.people if p.manager_employee_id == org.chief_executive]
    assert sorted(p.department for p in heads) == sorted(d.name for d in DEPARTMENTS)


def test_mentors_are_senior_and_scarcer_than_mentees() -> None:
    org = organisation(300, seed=7)
    roles = Counter(p.role for p in org.people)
    assert roles["mentee"] > roles["mentor"] > roles["both"] > 0
    for person in org.people:
        if person.role == "mentor":
            assert LEVELS.index(person.seniority) >= LEVELS.index("senior")
        if person.mentee:
            assert LEVELS.index(person.seniority) <= LEVELS.index("senior")
    capacity = sum(p.answers.get("capacity", 0) for p in org.people)
    demand = sum(1 for p in org.people if p.mentee)
    assert 0.6 * demand < capacity < demand, "some mentees wait: mentors are scarce"


def test_the_people_spread_over_offices_departments_and_levels() -> None:
    org = organisation(300, seed=7)
    assert len({p.office for p in org.people}) == 8
    assert len({p.answers["time_zone"] for p in org.people}) == 8
    assert len({p.department for p in org.people}) == len(DEPARTMENTS)
    assert set(LEVELS) == {p.seniority for p in org.people}
    assert any("de" in p.answers["languages"] for p in org.people)


def test_every_row_of_the_export_registers_against_the_edited_template() -> None:
    questionnaire = _edited()
    org = organisation(300, seed=7)
    rows, problems = CsvReader(questionnaire, max_rows=1000).read(csv_export(org.people))
    assert problems == []
    assert len(rows) == 300
    people = org.by_employee()
    for row in rows:
        person = people[row.submission.employee_id]
        assert row.submission.manager_employee_id == person.manager_employee_id
        assert check_answers(questionnaire, row.submission.answers) == check_answers(
            questionnaire, person.answers
        )


def test_the_edit_caps_capacity_and_adds_a_question() -> None:
    questions = {q.key: q for q in _edited().questions}
    assert questions["capacity"].maximum == CAPACITY_LIMIT
    assert questions["heard_about"].kind == "single_choice"
    assert not questions["heard_about"].required
    once = {"questions": [q.model_dump(mode="json") for q in questions.values()]}
    edited_twice = edit_questionnaire(edit_questionnaire(once))
    assert [q["key"] for q in edited_twice["questions"]].count("heard_about") == 1
