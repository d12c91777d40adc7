"""`make demo` (devstack demo) on a stack `devstack run` started: every report has data.

The stack and one demo run are shared by the module (they take minutes on a loaded machine):
the demo finds the services where `devstack run` recorded them (its default ports may be
taken, by another stack or by this test's neighbours), every report and its CSV then show
data, the README's quick-start examples work on the demo program, and the dashboard draws
every chart in a real headless Chromium (skipped without Debian's `chromium` and
`chromium-driver`, unless MENTORSHIP_REQUIRE_BROWSER=1; MENTORSHIP_SCREENSHOT_DIR keeps the
screenshot).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1200)]

STARTUP_TIMEOUT_S = 180.0
DEMO_TIMEOUT_S = 900.0
REPORTS = ("registration", "pairing", "sessions", "scores", "skills", "health")
CHARTS = ("registrations", "sessions", "funnel", "ratings", "scores", "topics")
ADMIN = bearer(DEV_ADMIN_TOKEN)


@dataclass(frozen=True)
class Demo:
    """What `devstack demo` printed and wrote."""

    output: str
    progress: str
    env: dict[str, str]

    def url(self, service: str) -> str:
        return self.env[f"{service.upper()}_URL"]

    def report(self, name: str) -> dict[str, Any]:
        response = httpx.get(
            f"{self.url('analytics')}/v1/programs/{self.env['PROGRAM']}/reports/{name}",
            headers=ADMIN,
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def _env_file(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        name, _, value = line.partition("=")
        [env[name]] = shlex.split(value)
    return env


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    state_dir = tmp_path_factory.mktemp("demo-stack")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"KAFKA_BOOTSTRAP", "MONGODB_URL", "MENTORSHIP_TESTCONTAINERS"}
    }
    env["KAFKA_SESSION_TIMEOUT_MS"] = "3000"
    stack = subprocess.Popen(
        [sys.executable, "-m", "mentorship_devstack", "run", "--state-dir", str(state_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        assert stack.stdout is not None
        printed = []
        for line in stack.stdout:
            printed.append(line)
            if "Press Ctrl-C" in line or time.monotonic() > deadline:
                break
        started = "".join(printed)
        assert (state_dir / "services.json").is_file(), f"no services recorded: {started}"
        finished = subprocess.run(
            [sys.executable, "-m", "mentorship_devstack", "demo", "--state-dir", str(state_dir)],
            capture_output=True,
            text=True,
            env=env,
            timeout=DEMO_TIMEOUT_S,
            check=False,
        )
        assert finished.returncode == 0, finished.stderr[-3000:]
        yield Demo(finished.stdout, finished.stderr, _env_file(state_dir / "demo.env"))
    finally:
        if stack.poll() is None:
            stack.send_signal(signal.SIGINT)
            try:
                stack.wait(timeout=60)
            except subprocess.TimeoutExpired:
                stack.kill()
                stack.wait()
    assert not (state_dir / "services.json").exists(), "`devstack run` forgets them when done"


def test_the_demo_says_what_it_does_and_where_to_look(demo: Demo) -> None:
    steps = [line for line in demo.progress.splitlines() if re.match(r"\[\s*\d+\.\ds\] ", line)]
    for step in ("questionnaire edited", "imported 300 people", "proposal:", "held their first"):
        assert any(step in line for line in steps), f"no progress line for {step!r}"
    program = demo.env["PROGRAM"]
    dashboard = f"{demo.url('analytics')}/dashboard?program={program}#token={DEV_ADMIN_TOKEN}"
    assert dashboard in demo.output
    assert '"Demo program 1: Growing leaders"' in demo.output
    assert demo.env["MENTEE"].split()[-1] in demo.output, "a participant token to try"


def test_every_report_has_data(demo: Demo) -> None:
    registration = demo.report("registration")
    assert registration["participants"] == 296
    assert registration["withdrawn"] == 4
    assert min(registration[k] for k in ("mentors", "mentees", "both", "mentor_capacity")) > 0
    assert registration["registrations_by_day"]
    assert {"role", "seniority", "skills_to_grow", "heard_about"} <= set(registration["answers"])

    pairing = demo.report("pairing")
    assert pairing["active_pairs"] > 100
    assert 0 < pairing["match_rate"] < 1
    assert sum(bucket["pairs"] for bucket in pairing["score_distribution"]) == pairing["pairs"]
    assert pairing["unmatched_by_reason"]
    assert pairing["ended_by_reason"] == {"not_a_good_fit": 1}
    assert pairing["rematches"] >= 1
    assert pairing["runs"] == pairing["runs_approved"] == 2

    sessions = demo.report("sessions")
    assert min(sessions[k] for k in ("scheduled", "held", "missed", "cancelled")) > 0
    assert sum(week["held"] for week in sessions["held_by_week"]) == sessions["held"]
    assert 0 < sessions["funnel"]["rated_by_both"] < sessions["funnel"]["held"]

    scores = demo.report("scores")
    assert scores["ratings"] > sessions["held"], "both members rate most sessions"
    assert sum(scores["rating_distribution"].values()) == scores["ratings"]
    assert scores["ratings_by_month"]
    assert scores["fit_good"] > 0
    assert (scores["fit_not_good"], scores["fit_concerns"]) == (1, {"goals_mismatch": 1})
    assert scores["surveys"]["responses"] > 0
    assert scores["surveys"]["nps"] is not None

    skills = demo.report("skills")
    assert len(skills["topics"]) >= 10
    assert 0 < skills["goals_completed"] < skills["goals"]
    assert skills["goals_by_topic"]

    health = demo.report("health")
    assert health["low_ratings"]
    assert len(health["not_a_good_fit"]) == 1
    assert health["mentors_over_capacity"]
    assert health["key_result"]["on_track"] is False, "six weeks in, no mentee has 6 sessions"
    # The only empty flag: no pair can have gone 45 days without a session, since the
    # services record history only as it happens (pairs are made now).
    assert health["inactive_pairs"] == []

    for name in REPORTS:
        csv = httpx.get(
            f"{demo.url('analytics')}/v1/programs/{demo.env['PROGRAM']}/reports/{name}.csv",
            headers=ADMIN,
            timeout=30,
        )
        assert csv.status_code == 200, name
        assert len(csv.text.splitlines()) > 2, name


def test_the_readme_examples_work_on_the_demo_program(demo: Demo) -> None:
    program, registration = demo.env["PROGRAM"], demo.url("registration")
    questionnaire = f"{registration}/v1/programs/{program}/questionnaire"
    read = httpx.get(questionnaire, headers=ADMIN).json()
    assert read["version"] == 2, "the demo edited the template once"
    read["questions"].append(
        {
            "key": "confidence",
            "kind": "scale",
            "minimum": 1,
            "maximum": 5,
            "prompt": "How confident are you about your next career step?",
        }
    )
    saved = httpx.put(questionnaire, headers=ADMIN, json=read)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 3

    mentee = {"Authorization": demo.env["MENTEE"].split(": ", 1)[1]}
    session = demo.env["SESSION"]
    held = httpx.post(
        f"{demo.url('scheduling')}/v1/sessions/{session}/held",
        headers=mentee,
        json={"duration_minutes": 45},
    )
    assert held.status_code == 200, held.text
    assert held.json()["status"] == "held"
    deadline = time.monotonic() + 60
    feedback = httpx.post(
        f"{demo.url('feedback')}/v1/sessions/{session}/feedback",
        headers=mentee,
        json={"rating": 5, "topics": ["career_planning"]},
    )
    while feedback.status_code == 409 and time.monotonic() < deadline:  # not heard of yet
        time.sleep(0.5)
        feedback = httpx.post(
            f"{demo.url('feedback')}/v1/sessions/{session}/feedback",
            headers=mentee,
            json={"rating": 5, "topics": ["career_planning"]},
        )
    assert feedback.status_code in {200, 201}, feedback.text

    second = f"{demo.env['PAIR']}.s002"
    soon = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    mentor = {"Authorization": demo.env["MENTOR"].split(": ", 1)[1]}
    moved = httpx.post(
        f"{demo.url('scheduling')}/v1/sessions/{second}/reschedule",
        headers=mentor,
        json={"starts_at": soon},
    )
    assert moved.status_code == 200, moved.text
    held = httpx.post(f"{demo.url('scheduling')}/v1/sessions/{second}/held", headers=mentor)
    assert held.status_code == 200, held.text


def _browser_paths() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def test_the_dashboard_draws_every_chart_of_the_demo(demo: Demo, tmp_path: Path) -> None:
    paths = _browser_paths()
    if paths is None:
        if os.environ.get("MENTORSHIP_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium and chromium-driver are required (apt install them)")
        pytest.skip("chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1800"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(paths[1]), options=options)
    try:
        program = demo.env["PROGRAM"]
        driver.get(f"{demo.url('analytics')}/dashboard?program={program}#token={DEV_ADMIN_TOKEN}")
        WebDriverWait(driver, 60).until(
            lambda d: (
                d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") in {"true", "error"}
            )
        )
        assert driver.find_element(By.ID, "error").text == ""
        for chart in CHARTS:
            plot = driver.find_element(By.ID, f"chart-{chart}")
            drawn = plot.find_elements(By.CSS_SELECTOR, "g.trace path, g.trace .point path")
            assert drawn, f"chart {chart} draws no bars, points or funnel"
        flags = {
            row.find_elements(By.TAG_NAME, "td")[0].text: int(
                row.find_elements(By.TAG_NAME, "td")[1].text
            )
            for row in driver.find_elements(By.CSS_SELECTOR, "#flags tbody tr")
        }
        assert sum(1 for count in flags.values() if count > 0) == 4, flags
        keep = os.environ.get("MENTORSHIP_SCREENSHOT_DIR")
        screenshot = (Path(keep) if keep else tmp_path) / "demo-dashboard.png"
        assert driver.save_screenshot(str(screenshot))
    finally:
        driver.quit()
