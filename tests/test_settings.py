"""Settings: ZHIBIAO_* variables read by pydantic-settings when a run starts, each documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.settings import SettingsError, load_settings, setting_variables
from tests.conftest import REPO


def test_variables_are_read_when_settings_are_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIBIAO_BATCH_SIZE", "250")
    monkeypatch.setenv("ZHIBIAO_SCHEDULE_TZ", "Asia/Urumqi")
    monkeypatch.setenv("ZHIBIAO_ALLOW_HARD_LINKS", "1")
    monkeypatch.setenv("ZHIBIAO_WORKERS", "")  # empty: the default
    settings = load_settings(inbox=Path("in"))
    assert (settings.batch_size, settings.schedule_timezone) == (250, "Asia/Urumqi")
    assert settings.allow_hard_links and settings.workers >= 1
    assert settings.inbox == Path("in")


def test_run_options_never_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIBIAO_FULL_REFRESH", "1")
    monkeypatch.setenv("ZHIBIAO_INBOX", "/somewhere/else")
    settings = load_settings()
    assert not settings.full_refresh and settings.inbox == Path("data/inbox")


def test_every_bad_value_is_named_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIBIAO_BATCH_SIZE", "0")
    monkeypatch.setenv("ZHIBIAO_PUBLISH_URL", "bucket/zhibiao")
    with pytest.raises(SettingsError) as raised:
        load_settings(wait_seconds=-1)
    message = str(raised.value)
    assert "\n" not in message
    assert "ZHIBIAO_BATCH_SIZE='0' is not valid: expected a whole number, at least 1" in message
    assert "ZHIBIAO_PUBLISH_URL='bucket/zhibiao' is not valid: expected an fsspec URL" in message
    assert "--wait-seconds=-1 is not valid: expected a number of seconds, at least 0" in message


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") :]
    missing = [name for name in setting_variables() if f"| `{name}` |" not in table]
    assert missing == []
