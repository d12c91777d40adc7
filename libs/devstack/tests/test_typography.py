"""The French typography checks the services' catalogue tests share."""

from __future__ import annotations

from mentorship_devstack.typography import french_straight_apostrophes


def test_a_straight_apostrophe_in_french_prose_is_flagged() -> None:
    flagged = french_straight_apostrophes(
        [
            "L'invitation jointe",
            "L\u2019invitation jointe",
            None,
            ("Vous avez %(count)s\u00a0binôme", "Vous n'avez %(count)s\u00a0binômes"),
        ]
    )
    assert flagged == ["L'invitation jointe", "Vous n'avez %(count)s\u00a0binômes"]


def test_code_markup_placeholders_and_urls_may_keep_straight_quotes() -> None:
    assert (
        french_straight_apostrophes(
            [
                "<a href='https://example.com/x'>Voir l\u2019offre</a>",
                "%(name)s et {{ _('x') }} et {% if a == 'b' %}",
                "Tapez `git commit -m 'x'`",
                "Lien\u00a0: https://example.com/l'a",
                "",
            ]
        )
        == []
    )
