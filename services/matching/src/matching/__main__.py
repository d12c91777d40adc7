"""``python -m matching``: run the service."""

from __future__ import annotations

from matching.app import build_app
from matching.settings import MatchingServiceSettings
from mentorship_kit.http import serve


def main() -> None:
    """Serve until SIGTERM."""
    serve(build_app, MatchingServiceSettings())


if __name__ == "__main__":
    main()
