"""The dashboard in a real headless Chromium: every chart draws, and the screenshot is not blank.

Needs Debian's `chromium` and `chromium-driver` (CI installs them). Without them the test is
skipped, unless MENTORSHIP_REQUIRE_BROWSER=1 (as in CI) makes that a failure. Set
MENTORSHIP_SCREENSHOT_DIR to keep the screenshot.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import ServiceLauncher, eventually
from mentorship_devstack.stack import Infrastructure
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

from .histories import PROGRAM, history
from .memory import project
from .test_projection_properties import all_reports

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHARTS = (
    "registrations",
    "invitations",
    "invitations-departments",
    "sessions",
    "funnel",
    "ratings",
    "scores",
    "topics",
)
ACCENT = (0x2F, 0x6F, 0xDE)


def _browser_paths() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture
def chromium() -> Iterator[webdriver.Chrome]:
    paths = _browser_paths()
    if paths is None:
        if os.environ.get("MENTORSHIP_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium and chromium-driver are required (apt install them)")
        pytest.skip("chromium and chromium-driver are not installed")
    browser, driver_path = paths
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1800"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


async def test_the_dashboard_draws_every_chart(
    launch: ServiceLauncher,
    infrastructure: Infrastructure,
    kafka_prefix: str,
    chromium: webdriver.Chrome,
    tmp_path: Path,
) -> None:
    analytics = launch("analytics")
    events = history(68).envelopes
    reports = all_reports(project(events, [len(events)]))
    expected = {
        name: reports[name].model_dump(mode="json") for name in ("sessions", "registration")
    }
    await publish_events(infrastructure.kafka_bootstrap, events, prefix=kafka_prefix)
    async with httpx.AsyncClient(base_url=analytics.base_url, timeout=10) as client:

        async def both() -> dict[str, object]:
            answers = {
                name: await client.get(
                    f"/v1/programs/{PROGRAM}/reports/{name}", headers=bearer(DEV_ADMIN_TOKEN)
                )
                for name in expected
            }
            return {
                name: answer.json() if answer.status_code == 200 else answer.status_code
                for name, answer in answers.items()
            }

        # Every event projected, not only the sessions': the KPIs come from both reports.
        await eventually(both, lambda found: found == expected, timeout_s=60)
    registration = expected["registration"]
    sessions_held = expected["sessions"]["held"]

    chromium.get(f"{analytics.base_url}/dashboard?program={PROGRAM}#token={DEV_ADMIN_TOKEN}")
    WebDriverWait(chromium, 30).until(
        lambda d: (
            d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") in {"true", "error"}
        )
    )
    assert chromium.find_element(By.ID, "error").text == ""
    assert chromium.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true"
    for chart in CHARTS:
        plot = chromium.find_element(By.ID, f"chart-{chart}")
        assert plot.find_elements(By.CSS_SELECTOR, "svg.main-svg"), chart
        assert plot.size["height"] > 200
    kpis = {
        box.find_element(By.CLASS_NAME, "label").text.lower(): box.find_element(
            By.CLASS_NAME, "value"
        ).text
        for box in chromium.find_elements(By.CLASS_NAME, "kpi")
    }
    assert kpis["participants"] == str(registration["participants"])
    assert kpis["sessions held"] == str(sessions_held)
    invited = registration["invitations"]
    assert kpis["invited / registered"] == f"{invited['invited']} / {invited['registered']}"
    assert len(chromium.find_elements(By.CSS_SELECTOR, "#flags tbody tr")) == 8
    # The token left the address bar once read.
    assert DEV_ADMIN_TOKEN not in chromium.current_url

    keep = os.environ.get("MENTORSHIP_SCREENSHOT_DIR")
    screenshot = (Path(keep) if keep else tmp_path) / "dashboard.png"
    assert chromium.save_screenshot(str(screenshot))
    image = Image.open(screenshot).convert("RGB")
    assert image.size[0] >= 1200
    colours: list[tuple[int, tuple[int, int, int]]] = image.getcolors(maxcolors=1 << 20) or []  # type: ignore[assignment]  # RGB pixels are triples
    assert len(colours) > 200, "the screenshot is nearly blank"
    accent = sum(
        count
        for count, (r, g, b) in colours
        if abs(r - ACCENT[0]) < 12 and abs(g - ACCENT[1]) < 12 and abs(b - ACCENT[2]) < 12
    )
    assert accent > 2000, "the charts' bars and lines are not drawn"
