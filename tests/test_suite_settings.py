"""Settings of the test suite itself that keep `make test` stable on a loaded machine."""

from __future__ import annotations

from hypothesis import settings


def test_property_tests_have_no_deadline() -> None:
    """Hypothesis' 200 ms deadline per example failed correct tests under load."""
    assert settings.default.deadline is None
