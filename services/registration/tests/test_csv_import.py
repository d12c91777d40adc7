"""Reading HRIS CSV exports: loose headers, list cells, per-row problems, file errors."""

from __future__ import annotations

import pytest

from registration.domain.csv_import import MAX_CELL_CHARS, CsvFileError, CsvReader
from registration.domain.template import Template, questionnaire_from

READER = CsvReader(questionnaire_from(Template.STANDARD), max_rows=100)
HEADER = (
    "Employee ID,Full Name,Work Email,Department,Manager ID,role,capacity,languages,years_of_career"
)


def test_rows_become_submissions_with_answers_by_question_kind() -> None:
    text = (
        "\ufeff" + HEADER + "\n" + "e-1,Ada,ada@example.com,Sales EMEA,m-1,mentor,2,en; de|fr,7.5\n"
    )
    rows, problems = READER.read(text)
    assert problems == []
    [row] = rows
    assert row.row == 2
    submission = row.submission
    assert (submission.employee_id, submission.name, submission.email) == (
        "e-1",
        "Ada",
        "ada@example.com",
    )
    assert submission.department == "sales_emea"
    assert submission.manager_employee_id == "m-1"
    assert submission.answers == {
        "role": "mentor",
        "capacity": 2,
        "languages": ["en", "de", "fr"],
        "years_of_career": 7.5,
    }


def test_bad_rows_are_reported_by_line_and_the_rest_kept() -> None:
    text = "\n".join(
        [
            HEADER,
            "e-1,Ada,ada@example.com,,,mentor,2,en,",
            ",Bob,bob@example.com,,,mentee,,en,",
            "e-3,Cy,not-an-email,,,mentee,,en,",
            "",
            "e-1,Ada Again,ada2@example.com,,,mentee,,en,",
            "e-5,Di,di@example.com,,,mentee,,en,,extra-cell",
        ]
    )
    rows, problems = READER.read(text)
    assert [row.submission.employee_id for row in rows] == ["e-1"]
    assert [(p.row, p.field) for p in problems] == [
        (3, "employee_id"),
        (4, "email"),
        (6, "employee_id"),
        (7, ""),
    ]
    assert problems[1].message == "Value error, not a valid e-mail address"
    assert problems[2].message == "the same employee as row 2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("name,email\nAda,ada@example.com", "required columns are missing: employee_id"),
        ("employee_id,name,email,shoe_size\n", "neither identity fields nor question keys"),
        ("employee_id,name,email,role,Role\n", "appear more than once"),
    ],
)
def test_file_level_problems(text: str, message: str) -> None:
    with pytest.raises(CsvFileError, match=message):
        READER.read(text)


def test_too_many_rows() -> None:
    text = "employee_id,name,email\n" + "".join(f"e{i},N,n{i}@example.com\n" for i in range(3))
    with pytest.raises(CsvFileError, match="more than 2 rows"):
        CsvReader(questionnaire_from(Template.STANDARD), max_rows=2).read(text)


def test_unparseable_numbers_are_left_for_answer_checking() -> None:
    rows, _ = READER.read(HEADER + "\ne-1,Ada,ada@example.com,,,mentor,three,en,\n")
    assert rows[0].submission.answers["capacity"] == "three"


def test_a_cell_over_the_csv_modules_own_limit_is_named_by_line_and_column() -> None:
    huge = "x" * 131_073
    text = f"{HEADER}\ne-1,Ada,ada@example.com,,,mentor,2,en,\ne-2,{huge},b@example.com,,,,,,\n"
    with pytest.raises(CsvFileError, match=r"line 3, column 2 \(Full Name\)") as caught:
        READER.read(text)
    assert "131073 characters" in str(caught.value)
    assert f"at most {MAX_CELL_CHARS}" in str(caught.value)


def test_the_cell_cap_is_a_setting_of_the_reader() -> None:
    reader = CsvReader(questionnaire_from(Template.STANDARD), max_rows=10, max_cell_chars=20)
    fits = f"{HEADER}\ne-1,{'A' * 20},ada@example.com,,,mentor,2,en,\n"
    assert len(reader.read(fits)[0]) == 1
    quoted = f'{HEADER}\ne-1,Ada,ada@example.com,,,mentor,2,"en\n{"x" * 20}",\n'
    with pytest.raises(CsvFileError, match=r"line 3, column 8 \(languages\).*at most 20"):
        reader.read(quoted)
    header = "employee_id,name,email," + "y" * 21 + "\n"
    with pytest.raises(CsvFileError, match=r"line 1, column 4 "):
        reader.read(header)


def test_old_mac_line_endings_are_lines_not_a_crash() -> None:
    rows_text = "e-1,Ada,ada@example.com,,,mentor,2,en,\re-2,Bo,bo@example.com,,,mentee,,en,\r"
    text = f"{HEADER}\r{rows_text}"
    rows, problems = READER.read(text)
    assert problems == []
    assert [(row.row, row.submission.employee_id) for row in rows] == [(2, "e-1"), (3, "e-2")]
