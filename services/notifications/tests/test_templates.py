"""Templates in English and French, from files, through gettext catalogues."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from jinja2 import Template

from mentorship_devstack.typography import french_line_breaks, french_straight_apostrophes
from notifications.adapters.mail import Mail, mime
from notifications.adapters.templates import Templates
from notifications.domain.explanations import Reason
from notifications.domain.kinds import Kind
from notifications.domain.programs import Branding

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "notifications"


def context(**extra: Any) -> dict[str, Any]:
    return {
        "program": {
            "name": "Pilot",
            "program_id": "p",
            "time_zone": "UTC",
            "goal_detail": "Grow the next team leads.",
            "registration_closes_at": datetime(2027, 2, 20, 17, 0, tzinfo=UTC),
        },
        "branding": Branding(logo_url="https://example.com/logo.png", primary_colour="#123456"),
        "recipient_name": "Ada <script>",
        "zone": "Europe/Paris",
        "action_url": "https://portal.example.com/pairs",
        "preferences_url": "https://portal.example.com/preferences",
        "unsubscribe_url": "https://n.example.com/v1/unsubscribe/t.s",
        **extra,
    }


MATCH = {
    "is_mentor": False,
    "other_name": "Grace",
    "other_email": "grace@example.com",
    "reasons": [Reason("skills", 0.6), Reason("time_zone", 0.2)],
    "agenda": None,
    "sessions_planned": 3,
}


def test_the_match_reads_in_english_and_french_and_html_is_escaped_and_branded() -> None:
    templates = Templates()
    english = templates.render(Kind.MATCH, "en", context(**MATCH))
    french = templates.render(Kind.MATCH, "fr", context(**MATCH))
    assert english.subject == "You have a match in Pilot"
    assert french.subject == "Vous avez un binôme dans Pilot"
    assert "Your mentor is Grace." in english.text
    assert "Votre mentor est Grace." in french.text
    assert "vos horaires de travail se recoupent (20\u00a0%)" in french.text
    assert "- your mentor offers skills you want to grow (60%)" in english.text
    assert "votre mentor propose des compétences que vous voulez développer" in french.text
    to_mentor = templates.render(Kind.MATCH, "en", context(**{**MATCH, "is_mentor": True}))
    assert "You will be mentoring Grace." in to_mentor.text
    assert "<li>you offer skills your mentee wants to grow (60%)</li>" in to_mentor.html
    assert "3\u00a0séances sont prévues\u00a0:" in french.text
    assert "Ada &lt;script&gt;" in english.html
    assert "<script>" not in english.html
    assert "#123456" in english.html
    assert "https://example.com/logo.png" in english.html
    assert "https://n.example.com/v1/unsubscribe/t.s" in english.text


def test_session_times_are_in_the_readers_zone_and_language() -> None:
    templates = Templates()
    session = {
        "method": "REQUEST",
        "change": "SessionScheduled",
        "starts_at": "2027-03-01T09:00:00+00:00",
        "duration_minutes": 60,
        "others": "Grace",
    }
    english = templates.render(Kind.SESSION_INVITATION, "en", context(**session))
    french = templates.render(Kind.SESSION_INVITATION, "fr", context(**session))
    assert english.subject == "Mentoring session on Monday 1 March 2027, 10:00 (Europe/Paris)"
    assert french.subject == "Séance de mentorat le lundi 1\u00a0mars 2027, 10:00 (Europe/Paris)"


EVERY_KIND: dict[str, Any] = {
    **MATCH,
    "role": "mentee",
    "method": "CANCEL",
    "change": "SessionCancelled",
    "starts_at": "2027-03-01T09:00:00+00:00",
    "duration_minutes": 60,
    "others": "",
    "survey_kind": "closing",
    "reason": "not_a_good_fit",
    "mentees_matched": 3,
    "mentees_considered": 4,
    "mentors_considered": 2,
    "flags": {
        "inactive_pairs": 1,
        "low_ratings": 0,
        "not_a_good_fit": 2,
        "mentors_over_capacity": 0,
    },
    "entries": [{"subject": "One", "text": "https://x"}],
    "reminder": 1,
    "mentee_name": "Lin",
    "rater_kind": "peer",
    "moment": "baseline",
    "expires_at": "2027-03-01T09:00:00+00:00",
    "source": "rule",
    "sessions_held": 6,
    "average_rating": 4.7,
    "request_id": "erq-1",
    "requested_at": "2027-03-01T09:00:00+00:00",
}


def test_every_kind_renders_in_every_language() -> None:
    templates = Templates()
    for kind in Kind:
        for language in ("en", "fr"):
            rendered = templates.render(kind, language, context(**EVERY_KIND))
            assert rendered.subject, (kind, language)
            assert rendered.text.strip(), (kind, language)
            assert "</html>" in rendered.html, (kind, language)


def test_the_action_labels_macro_module_is_built_once_per_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``_action.txt`` (the buttons' labels, imported by every message) is not built anew
    per message: Jinja keeps a template's module, and keeps the template while its file is
    unchanged. Guards `Templates.render` and the templates' imports against losing that
    (an import ``with context``, say, builds the module at every render)."""
    built: list[str | None] = []
    make_module = Template.make_module

    def counted(self: Template, *args: Any, **kwargs: Any) -> Any:
        built.append(self.name)
        return make_module(self, *args, **kwargs)

    monkeypatch.setattr(Template, "make_module", counted)
    templates = Templates()
    first = [templates.render(kind, "fr", context(**EVERY_KIND)) for kind in Kind]
    assert built.count("_action.txt") == 1
    again = [templates.render(kind, "fr", context(**EVERY_KIND)) for kind in Kind]
    templates.render(Kind.MATCH, "en", context(**MATCH))
    templates.render(Kind.MATCH, "en", context(**MATCH))
    assert built.count("_action.txt") == 2  # once for French, once for English
    assert again == first


