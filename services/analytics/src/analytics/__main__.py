"""``python -m analytics``: run the service."""

from __future__ import annotations

from analytics.app import build_app
from analytics.settings import AnalyticsSettings
from mentorship_kit.http import serve


def main() -> None:
    """Serve until SIGTERM."""
    serve(build_app, AnalyticsSettings())


if __name__ == "__main__":
    main()
