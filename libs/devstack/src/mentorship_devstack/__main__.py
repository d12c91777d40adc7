"""The local stack's command line.

devstack up              start tansu + SecantusDB, create the topics, print the env to use
devstack down            stop what `up` started
devstack status          say whether it runs
devstack restart-broker  restart the broker `up` started (its data survive when durable)
devstack topics          create the topics on KAFKA_BOOTSTRAP (optionally with --prefix)
devstack run             infrastructure, every service, the identity provider, the portal
                         and a local SMTP server with an inbox page; Ctrl-C stops everything
devstack token ID        print a participant's JWT for the local stack
devstack demo            on a running stack, a new demo program with people, pairs and history
devstack openapi         write (or --check) every service's OpenAPI document

The broker keeps its data on disk (DEVSTACK_KAFKA_STORAGE=durable, the default here) or in
memory (DEVSTACK_KAFKA_STORAGE=memory). `up` and `run` start from empty servers unless
--keep-data is given.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the commands import what they need: `devstack token` stays instant
    from mentorship_devstack.identity import IdentityProvider
    from mentorship_devstack.services import ServiceProcess
    from mentorship_devstack.stack import Infrastructure

DEFAULT_STATE_DIR = Path(".devstack")


def _print_env(bootstrap: str, url: str) -> None:
    sys.stdout.write(f"export KAFKA_BOOTSTRAP={bootstrap}\nexport MONGODB_URL='{url}'\n")


class _Progress:
    """Says on stderr what starts, with the time since the command began."""

    def __init__(self) -> None:
        self._started = time.monotonic()

    def __call__(self, message: str) -> None:
        sys.stderr.write(f"[{time.monotonic() - self._started:5.1f}s] {message}\n")
        sys.stderr.flush()


def _create_topics(bootstrap: str, prefix: str = "") -> list[str]:
    import asyncio

    from mentorship_devstack.topics import create_topics

    return asyncio.run(create_topics(bootstrap, prefix=prefix))


def up(state_dir: Path, *, keep_data: bool = False) -> int:
    """Start the embedded servers in the background and create the topics."""
    from mentorship_devstack.stack import EmbeddedStack, kafka_storage_from_environment

    progress = _Progress()
    stack = EmbeddedStack(
        state_dir, kafka_storage=kafka_storage_from_environment("durable"), progress=progress
    )
    infrastructure = stack.running()
    if infrastructure is None:
        infrastructure = stack.start(fresh=not keep_data)
    progress("creating the topics")
    _create_topics(infrastructure.kafka_bootstrap)
    _print_env(infrastructure.kafka_bootstrap, infrastructure.mongodb_url)
    return 0


def down(state_dir: Path) -> int:
    """Stop the embedded servers."""
    from mentorship_devstack.stack import EmbeddedStack

    stopped = EmbeddedStack(state_dir).stop()
    sys.stderr.write("stopped\n" if stopped else "nothing was running\n")
    return 0


def status(state_dir: Path) -> int:
    """Exit 0 and print the env when the stack runs, else exit 1."""
    from mentorship_devstack.stack import EmbeddedStack

    infrastructure = EmbeddedStack(state_dir).running()
    if infrastructure is None:
        sys.stderr.write("not running\n")
        return 1
    _print_env(infrastructure.kafka_bootstrap, infrastructure.mongodb_url)
    return 0


def restart_broker(state_dir: Path) -> int:
    """Restart the broker of the stack `up` started, on its port."""
    from mentorship_devstack.stack import EmbeddedStack

    started = time.monotonic()
    EmbeddedStack(state_dir).restart_kafka()
    sys.stderr.write(f"broker restarted in {time.monotonic() - started:.1f}s\n")
    return 0


def topics(prefix: str) -> int:
    """Create the topics on the broker named by KAFKA_BOOTSTRAP."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    created = _create_topics(bootstrap, prefix)
    sys.stdout.write("".join(f"created {name}\n" for name in created) or "all topics exist\n")
    return 0


def _port_for(name: str) -> int:
    from mentorship_devstack.services import DEFAULT_PORTS

    return _free_or(DEFAULT_PORTS[name])


def _free_or(port: int) -> int:
    """``port`` if nobody listens on it, else another free one."""
    from mentorship_devstack.servers import free_port

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return free_port()  # taken: pick another
    except OSError:
        return port