def test_an_invitation_to_register_reads_as_one_to_someone_not_yet_a_member() -> None:
    templates = Templates()
    values = context(
        kind="invitation",
        audience="invitee",
        action_url="https://portal.example.com/programs/p/register",
    )
    english = templates.render(Kind.INVITATION, "en", values)
    assert english.subject == "You are invited to join Pilot"
    assert english.text.splitlines()[:7] == [
        "Hello Ada <script>,",
        "",
        "You are invited to join Pilot, a mentoring program.",
        "",
        "Grow the next team leads.",
        "",
        (
            "Take part as a mentor, a mentee or both: answer a short questionnaire about your "
            "skills, goals and availability, and you will be matched with a colleague whose "
            "profile fits yours."
        ),
    ]
    assert "Registration closes on Saturday 20 February 2027, 18:00 (Europe/Paris)." in (
        english.text
    )
    assert "Register now: https://portal.example.com/programs/p/register" in english.text
    assert "because you were invited to join Pilot" in english.text
    assert "as a member of" not in english.text
    assert 'href="https://portal.example.com/programs/p/register"' in english.html
    assert ">Register now</a>" in english.html
    french = templates.render(Kind.INVITATION, "fr", values)
    assert french.subject == "Vous êtes invité(e) à rejoindre Pilot"
    assert "S\u2019inscrire\u00a0: https://portal.example.com/programs/p/register" in french.text
    reminder = templates.render(Kind.INVITATION_REMINDER, "en", values | {"reminder": 2})
    assert reminder.subject == "Reminder: you are invited to join Pilot"
    assert "have not registered yet" in reminder.text
    assert "Registration closes on" in reminder.html


def test_plain_text_keeps_paragraphs_apart_and_labels_its_link() -> None:
    templates = Templates()
    session = context(
        kind="session_invitation",
        method="REQUEST",
        change="SessionScheduled",
        starts_at="2027-03-01T09:00:00+00:00",
        duration_minutes=60,
        others="Grace",
        action_url="https://portal.example.com/pairs/p1/sessions",
    )
    text = templates.render(Kind.SESSION_INVITATION, "en", session).text
    assert (
        "Your mentoring session is planned for Monday 1 March 2027, 10:00 (Europe/Paris); "
        "it lasts 60 minutes.\n\nWith: Grace\n" in text
    )
    assert "See your sessions: https://portal.example.com/pairs/p1/sessions\n\n-- \n" in text
    assert "\n\n\n" not in text


