"""What erasure leaves of a participant: ratings and scores as anonymous numbers, no text."""

from __future__ import annotations

from collections.abc import Mapping

ERASED = "erased"
"""Stands in for an erased participant in records kept only as anonymous counts."""

FEEDBACK_KEPT_ANONYMOUS: Mapping[str, object] = {
    "participant_id": ERASED,
    "action_items": [],
    "private_notes": "",
    "progress": [],
}
"""How an erased participant's session feedback is rewritten: rating and topics stay."""

FIT_KEPT_ANONYMOUS: Mapping[str, object] = {"participant_id": ERASED, "reason": ""}
"""How an erased participant's fit answers are rewritten: the yes/no and concern stay."""

SURVEY_KEPT_ANONYMOUS: Mapping[str, object] = {"participant_id": ERASED, "comments": ""}
"""How an erased participant's survey responses are rewritten: the scores stay."""
