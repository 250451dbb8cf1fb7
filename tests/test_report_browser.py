"""The report in headless Chromium: the sample inbox's (charts drawn, nothing fetched from
the network, a value leading to its highlighted sentence, a note when no Chinese font
renders) and a 3,000-document run's (the index, an area page and an evidence page each open
in under 5 s; no page over 2 MB), and the schema page.

Debian's chromium and chromium-driver (`.ci/run` installs them). Without them the tests skip
locally and fail in CI (CI set). They leave screenshots in each run's VAR/report/screenshots/.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from flows.nightly import nightly
from flows.synthetic import generate_reports
from tests.conftest import SAMPLE_INBOX

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
    "--disable-default-apps", "--window-size=1280,1000",
)  # fmt: skip
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome", "chrome-untrusted"}
"""Where a request may go: this disk, inline data, the browser's own pages (Chromium 150 asks
for its new-tab page's chrome-untrusted:// parts while the report loads)."""
SELECTED = "rgba(255, 159, 28, 1)"
"""The background of the selected fact's marks (--target in report.css)."""
LARGE_RUN = 3000
OPEN_SECONDS = 5.0
MAX_PAGE_BYTES = 2_000_000
LATIN_FONTS = Path("/usr/share/fonts/truetype/dejavu")
"""Installed with Chromium (fonts-dejavu-core): a machine with no Chinese font."""


def _missing_browser() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return f"{', '.join(missing)} missing (Debian packages chromium and chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (dev extra)"
    return None


def _skip_without_browser() -> None:
    if reason := _missing_browser():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def sample_report(prefect_harness, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A nightly run of the sample inbox, which writes the report at its end: VAR."""
    _skip_without_browser()
    root = tmp_path_factory.mktemp("report")
    shutil.copytree(SAMPLE_INBOX, root / "inbox")
    summary = nightly(inbox=str(root / "inbox"), var=str(root / "var"))
    assert summary["status"] == "loaded"
    assert summary["report"] == str(root / "var" / "report" / "index.html")
    assert summary["report_error"] is None
    return root / "var"


@pytest.fixture(scope="module")
def large_report(prefect_harness, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A nightly run of 3,000 generated reports (its report written at its end): VAR."""
    _skip_without_browser()
    root = tmp_path_factory.mktemp("large")
    inbox = root / "inbox"
    inbox.mkdir()
    for report in generate_reports(LARGE_RUN, seed=7):
        (inbox / report.name).write_text(report.text, encoding="utf-8")
    summary = nightly(inbox=str(inbox), var=str(root / "var"), workers=1)
    assert (summary["status"], summary["documents_loaded"]) == ("loaded", LARGE_RUN)
    assert summary["report_error"] is None, "never skipped, whatever the number of documents"
    return root / "var"


def _fonts_conf(folder: Path, *, chinese: bool = True) -> Path:
    """fontconfig with the CJK font of the dev extra, so screenshots show Chinese, not boxes;
    or (chinese=False) with a Latin font only, as on a machine without a Chinese font."""
    if chinese:
        from tests.documents import cjk_font

        system = '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        dirs = f"{system}<dir>{cjk_font().parent}</dir>"
    else:
        dirs = f"<dir>{LATIN_FONTS}</dir>"
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"{dirs}<cachedir>{folder / 'fontconfig'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return conf


def _start_browser(folder: Path, *, chinese: bool = True):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={folder / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    fonts = _fonts_conf(folder, chinese=chinese)
    environment = {**os.environ, "FONTCONFIG_FILE": str(fonts)}
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER), env=environment))
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture
def browser(tmp_path: Path):
    driver = _start_browser(tmp_path)
    yield driver
    driver.quit()


def _screenshot(driver, var: Path, name: str) -> Path:
    folder = var / "report" / "screenshots"
    folder.mkdir(exist_ok=True)
    driver.save_screenshot(str(folder / f"{name}.png"))
    return folder / f"{name}.png"


