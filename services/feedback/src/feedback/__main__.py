"""``python -m feedback``: run the service."""

from __future__ import annotations

from feedback.app import build_app
from feedback.settings import FeedbackSettings
from mentorship_kit.http import serve


def main() -> None:
    """Serve until SIGTERM."""
    serve(build_app, FeedbackSettings())


if __name__ == "__main__":
    main()
