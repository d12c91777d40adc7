"""Registration's own Prometheus metrics (beside the kit's HTTP, outbox and consumer ones)."""

from __future__ import annotations

from mentorship_kit.metrics import Metrics
from mentorship_kit.outbox import Transaction


class RegistrationMetrics:
    """Counters of what the directory and invitations did, counted once committed."""

    def __init__(self, metrics: Metrics) -> None:
        self._directory_changes = metrics.counter(
            "registration_directory_changes_total",
            "Directory changes announced (DirectoryPersonChanged), by source.",
            "source",
        )
        self._left = metrics.counter(
            "registration_left_organisation_total",
            "Registrations withdrawn because the directory deactivated the person.",
        )
        self._invitations = metrics.counter(
            "registration_invitations_sent_total", "Invitations sent (InvitationSent)."
        )
        self._reminders = metrics.counter(
            "registration_invitation_reminders_sent_total",
            "Invitation reminders sent (InvitationReminderSent).",
        )

    def count_committed(self, tx: Transaction) -> None:
        """Count this transaction's events once it commits (never if it aborts)."""
        tx.after_commit(lambda: self._count(tx))

    def _count(self, tx: Transaction) -> None:
        for envelope in tx.events:
            match envelope.event_type:
                case "DirectoryPersonChanged":
                    self._directory_changes.labels(
                        source=str(getattr(envelope.data, "source", ""))
                    ).inc()
                case "ParticipantWithdrew" if (
                    str(getattr(envelope.data, "reason", "")) == "left_organisation"
                ):
                    self._left.inc()
                case "InvitationSent":
                    self._invitations.inc()
                case "InvitationReminderSent":
                    self._reminders.inc()
                case _:
                    pass
