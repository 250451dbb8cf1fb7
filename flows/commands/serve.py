"""`zhibiao serve`: the nightly deployment on its schedule, until stopped."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True, soft_wrap=True)


def serve(
    inbox: Annotated[Path, typer.Option(help="Folder of raw documents.")] = Path("data/inbox"),
    var: Annotated[Path, typer.Option(help="State folder: warehouse, extracts, reports.")] = Path(
        "var"
    ),
    cron: Annotated[
        str | None,
        typer.Option(help="Cron schedule (default: ZHIBIAO_SCHEDULE_CRON or '0 2 * * *')."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(help="IANA time zone (default: ZHIBIAO_SCHEDULE_TZ or Asia/Shanghai)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Address of the Prefect server started here.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port of the Prefect server started here.")] = 4200,
) -> None:
    """Run the nightly flow on its schedule (02:00 Asia/Shanghai by default), until stopped.

    Uses the Prefect server at PREFECT_API_URL, or starts `prefect server start` (no cloud).

    Watch runs, logs and each run's summary in the Prefect UI whose address it prints.

    A scheduled run waits up to ZHIBIAO_SCHEDULED_WAIT_SECONDS for a run started by hand.

    Stop with Ctrl-C. Exit status: 0 stopped, 1 could not start.
    """
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.deployment import (
        build_deployment,
        configured_api_url,
        is_healthy,
        local_server,
        serve_nightly,
        ui_url,
    )
    from flows.preflight import check_folders
    from flows.settings import run_settings
    from transforms.errors import TerminalError, TransientError

    try:
        settings = run_settings(
            inbox=inbox, var=var, schedule_cron=cron, schedule_timezone=timezone
        )
        check_folders(settings)
        deployment = build_deployment(settings)
        api_url = configured_api_url()
        if api_url:
            if not is_healthy(api_url):
                raise TransientError(f"no Prefect server answers at PREFECT_API_URL={api_url}")
            _announce(settings, ui_url(api_url), started=False)
            serve_nightly(deployment, api_url)
            return
        with local_server(host, port, settings.var / "logs" / "prefect-server.log") as api_url:
            _announce(settings, ui_url(api_url), started=True)
            serve_nightly(deployment, api_url)
    except (TerminalError, TransientError) as error:
        console.print(f"[red]error:[/] {error}")
        raise typer.Exit(1) from error
    except KeyboardInterrupt:
        console.print("stopped")


def _announce(settings, ui: str, *, started: bool) -> None:
    server = "started a Prefect server" if started else "using the Prefect server"
    console.print(
        f"zhibiao serve: {server} at {ui}\n"
        f"  deployment  nightly/nightly, '{settings.schedule_cron}' {settings.schedule_timezone}\n"
        f"  inbox       {settings.inbox.resolve()}\n"
        f"  var         {settings.var.resolve()}\n"
        f"  runs, logs and run summaries: {ui}/deployments  (Ctrl-C stops)"
    )
