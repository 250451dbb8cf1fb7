"""Prefect's temporary server starts before the flow needs it, and the flow uses that one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from flows.temporary_server import start_in_background, uses_temporary_server

STARTED_EARLY = """
import json
from flows.temporary_server import start_in_background
from prefect.client.orchestration import get_client
from prefect.server.api.server import SubprocessASGIServer

booting = start_in_background()
booting.join()
server = SubprocessASGIServer()
answered = server.running and server.server_process.poll() is None
with get_client(sync_client=True) as client:
    healthy = client.api_healthcheck() is None
    used = str(client.api_url).rstrip("/")
print(json.dumps({"answered": answered, "healthy": healthy, "started": server.api_url,
                  "used": used}))
"""


def test_no_server_is_started_when_prefect_has_an_api(prefect_harness) -> None:
    assert not uses_temporary_server()

    booting = start_in_background()

    assert booting is None
    assert "prefect-server-start" not in {t.name for t in threading.enumerate()}


def test_the_flow_finds_the_server_started_early_and_uses_it(tmp_path: Path) -> None:
    """Without PREFECT_API_URL, the server started in the background is the one Prefect's
    client then talks to (a second would double the wait and the memory)."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_LOGGING_LEVEL": "ERROR"}

    result = subprocess.run(
        [sys.executable, "-c", STARTED_EARLY], env=env, capture_output=True, text=True,
        timeout=240, check=False, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["answered"] and found["healthy"]
    assert found["used"] == found["started"]
