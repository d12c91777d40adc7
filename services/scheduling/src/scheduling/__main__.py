"""``python -m scheduling``: run the service."""

from __future__ import annotations

from mentorship_kit.http import serve
from scheduling.app import build_app
from scheduling.settings import SchedulingSettings


def main() -> None:
    """Serve until SIGTERM."""
    serve(build_app, SchedulingSettings())


if __name__ == "__main__":
    main()
