"""The dashboard's outcomes section in a real headless Chromium, with a screenshot.

Same browser requirements as `test_dashboard_browser.py` (whose fixture it uses); set
MENTORSHIP_SCREENSHOT_DIR to keep the screenshot (``dashboard-outcomes.png``).
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from PIL import Image
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from mentorship_contracts.examples import PROGRAM
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import ServiceLauncher, eventually
from mentorship_devstack.stack import Infrastructure
from mentorship_devstack.tokens import DEV_ADMIN_TOKEN, bearer

from . import test_dashboard_browser
from .test_outcomes_api import scenario

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

chromium = test_dashboard_browser.chromium


async def test_the_dashboard_shows_outcomes_and_hides_small_groups(
    launch: ServiceLauncher,
    infrastructure: Infrastructure,
    kafka_prefix: str,
    chromium: webdriver.Chrome,
    tmp_path: Path,
) -> None:
    analytics = launch("analytics")
    await publish_events(infrastructure.kafka_bootstrap, scenario(), prefix=kafka_prefix)
    async with httpx.AsyncClient(base_url=analytics.base_url, timeout=10) as client:
        await eventually(
            lambda: client.get(
                f"/v1/programs/{PROGRAM}/reports/outcomes", headers=bearer(DEV_ADMIN_TOKEN)
            ),
            lambda r: (
                r.status_code == 200
                and bool(r.json()["groups"])
                and r.json()["groups"][0]["comparison"] == 20
                and r.json()["groups"][0]["rates"][2]["comparison_rate"] == 17 / 20
            ),
            timeout_s=60,
        )

    chromium.get(f"{analytics.base_url}/dashboard?program={PROGRAM}#token={DEV_ADMIN_TOKEN}")
    WebDriverWait(chromium, 30).until(
        lambda d: (
            d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") in {"true", "error"}
        )
    )
    assert chromium.find_element(By.ID, "error").text == ""
    section = chromium.find_element(By.ID, "outcomes")
    chromium.execute_script("arguments[0].scrollIntoView()", section)
    assert section.find_elements(By.CSS_SELECTOR, "#chart-outcomes svg.main-svg")
    titles = [title.text for title in section.find_elements(By.TAG_NAME, "h3")]
    assert titles == ["Mentees: 10 against 20 non-participants", "Mentors"]
    rows = [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in section.find_elements(By.CSS_SELECTOR, "table.outcome-rates tbody tr")
    ]
    assert [row[:3] for row in rows] == [
        ["Promotion", "60%", "20%"],
        ["Internal move", "0%", "0%"],
        ["Retention", "100%", "85%"],
    ]
    assert rows[0][3].startswith("+40 pts (")
    assert "Hidden: the mentors" in section.text
    assert "Only 10 mentees" in section.text

    keep = os.environ.get("MENTORSHIP_SCREENSHOT_DIR")
    screenshot = (Path(keep) if keep else tmp_path) / "dashboard-outcomes.png"
    assert section.screenshot(str(screenshot))
    image = Image.open(screenshot).convert("RGB")
    colours: list[tuple[int, tuple[int, int, int]]] = image.getcolors(maxcolors=1 << 20) or []  # type: ignore[assignment]  # RGB pixels are triples
    accent = sum(
        count
        for count, (r, g, b) in colours
        if abs(r - 0x2F) < 12 and abs(g - 0x6F) < 12 and abs(b - 0xDE) < 12
    )
    assert accent > 500, "the mentees' bars are not drawn"