def run(state_dir: Path, *, keep_data: bool = False) -> int:
    """Infrastructure and every service in the foreground until Ctrl-C."""
    from mentorship_devstack import endpoints
    from mentorship_devstack.identity import DEV_USERS, start_identity_provider
    from mentorship_devstack.mailbox import Mailbox
    from mentorship_devstack.services import IDENTITY_PORT, SERVICES, start_service
    from mentorship_devstack.stack import provide
    from mentorship_devstack.tokens import auth_environment

    stop_requested = threading.Event()

    def request_stop(_signal: int, _frame: FrameType | None) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    progress = _Progress()
    running = provide(state_dir, progress=progress, fresh=not keep_data)
    infrastructure = running.infrastructure
    processes: list[ServiceProcess] = []
    identity: IdentityProvider | None = None
    progress("starting the local SMTP inbox")
    mailbox = Mailbox().start()
    try:
        progress("creating the topics")
        _create_topics(infrastructure.kafka_bootstrap)
        progress("starting the identity provider")
        identity = start_identity_provider(
            port=_free_or(IDENTITY_PORT), state_dir=state_dir, users=DEV_USERS
        )
        identity.wait_ready()
        env = {
            "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
            **auth_environment(),
            **identity.service_environment(),
        }
        ports = {name: _port_for(name) for name in SERVICES}
        for name, port in ports.items():
            progress(f"starting {name} on port {port}")
            processes.append(
                start_service(
                    name,
                    port=port,
                    infrastructure=infrastructure,
                    log_dir=state_dir / "logs",
                    env=env | _service_env(name, ports, mailbox.host, mailbox.smtp_port),
                )
            )
        for process in processes:
            progress(f"waiting until {process.name} is ready")
            process.wait_ready()
        progress("starting the portal")
        processes.append(_start_portal(identity, processes, infrastructure, state_dir))
        processes[-1].wait_ready()
        progress("every service is ready")
        endpoints.record(state_dir, {process.name: process.base_url for process in processes})
        _announce(
            infrastructure.kafka_bootstrap,
            infrastructure.mongodb_url,
            processes,
            state_dir,
            identity,
            inbox=mailbox.url,
        )
        while not stop_requested.wait(0.5):
            crashed = [process.name for process in processes if not process.running]
            if crashed:
                sys.stderr.write(f"stopping: {', '.join(crashed)} exited (see {state_dir}/logs)\n")
                return 1
        return 0
    finally:
        sys.stderr.write("stopping services and infrastructure...\n")
        endpoints.forget(state_dir)
        for process in processes:
            process.stop()
        if identity is not None:
            identity.stop()
        mailbox.stop()
        running.stop()


def _service_env(
    name: str, ports: dict[str, int], smtp_host: str, smtp_port: int
) -> dict[str, str]:
    """What one service needs of the others.

    Notifications sends to the local inbox and asks registration, feedback and analytics where
    they run.
    """
    if name != "notifications":
        return {}
    return {
        "SMTP_HOST": smtp_host,
        "SMTP_PORT": str(smtp_port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports[name]}",
        **{
            f"{other.upper()}_URL": f"http://127.0.0.1:{ports[other]}"
            for other in ("registration", "feedback", "analytics")
            if other in ports
        },
    }


def _start_portal(
    identity: IdentityProvider,
    services: list[ServiceProcess],
    infrastructure: Infrastructure,
    state_dir: Path,
) -> ServiceProcess:
    """The web app, signing people in with ``identity`` and calling ``services``."""
    from mentorship_devstack.services import PORTAL_PORT, start_service

    port = _free_or(PORTAL_PORT)
    secret_file = state_dir / "portal-session-secret"
    if not secret_file.is_file():
        secret_file.write_text(secrets.token_urlsafe(48))
    env = {
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "PORTAL_SESSION_SECRET": secret_file.read_text().strip(),
        "OIDC_ISSUER": identity.issuer,
        **{f"{p.name.upper()}_URL": p.base_url for p in services},
    }
    return start_service(
        "portal", port=port, infrastructure=infrastructure, log_dir=state_dir / "logs", env=env
    )


def _scim_url(processes: list[ServiceProcess]) -> str:
    registration = next((p.base_url for p in processes if p.name == "registration"), "-")
    return f"{registration}/scim/v2"


