"""`devstack demo` without a stack: where it looks for the services, and what it says."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentorship_devstack import endpoints, servers
from mentorship_devstack.__main__ import main
from mentorship_devstack.demo import DemoError, parse_url_options, service_urls
from mentorship_devstack.services import SERVICES


def test_services_are_found_where_run_recorded_them_else_on_their_default_ports(
    tmp_path: Path,
) -> None:
    assert service_urls(tmp_path, {})["analytics"] == "http://127.0.0.1:8005"
    endpoints.record(tmp_path, {"analytics": "http://127.0.0.1:9105"})
    assert service_urls(tmp_path, {})["analytics"] == "http://127.0.0.1:9105"
    assert service_urls(tmp_path, {})["registration"] == "http://127.0.0.1:8001"
    flagged = service_urls(tmp_path, {"analytics": "http://analytics.local:80/"})
    assert flagged["analytics"] == "http://analytics.local:80", "a flag wins"
    endpoints.forget(tmp_path)
    assert endpoints.recorded(tmp_path) == {}


def test_url_options_name_a_service_and_an_address() -> None:
    assert parse_url_options(["matching=http://h:1"]) == {"matching": "http://h:1"}
    with pytest.raises(DemoError, match="expected NAME=http"):
        parse_url_options(["matching:8002"])
    with pytest.raises(DemoError, match="unknown services \\['portal'\\]"):
        service_urls(Path("/nonexistent"), {"portal": "http://h:1"})


def test_without_a_stack_it_says_to_start_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nothing = [f"--url={name}=http://127.0.0.1:{servers.free_port()}" for name in SERVICES]
    assert main(["demo", "--state-dir", str(tmp_path), *nothing]) == 1
    said = capsys.readouterr().err
    assert "the stack is not running or not ready" in said
    assert "make run" in said
    assert not (tmp_path / "demo.env").exists()


def test_too_few_people_are_refused_before_anything_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--state-dir", str(tmp_path), "--people", "5"]) == 1
    assert "--people must be between 60 and 5000" in capsys.readouterr().err
