"""The run's last step: the HTML report of what it published (VAR/report/)."""

from __future__ import annotations

import logging
import time

from flows.run_summary import RunSummary
from flows.settings import Settings
from warehouse.report import write_report


def write_run_report(settings: Settings, summary: RunSummary, logger: logging.Logger) -> float:
    """Write the HTML report of what the run just published (VAR/report/); the seconds it took.

    The load is committed and published before: a report that fails is logged and named in
    the summary (`report_error`), and the run stands. This is the one place that catches any
    error, on purpose: no defect of the presentation may turn a loaded night into a failed one.
    """
    clock = time.perf_counter()
    try:
        summary.report = write_report(settings.var).index
    except Exception as error:
        logger.exception("the report could not be written; the run's load stands")
        summary.report_error = f"{type(error).__name__}: {error}"
    return time.perf_counter() - clock
