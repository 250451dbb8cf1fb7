"""The Prefect server the chaos tests' `zhibiao run` processes report to."""

from __future__ import annotations

import pytest


@pytest.fixture
def prefect_url(prefect_harness) -> str:
    from prefect.settings import get_current_settings

    return str(get_current_settings().api.url)
