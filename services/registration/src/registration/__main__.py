"""``python -m registration``: run the service."""

from __future__ import annotations

from mentorship_kit.http import serve
from registration.app import build_app
from registration.settings import RegistrationSettings


def main() -> None:
    """Serve until SIGTERM."""
    serve(build_app, RegistrationSettings())


if __name__ == "__main__":
    main()