def test_the_health_digest_lists_only_what_is_flagged() -> None:
    templates = Templates()
    none = {"inactive_pairs": 0, "low_ratings": 0, "not_a_good_fit": 0, "mentors_over_capacity": 0}
    quiet = templates.render(Kind.HEALTH_DIGEST, "en", context(flags=none, audience="manager"))
    assert "Nothing needs your attention this week: no pair is flagged." in quiet.text
    assert "as a manager of Pilot" in quiet.text
    some = none | {"inactive_pairs": 3}
    flagged = templates.render(Kind.HEALTH_DIGEST, "en", context(flags=some))
    assert "- 3 pairs without a held session lately\n" in flagged.text
    assert "low session rating" not in flagged.text
    assert "<li>3 pairs without a held session lately</li>" in flagged.html


def _extracted(folder: Path) -> dict[str, Any]:
    """What ``pybabel extract`` with the service's babel.cfg finds: msgid -> its id(s)."""
    extracted = folder / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("pybabel")),
            "extract",
            "-F",
            str(PACKAGE / "babel.cfg"),
            "--no-location",
            "-o",
            str(extracted),
            str(PACKAGE),
        ],
        check=True,
        capture_output=True,
    )
    return _ids(extracted)


def _ids(catalogue: Path) -> dict[str, Any]:
    """Each message of a catalogue by its msgid (a plural's by its singular)."""
    with catalogue.open("rb") as handle:
        return {
            message.id if isinstance(message.id, str) else message.id[0]: message.id
            for message in read_po(handle)
            if message.id
        }


def test_messages_built_in_code_are_extracted_and_the_template_is_current(
    tmp_path: Path,
) -> None:
    """Regenerating messages.pot (README: Notifications, e-mail) loses nothing and adds nothing.

    The calendar titles are built in Python (`Templates.translate`): babel.cfg reads the code
    too, so a message added there and missing from messages.pot fails here.
    """
    extracted = _extracted(tmp_path)
    assert "%(program)s: mentoring session %(ordinal)s" in extracted
    assert "%(program)s: mentoring session" in extracted
    committed = _ids(PACKAGE / "locale" / "messages.pot")
    assert sorted(extracted.keys() - committed.keys()) == [], "missing from messages.pot"
    assert sorted(committed.keys() - extracted.keys()) == [], "no longer used"
    assert extracted == committed  # plural forms alike


