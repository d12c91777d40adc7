from __future__ import annotations

import pytest

from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_contracts.events import PairCreated, ParticipantRegistered, ParticipantWithdrew
from mentorship_contracts.topics import PAIRS, PARTICIPANTS
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.outbox import Transaction


async def _ignore[E: IntegrationEvent](event: Envelope[E], tx: Transaction) -> None:
    return None


def test_topics_follow_the_handled_events() -> None:
    handlers = EventHandlers()
    assert not handlers
    handlers.on(ParticipantRegistered)(_ignore)
    handlers.on(ParticipantWithdrew)(_ignore)
    handlers.on(PairCreated)(_ignore)
    assert handlers.topics() == (PARTICIPANTS, PAIRS)
    assert handlers.handler_for("PairCreated", 1) is _ignore
    assert handlers.handler_for("PairCreated", 2) is None
    assert handlers.handler_for("PairEnded", 1) is None


def test_one_handler_per_event() -> None:
    handlers = EventHandlers()
    handlers.on(PairCreated)(_ignore)
    with pytest.raises(ValueError, match="PairCreated already has a handler"):
        handlers.on(PairCreated)(_ignore)


def test_only_published_events_can_be_handled() -> None:
    class NotPublished(IntegrationEvent):
        """Never in the catalog."""

    with pytest.raises(LookupError, match="NotPublished"):
        EventHandlers().on(NotPublished)
