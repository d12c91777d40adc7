"""The local stack's command line.

devstack up        start tansu + SecantusDB, create the topics, print the env to use
devstack down      stop what `up` started
devstack status    say whether it runs
devstack topics    create the topics on KAFKA_BOOTSTRAP (optionally with --prefix)
devstack run       infrastructure + all five services; Ctrl-C stops everything
devstack demo      on a running stack, a new demo program with people, pairs and history
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from mentorship_devstack import endpoints, openapi, servers
from mentorship_devstack.services import DEFAULT_PORTS, SERVICES, ServiceProcess, start_service
from mentorship_devstack.stack import EmbeddedStack, from_environment, provide
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, auth_environment, participant_token
from mentorship_devstack.topics import create_topics

DEFAULT_STATE_DIR = Path(".devstack")


def _print_env(bootstrap: str, url: str) -> None:
    sys.stdout.write(f"export KAFKA_BOOTSTRAP={bootstrap}\nexport MONGODB_URL='{url}'\n")


def up(state_dir: Path) -> int:
    """Start the embedded servers in the background and create the topics."""
    stack = EmbeddedStack(state_dir)
    infrastructure = stack.running()
    if infrastructure is None:
        infrastructure = stack.start()
    asyncio.run(create_topics(infrastructure.kafka_bootstrap))
    _print_env(infrastructure.kafka_bootstrap, infrastructure.mongodb_url)
    return 0


def down(state_dir: Path) -> int:
    """Stop the embedded servers."""
    stopped = EmbeddedStack(state_dir).stop()
    sys.stderr.write("stopped\n" if stopped else "nothing was running\n")
    return 0


def status(state_dir: Path) -> int:
    """Exit 0 and print the env when the stack runs, else exit 1."""
    infrastructure = EmbeddedStack(state_dir).running()
    if infrastructure is None:
        sys.stderr.write("not running\n")
        return 1
    _print_env(infrastructure.kafka_bootstrap, infrastructure.mongodb_url)
    return 0


def topics(prefix: str) -> int:
    """Create the topics on the broker named by KAFKA_BOOTSTRAP."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    created = asyncio.run(create_topics(bootstrap, prefix=prefix))
    sys.stdout.write("".join(f"created {name}\n" for name in created) or "all topics exist\n")
    return 0


def _port_for(name: str) -> int:
    port = DEFAULT_PORTS[name]
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return servers.free_port()  # taken: pick another
    except OSError:
        return port


def run(state_dir: Path) -> int:
    """Infrastructure and every service in the foreground until Ctrl-C."""
    stop_requested = threading.Event()

    def request_stop(_signal: int, _frame: FrameType | None) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    running = provide(state_dir)
    infrastructure = running.infrastructure
    processes: list[ServiceProcess] = []
    try:
        asyncio.run(create_topics(infrastructure.kafka_bootstrap))
        env = {"LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"), **auth_environment()}
        processes = [
            start_service(
                name,
                port=_port_for(name),
                infrastructure=infrastructure,
                log_dir=state_dir / "logs",
                env=env,
            )
            for name in SERVICES
        ]
        for process in processes:
            process.wait_ready()
        endpoints.record(state_dir, {process.name: process.base_url for process in processes})
        _announce(infrastructure.kafka_bootstrap, infrastructure.mongodb_url, processes, state_dir)
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
        running.stop()


def _announce(bootstrap: str, url: str, processes: list[ServiceProcess], state_dir: Path) -> None:
    lines = ["", "Mentorship platform is up:"]
    lines += [f"  {p.name:<13} {p.base_url}   (API docs: {p.base_url}/docs)" for p in processes]
    lines += [
        f"  kafka         {bootstrap}",
        f"  mongodb       {url}",
        f"  logs          {state_dir / 'logs'}",
        f"  admin token   {DEV_ADMIN_TOKEN}   (participants: `devstack token <employee-id>`)",
        "Press Ctrl-C to stop everything.",
        "",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def token(employee_id: str | None, *, admin: bool) -> int:
    """Print a participant (or admin) JWT valid on the local stack for 12 hours."""
    if not employee_id:
        sys.stderr.write("token needs an employee id: devstack token emp-1\n")
        return 2
    roles = ("mentorship-admin",) if admin else ()
    sys.stdout.write(participant_token(employee_id, roles=roles, ttl_s=12 * 3600) + "\n")
    return 0


def openapi_documents(root: Path, *, check: bool) -> int:
    """Write, or check, every service's committed OpenAPI document."""
    if not check:
        openapi.write(root)
        return 0
    outdated = openapi.stale(root)
    for service in outdated:
        sys.stderr.write(f"out of date: services/{service}/openapi.json (run `make openapi`)\n")
    return 1 if outdated else 0


def up_unless_configured(state_dir: Path) -> int:
    """`up`, unless the environment already names servers to use."""
    if from_environment() is not None:
        sys.stderr.write("KAFKA_BOOTSTRAP and MONGODB_URL are set: nothing to start\n")
        return 0
    return up(state_dir)


def _demo(state_dir: Path, people: int, seed: int, urls: list[str]) -> int:
    from mentorship_devstack.demo import demo

    return demo(state_dir, people=people, seed=seed, url_options=urls)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="devstack", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "command", choices=["up", "down", "status", "topics", "run", "token", "openapi", "demo"]
    )
    parser.add_argument("employee_id", nargs="?", help="employee id (token command)")
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    parser.add_argument("--prefix", default="", help="topic prefix (topics command)")
    parser.add_argument("--admin", action="store_true", help="give the token the admin role")
    parser.add_argument("--check", action="store_true", help="openapi: fail if out of date")
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
        "up": lambda: up_unless_configured(args.state_dir),
        "down": lambda: down(args.state_dir),
        "status": lambda: status(args.state_dir),
        "topics": lambda: topics(args.prefix),
        "run": lambda: run(args.state_dir),
        "token": lambda: token(args.employee_id, admin=args.admin),
        "openapi": lambda: openapi_documents(Path.cwd(), check=args.check),
        "demo": lambda: _demo(args.state_dir, args.people, args.seed, args.url),
    }
    return commands[args.command]()


if __name__ == "__main__":
    raise SystemExit(main())
