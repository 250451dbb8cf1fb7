"""The stage boundaries of a run, by name: where a run is, for anyone watching from outside.

A run calls `reached(settings, name)` at each boundary: `ingest:planned`, `batch:<part>`
(each batch staged), `load:staged` (before the load's transaction), `load:before_commit`,
`load:committed`, each publish step (`publish:table:<table>`, `publish:analyst_db`,
`publish:manifest`, `publish:switched`, `publish:recorded`, `publish:cleaned`) and
`run:finished`. With ZHIBIAO_STAGE_LOG set, each name is appended to that file as it is
reached; with ZHIBIAO_PAUSE_AT naming one, the run stops there until the file
`VAR/resume-<name>` appears or the process is killed: the fault-injection tests
(tests/chaos/) kill real runs at these points.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from flows.settings import Settings

POLL_SECONDS = 0.05


def reached(settings: Settings, name: str) -> None:
    if settings.stage_log is not None:
        with settings.stage_log.open("a", encoding="utf-8") as log:
            log.write(f"{name} {os.getpid()}\n")
    if settings.pause_at == name:
        resume = settings.var / f"resume-{name.replace(':', '-')}"
        while not resume.exists():
            time.sleep(POLL_SECONDS)


def reporter(settings: Settings) -> Callable[[str], None]:
    """`reached` for this run's settings, for the warehouse's steps to call back."""
    return lambda name: reached(settings, name)
