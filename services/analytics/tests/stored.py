"""The read models on a real database, for the tests that store what they project."""

from __future__ import annotations

from datetime import timedelta

from mentorship_kit.metrics import Metrics
from mentorship_kit.mongo import Database
from mentorship_kit.outbox import Outbox, Transactor


def transactor_on(database: Database) -> Transactor:
    """A transactor on ``database`` whose outbox nothing relays."""
    return Transactor(
        database.client,
        Outbox(database, retention=timedelta(hours=1)),
        source="test",
        metrics=Metrics("test", "0"),
    )