def _announce(
    bootstrap: str,
    url: str,
    processes: list[ServiceProcess],
    state_dir: Path,
    identity: IdentityProvider,
    *,
    inbox: str,
) -> None:
    from mentorship_devstack.identity import ADMIN_ROLE
    from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, DEV_SCIM_TOKEN

    lines = ["", "Mentorship platform is up:"]
    lines += [
        f"  {p.name:<13} {p.base_url}   (API docs: {p.base_url}/docs)"
        for p in processes
        if p.name != "portal"
    ]
    portal = next(p for p in processes if p.name == "portal")
    lines += [
        f"  kafka         {bootstrap}",
        f"  mongodb       {url}",
        f"  logs          {state_dir / 'logs'}",
        f"  inbox         {inbox}   (every e-mail the stack sends, over SMTP)",
        f"  admin token   {DEV_ADMIN_TOKEN}   (participants: `devstack token <employee-id>`)",
        f"  scim token    {DEV_SCIM_TOKEN}   (identity providers: {_scim_url(processes)})",
        "",
        f"  portal        {portal.base_url}   <- open this in a browser",
        f"  identity      {identity.issuer}   (OpenID Connect provider for local use)",
        "  Sign in: open the portal, click 'Sign in', type any employee id (e.g. e-1) and press",
        "  Authorize (ada, grace and admin are one click away). To give a subject a name and",
        "  e-mail, or the admin role, before it signs in:",
        (
            f"    curl -X PUT {identity.issuer}/users/e-1 -H 'content-type: application/json' "
            '-d \'{"name": "Ada", "email": "ada@example.com"}\''
        ),
        (
            f"    curl -X PUT {identity.issuer}/users/pm-1 -H 'content-type: application/json' "
            f'-d \'{{"name": "Pat", "email": "pat@example.com", "roles": ["{ADMIN_ROLE}"]}}\''
        ),
        "Press Ctrl-C to stop everything.",
        "",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def token(
    employee_id: str | None,
    *,
    admin: bool,
    state_dir: Path,
    manager: Sequence[str] | None = None,
) -> int:
    """Print a participant (admin, program manager) JWT valid on the local stack for 12 hours.

    ``manager``: program ids the token names its holder a manager of (`--manager <id>`), or
    ``[""]`` for the bare program-manager role (`--manager`: may create programs).

    While `devstack run` runs from ``state_dir``, the services trust the identity provider's
    keys, so the token is signed with its key; otherwise with the tests' HS256 secret.
    """
    if not employee_id:
        sys.stderr.write("token needs an employee id: devstack token emp-1\n")
        return 2
    from mentorship_devstack.tokens import ADMIN_ROLE, manager_roles, stack_token

    roles = ((ADMIN_ROLE,) if admin else ()) + manager_roles(manager or ())
    signed = stack_token(state_dir, employee_id, roles=roles)
    sys.stdout.write(signed + "\n")
    return 0


def openapi_documents(root: Path, *, check: bool) -> int:
    """Write, or check, every service's committed OpenAPI document."""
    from mentorship_devstack import openapi

    if not check:
        openapi.write(root)
        return 0
    outdated = openapi.stale(root)
    for service in outdated:
        sys.stderr.write(f"out of date: services/{service}/openapi.json (run `make openapi`)\n")
    return 1 if outdated else 0


def up_unless_configured(state_dir: Path, *, keep_data: bool = False) -> int:
    """`up`, unless the environment already names servers to use."""
    from mentorship_devstack.stack import from_environment

    if from_environment() is not None:
        sys.stderr.write("KAFKA_BOOTSTRAP and MONGODB_URL are set: nothing to start\n")
        return 0
    return up(state_dir, keep_data=keep_data)


def _demo(state_dir: Path, people: int, seed: int, urls: list[str]) -> int:
    from mentorship_devstack.demo import demo

    return demo(state_dir, people=people, seed=seed, url_options=urls)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="devstack", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "command",
        choices=[
            "up",
            "down",
            "status",
            "restart-broker",
            "topics",
            "run",
            "token",
            "openapi",
            "demo",
        ],
    )
    parser.add_argument("employee_id", nargs="?", help="employee id (token command)")
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    parser.add_argument("--prefix", default="", help="topic prefix (topics command)")
    parser.add_argument("--admin", action="store_true", help="give the token the admin role")
    parser.add_argument(
        "--manager",
        action="append",
        nargs="?",
        const="",
        metavar="PROGRAM_ID",
        help="token: the program-manager role (may create programs); with a program id, "
        "manager of that program (repeat for several)",
    )
    parser.add_argument("--check", action="store_true", help="openapi: fail if out of date")
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="up/run: keep the broker's and the database's data of the last run",
    )
    parser.add_argument("--people", type=int, default=300, help="demo: how many register")
    parser.add_argument("--seed", type=int, default=7, help="demo: the same seed, the same people")
    parser.add_argument(
        "--url",
        action="append",
        default=[],
        metavar="NAME=URL",
        help="demo: a service's address (default: what `devstack run` recorded, else 800x)",
    )
    args = parser.parse_args(argv)
    commands: dict[str, Callable[[], int]] = {
        "up": lambda: up_unless_configured(args.state_dir, keep_data=args.keep_data),
        "down": lambda: down(args.state_dir),
        "status": lambda: status(args.state_dir),
        "restart-broker": lambda: restart_broker(args.state_dir),
        "topics": lambda: topics(args.prefix),
        "run": lambda: run(args.state_dir, keep_data=args.keep_data),
        "token": lambda: token(
            args.employee_id, admin=args.admin, state_dir=args.state_dir, manager=args.manager
        ),
        "openapi": lambda: openapi_documents(Path.cwd(), check=args.check),
        "demo": lambda: _demo(args.state_dir, args.people, args.seed, args.url),
    }
    return commands[args.command]()


if __name__ == "__main__":
    raise SystemExit(main())
