"""The report of the sample inbox in headless Chromium: charts drawn, nothing fetched from the
network, and a value in the report leading to its highlighted sentence.

Debian's chromium and chromium-driver (`.ci/run` installs them). Without them the test skips
locally and fails in CI (CI set). It leaves screenshots in the run's VAR/report/.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from flows.nightly import nightly
from tests.conftest import SAMPLE_INBOX

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
    "--disable-default-apps", "--window-size=1280,1000",
)  # fmt: skip
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome"}
"""Where a request may go: this disk, inline data, the browser's own pages."""
SELECTED = "rgba(255, 159, 28, 1)"
"""The background of the selected fact's marks (--target in report.css)."""


def _missing_browser() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return f"{', '.join(missing)} missing (Debian packages chromium and chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (dev extra)"
    return None


@pytest.fixture(scope="module")
def sample_report(prefect_harness, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A nightly run of the sample inbox, which writes the report at its end: VAR."""
    if reason := _missing_browser():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("report")
    shutil.copytree(SAMPLE_INBOX, root / "inbox")
    summary = nightly(inbox=str(root / "inbox"), var=str(root / "var"))
    assert summary["status"] == "loaded"
    assert summary["report"] == str(root / "var" / "report" / "index.html")
    assert summary["report_error"] is None
    return root / "var"


def _fonts_conf(folder: Path) -> Path:
    """fontconfig with the CJK font of the dev extra, so screenshots show Chinese, not boxes."""
    extra = ""
    try:
        from tests.documents import cjk_font

        extra = f"<dir>{cjk_font().parent}</dir>"
    except ImportError:
        pass
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"{extra}<cachedir>{folder / 'fontconfig'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return conf


@pytest.fixture
def browser(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    environment = {**os.environ, "FONTCONFIG_FILE": str(_fonts_conf(tmp_path))}
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER), env=environment))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _requested_urls(driver) -> list[str]:
    messages = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
    return [
        m["params"]["request"]["url"]
        for m in messages
        if m["method"] == "Network.requestWillBeSent"
    ]


def test_report_opens_offline_draws_charts_and_a_value_reaches_its_evidence(
    sample_report: Path, browser
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    report = sample_report / "report"
    _requested_urls(browser)  # the browser's own start-up page is not ours
    requested: list[str] = []

    browser.get((report / "index.html").as_uri())
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script(
            "const all = document.querySelectorAll('.chart');"
            "return all.length > 0 && [...all].every(c => c.classList.contains('is-rendered'));"
        )
    )
    charts = browser.find_elements(By.CSS_SELECTOR, ".chart")
    assert len(charts) >= 10  # a level and a growth chart for most of the sample's regions
    for chart in charts:
        assert chart.find_elements(By.CSS_SELECTOR, "svg, canvas"), chart.get_attribute("id")
        drawn = chart.find_elements(By.CSS_SELECTOR, "g.points path")
        assert drawn, f"{chart.get_attribute('id')} draws no bar or point"
    browser.save_screenshot(str(report / "screenshot.png"))
    requested += _requested_urls(browser)

    # A level in a table of latest values: click, and its sentence is shown, highlighted.
    link = next(
        a for a in browser.find_elements(By.CSS_SELECTOR, "table.latest a.value-link")
        if "亿元" in a.text
    )  # fmt: skip
    key, number = link.get_attribute("data-fact"), link.text.split()[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    WebDriverWait(browser, 30).until(
        lambda d: (
            d.current_url.endswith(f"#f-{key}")
            and d.find_elements(By.CSS_SELECTOR, "mark.is-target[data-facts]")
        )
    )
    marks = browser.find_elements(By.CSS_SELECTOR, "mark.is-target[data-facts]")
    assert all(key in m.get_attribute("data-facts").split() for m in marks)
    assert number in "".join(m.text for m in marks)  # the evidence states the value
    top, bottom, left, right, height, width = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return [r.top, r.bottom, r.left, r.right, window.innerHeight, window.innerWidth];",
        marks[0],
    )
    assert 0 <= top < bottom <= height and 0 <= left < right <= width, "scrolled into view"
    assert marks[0].value_of_css_property("background-color") == SELECTED
    assert number in browser.find_element(By.ID, "panel").text
    browser.save_screenshot(str(report / "screenshot-evidence.png"))
    requested += _requested_urls(browser)

    assert any(url.endswith("assets/plotly.min.js") for url in requested)
    left_the_machine = [u for u in requested if urlsplit(u).scheme not in LOCAL_SCHEMES]
    assert not left_the_machine, left_the_machine
    console_errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not console_errors, console_errors
