"""``python -m portal``: run the web app."""

from __future__ import annotations

import uvicorn

from mentorship_kit.logs import configure_logging
from portal.app import build_app
from portal.settings import PortalSettings


def main() -> None:
    """Serve until SIGTERM."""
    settings = PortalSettings()
    configure_logging("portal", settings.log_level, settings.log_format)
    uvicorn.run(
        build_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
