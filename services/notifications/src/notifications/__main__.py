"""``python -m notifications``: run the service."""

from __future__ import annotations

from mentorship_kit.http import serve
from notifications.app import build_app
from notifications.settings import NotificationsSettings


def main() -> None:
    """Serve until SIGTERM."""
    serve(build_app, NotificationsSettings())


if __name__ == "__main__":
    main()
