"""Storing a decision: its state and its events in one transaction."""

from __future__ import annotations

from feedback.domain.decisions import Decision
from mentorship_kit.outbox import Transaction


def stage_events(decision: Decision[object], tx: Transaction) -> None:
    """Stage the decision's events in the outbox: published if, and only if, ``tx`` commits."""
    for event in decision.events:
        tx.emit(event)
