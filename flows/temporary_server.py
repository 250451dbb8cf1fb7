"""Prefect's temporary API server, started while the run still does its own work.

Without PREFECT_API_URL, Prefect starts a temporary server of its own the first time the flow
needs its API, and waits for it: seconds (a second process imports the server and migrates
its database) added to every `zhibiao run`, most of a run with nothing new. Started here in a
background thread as soon as the run holds the writer lock, the server boots on another core
while this process imports the pipeline; the flow then finds it running, since Prefect keeps
one temporary server per process (`SubprocessASGIServer`) and only starts it once.

The decision is Prefect's own: no server is started when an API URL is set (a real server,
`zhibiao serve`) or temporary servers are switched off. A start that fails here is left to
Prefect, which then tries again and reports the error as it always did.
"""

from __future__ import annotations

import threading


def uses_temporary_server() -> bool:
    """Whether Prefect would start a temporary server for this process's flow runs."""
    from prefect.settings import get_current_settings

    current = get_current_settings()
    return not current.api.url and current.server.ephemeral.enabled


def start_temporary_server() -> None:
    from prefect.server.api.server import SubprocessASGIServer

    try:
        SubprocessASGIServer().start()
    except Exception:  # Prefect starts it again when the flow needs it, and says why not
        return


def start_in_background() -> threading.Thread | None:
    """Start the temporary server in a thread when Prefect would use one: the thread, to
    join (it ends when the server answers, or its start failed) before the flow runs."""
    if not uses_temporary_server():
        return None
    starting = threading.Thread(
        target=start_temporary_server, name="prefect-server-start", daemon=True
    )
    starting.start()
    return starting