def _charts_drawn(driver) -> bool:
    return driver.execute_script(
        "const all = document.querySelectorAll('.chart');"
        "return [...all].every(c => c.classList.contains('is-rendered'));"
    )


def _open(driver, url: str, ready) -> float:
    """Seconds from asking for the page to its being ready (loaded, charts drawn)."""
    from selenium.webdriver.support.ui import WebDriverWait

    started = time.perf_counter()
    driver.get(url)
    WebDriverWait(driver, 30, poll_frequency=0.05).until(ready)
    return time.perf_counter() - started


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
    assert browser.find_element(By.ID, "no-cjk-font").get_attribute("hidden") is not None
    _screenshot(browser, sample_report, "index")
    area = next(
        a for a in browser.find_elements(By.CSS_SELECTOR, "table.areas a") if a.text == "余杭区"
    )
    area.click()
    WebDriverWait(browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".chart") and _charts_drawn(d)
    )
    charts = browser.find_elements(By.CSS_SELECTOR, ".chart")
    for chart in charts:
        assert chart.find_elements(By.CSS_SELECTOR, "svg, canvas"), chart.get_attribute("id")
        drawn = chart.find_elements(By.CSS_SELECTOR, "g.points path")
        assert drawn, f"{chart.get_attribute('id')} draws no bar or point"
    _screenshot(browser, sample_report, "area")
    requested += _requested_urls(browser)

    # A level in the table of latest values: click, and its sentence is shown, highlighted.
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
    _screenshot(browser, sample_report, "evidence")
    requested += _requested_urls(browser)

    browser.get((report / "schema.html").as_uri())
    assert browser.find_elements(By.ID, "t-v_indicator_latest")
    _screenshot(browser, sample_report, "schema")
    requested += _requested_urls(browser)

    assert any(url.endswith("assets/plotly.min.js") for url in requested)
    left_the_machine = [u for u in requested if urlsplit(u).scheme not in LOCAL_SCHEMES]
    assert not left_the_machine, left_the_machine
    console_errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not console_errors, console_errors


def test_without_a_chinese_font_the_report_says_so(sample_report: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = _start_browser(tmp_path, chinese=False)
    try:
        driver.get((sample_report / "report" / "index.html").as_uri())
        note = driver.find_element(By.ID, "no-cjk-font")
        assert note.is_displayed() and "No Chinese font" in note.text
        _screenshot(driver, sample_report, "index-without-chinese-font")
    finally:
        driver.quit()


def test_a_3000_document_report_opens_page_by_page_in_seconds(large_report: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    report = large_report / "report"
    pages = sorted(report.rglob("*.html"))
    largest = max(pages, key=lambda p: p.stat().st_size)
    assert largest.stat().st_size < MAX_PAGE_BYTES, largest

    seconds = {}
    seconds["index"] = _open(
        browser, (report / "index.html").as_uri(),
        lambda d: d.execute_script("return document.readyState") == "complete"
        and d.find_elements(By.CSS_SELECTOR, "table.areas a"),
    )  # fmt: skip
    _screenshot(browser, large_report, "large-index")
    # The area with the most documents: the largest area page.
    area_page = max(report.glob("areas/*.html"), key=lambda p: p.stat().st_size)
    seconds["area"] = _open(
        browser, area_page.as_uri(),
        lambda d: d.find_elements(By.CSS_SELECTOR, ".chart") and _charts_drawn(d),
    )  # fmt: skip
    _screenshot(browser, large_report, "large-area")
    link = browser.find_element(By.CSS_SELECTOR, "table.latest a.value-link")
    evidence = link.get_attribute("href")
    seconds["evidence"] = _open(
        browser, evidence,
        lambda d: d.find_elements(By.CSS_SELECTOR, "mark.is-target[data-facts]"),
    )  # fmt: skip
    _screenshot(browser, large_report, "large-evidence")
    (report / "screenshots" / "seconds.json").write_text(json.dumps(seconds), encoding="utf-8")
    assert all(s < OPEN_SECONDS for s in seconds.values()), seconds
    console_errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not console_errors, console_errors
