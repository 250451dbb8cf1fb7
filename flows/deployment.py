"""The nightly deployment: `nightly` on a cron schedule, served by this process.

`zhibiao serve` needs a Prefect server with its scheduler running: an ephemeral server (what
`zhibiao run` starts on the fly) has none. It uses the server at PREFECT_API_URL when one is
set, or starts `prefect server start` itself and stops it on exit. No Prefect Cloud account,
no work pool: `flow.serve`-style runners execute each scheduled run in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.settings import Settings
from transforms.errors import TerminalError, TransientError

DEPLOYMENT_NAME = "nightly"
TAGS = ["zhibiao", "nightly"]
SERVER_START_SECONDS = 120.0


def check_schedule(settings: Settings) -> None:
    """Refuse a cron string or time zone Prefect would reject, naming the setting to fix."""
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=settings.schedule_cron, timezone=settings.schedule_timezone)
    except ValidationError as error:
        reasons = "; ".join(e["msg"] for e in error.errors())
        raise TerminalError(
            f"schedule '{settings.schedule_cron}' in '{settings.schedule_timezone}' is not "
            f"valid ({reasons}): check ZHIBIAO_SCHEDULE_CRON (minute hour day month weekday, "
            "e.g. '0 2 * * *') and ZHIBIAO_SCHEDULE_TZ (an IANA zone, e.g. 'Asia/Shanghai')"
        ) from error


def build_deployment(settings: Settings):
    """The deployment of `nightly` that `zhibiao serve` runs: schedule and parameters from
    settings. Paths are made absolute: scheduled runs start in a subprocess of their own."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    from flows.nightly import nightly

    check_schedule(settings)
    return nightly.to_deployment(
        name=DEPLOYMENT_NAME,
        schedule=Cron(settings.schedule_cron, timezone=settings.schedule_timezone),
        parameters={
            "inbox": str(settings.inbox.resolve()),
            "var": str(settings.var.resolve()),
            "wait_seconds": settings.scheduled_wait_seconds,
        },
        description=(
            f"Zhibiao nightly load of {settings.inbox.resolve()} into "
            f"{settings.var.resolve()}, at '{settings.schedule_cron}' {settings.schedule_timezone}."
        ),
        tags=TAGS,
        # Loaded by module, not by file path: works from any working directory.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment or the active Prefect profile, if any."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


def is_healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as reply:
            return reply.status == 200
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return False


@contextmanager
def local_server(host: str, port: int, log_path: Path) -> Iterator[str]:
    """`prefect server start` (API, UI and scheduler) as a child process, until the block
    ends; yields its API URL. Its log goes to `log_path`."""
    api_url = f"http://{host}:{port}/api"
    if is_healthy(api_url):
        raise TerminalError(
            f"a Prefect server already answers at {api_url}: set PREFECT_API_URL={api_url} "
            "to use it, or pass another --port"
        )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", host,
             "--port", str(port), "--scheduler", "--analytics-off"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "DO_NOT_TRACK": "1"},
        )  # fmt: skip
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not is_healthy(api_url):
            if server.poll() is not None:
                raise TerminalError(
                    f"`prefect server start` exited with status {server.returncode}: see {log_path}"
                )
            if time.monotonic() > deadline:
                raise TransientError(
                    f"the Prefect server did not answer within {SERVER_START_SECONDS:.0f} s: "
                    f"see {log_path}"
                )
            time.sleep(0.5)
        yield api_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def serve_nightly(deployment, api_url: str) -> None:
    """Serve the deployment against `api_url` until interrupted (Ctrl-C, SIGTERM)."""
    from prefect import serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        serve(deployment, print_starting_message=False)


def ui_url(api_url: str) -> str:
    return api_url.removesuffix("/").removesuffix("/api")