def test_the_french_catalogue_translates_every_string_of_the_templates_and_the_code(
    tmp_path: Path,
) -> None:
    wanted = set(_extracted(tmp_path))
    with (PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        french = {  # a fuzzy translation is not used (write_mo leaves it out)
            message.id if isinstance(message.id, str) else message.id[0]: message.string
            for message in read_po(handle)
            if message.id and not message.fuzzy
        }
    assert wanted - french.keys() == set()
    untranslated = [
        key
        for key in wanted
        if not french[key] or (isinstance(french[key], tuple) and not all(french[key] or ()))
    ]
    assert untranslated == []


def test_a_rater_invitation_names_the_mentee_the_link_and_how_peers_are_shown() -> None:
    templates = Templates()
    values = context(
        kind="rater_invitation",
        audience="rater",
        recipient_name="",
        unsubscribe_url=None,
        mentee_name="Lin <b>",
        rater_kind="peer",
        moment="baseline",
        expires_at="2027-03-01T09:00:00+00:00",
        action_url="https://portal.example.com/skills/rater-links/a.b",
    )
    english = templates.render(Kind.RATER_INVITATION, "en", values)
    assert english.subject == "Lin <b> asks for your view of their skills"
    assert "as a colleague" in english.text
    assert "never one by one" in english.text
    assert "Give your view: https://portal.example.com/skills/rater-links/a.b" in english.text
    assert "Monday 1 March 2027, 10:00 (Europe/Paris)" in english.text
    assert "you are not signed up to anything" in english.text
    assert "Stop these messages" not in english.text
    assert "Lin &lt;b&gt;" in english.html
    french = templates.render(Kind.RATER_INVITATION, "fr", values | {"rater_kind": "manager"})
    assert french.subject == "Lin <b> vous demande votre avis sur ses compétences"
    assert "en tant que manager" in french.text
    assert "Donner votre avis" in french.html


def test_a_recognition_tells_the_mentor_why_and_what_they_did() -> None:
    templates = Templates()
    values = context(kind="mentor_recognized", source="rule", sessions_held=6, average_rating=4.72)
    english = templates.render(Kind.MENTOR_RECOGNIZED, "en", values)
    assert english.subject == "Your mentoring in Pilot is recognised"
    assert "reached the recognition threshold of Pilot" in english.text
    assert "You held 6 sessions with your mentees, who rated them 4.7 out of 5" in english.text
    by_manager = templates.render(
        Kind.MENTOR_RECOGNIZED, "fr", values | {"source": "manager", "average_rating": None}
    )
    assert "Les responsables de Pilot saluent votre travail de mentor." in by_manager.text
    assert "Vous avez tenu 6\u00a0séances avec vos mentoré(e)s." in by_manager.text


def test_french_punctuation_is_held_to_its_word_by_a_no_break_space() -> None:
    with (PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="fr")
    translations = (message.string for message in catalog if message.id)
    assert (
        french_line_breaks(translations, counted=("count", "minutes", "matched", "mentors")) == []
    )


def test_french_takes_the_typographic_apostrophe() -> None:
    """U+2019 in French text, never U+0027 (placeholders, markup and URLs may keep theirs)."""
    with (PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="fr")
    assert french_straight_apostrophes(message.string for message in catalog if message.id) == []


def test_french_messages_keep_their_no_break_spaces_and_english_is_unchanged() -> None:
    templates = Templates()
    reminder = context(kind="session_reminder", starts_at="2027-01-04T09:00:00+00:00", others="")
    french = templates.render(Kind.SESSION_REMINDER, "fr", reminder)
    english = templates.render(Kind.SESSION_REMINDER, "en", reminder)
    assert french.subject == (
        "Rappel\u00a0: séance de mentorat le lundi 4\u00a0janvier 2027, 10:00 (Europe/Paris)"
    )
    assert english.subject == (
        "Reminder: mentoring session on Monday 4 January 2027, 10:00 (Europe/Paris)"
    )
    assert "Besoin d\u2019un autre horaire\u202f? Déplacez" in french.text
    assert "Besoin d\u2019un autre horaire\u202f? Déplacez" in french.html
    assert "Ne plus recevoir ces messages\u00a0: https://n.example.com/" in french.text

    proposal = context(
        kind="proposal_ready",
        mentees_matched=1480,
        mentees_considered=1500,
        mentors_considered=900,
    )
    french = templates.render(Kind.PROPOSAL_READY, "fr", proposal)
    english = templates.render(Kind.PROPOSAL_READY, "en", proposal)
    assert "pour 1\u202f480\u00a0mentorés sur 1\u202f500, avec 900\u00a0mentors." in french.text
    assert "proposes pairs for 1480 of 1500 mentees, with 900 mentors." in english.text
    assert (french.action, english.action) == ("Examiner la proposition", "Review the proposal")

    match = context(**MATCH)
    assert "(60\u00a0%)" in templates.render(Kind.MATCH, "fr", match).html
    assert "(60%)" in templates.render(Kind.MATCH, "en", match).html


def test_a_calendar_invitations_title_is_in_the_readers_language() -> None:
    templates = Templates()
    numbered = "%(program)s: mentoring session %(ordinal)s"
    assert templates.translate("en", numbered, program="Pilot", ordinal=2) == (
        "Pilot: mentoring session 2"
    )
    assert templates.translate("fr", numbered, program="Pilot", ordinal=2) == (
        "Pilot\u00a0: séance de mentorat\u00a02"
    )
    plain = "%(program)s: mentoring session"
    assert templates.translate("fr", plain, program="Pilot") == "Pilot\u00a0: séance de mentorat"
    assert templates.translate("de", plain, program="Pilot") == "Pilot: mentoring session"


def test_a_subject_keeps_no_line_or_record_separator_from_a_name() -> None:
    """Left in, they folded the header there and let a line of the name pass for a header."""
    named = context(**MATCH) | {
        "program": context()["program"] | {"name": "Pilot\x1cBcc: x@y\u2028X"}
    }
    rendered = Templates().render(Kind.MATCH, "en", named)
    assert rendered.subject == "You have a match in Pilot Bcc: x@y X"
    mail = Mail(
        sender="Mentoring <mentoring@localhost>",
        to_name="Ada Lovelace",
        to_email="ada@example.com",
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        message_id="<m@localhost>",
    )
    sent = message_from_bytes(mime(mail).as_bytes())
    assert sent["Subject"] == rendered.subject
    assert sent["Bcc"] is None
