"""Run settings: typed, documented, read when a run starts (never at import).

The `ZHIBIAO_*` environment variables are read by pydantic-settings into `Settings`; the
options of `zhibiao run` (the inbox, the state folder, --full-refresh...) are passed in by
the caller and never read from the environment. `load_settings` turns every bad value
into one line naming the variable and the form it takes (`SettingsError`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from transforms.errors import TerminalError

ENV_PREFIX = "ZHIBIAO_"
MEMORY_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


class SettingsError(TerminalError):
    """A setting or an option has a value the run cannot use (terminal: fix it, run again)."""


def _memory_size(value: str) -> str:
    if not MEMORY_SIZE.match(value.strip()):
        raise ValueError("not a size")
    return value.strip()


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError("not a time zone") from error
    return value


def _scheme_address(value: str | None) -> str | None:
    if value is not None and "://" not in value:
        raise ValueError("no scheme")
    return value


def setting(default: Any = None, *, form: str, env: str | None = None, **constraints: Any) -> Any:
    """A field read from `ZHIBIAO_<NAME>` (or `env`), with the form its errors ask for."""
    extra: dict[str, Any] = {"form": form}
    if env:
        extra["env"] = env
    if callable(default):
        return Field(default_factory=default, json_schema_extra=extra, **constraints)
    return Field(default, json_schema_extra=extra, **constraints)


def option(default: Any, *, form: str, **constraints: Any) -> Any:
    """A run option: given by the caller (`zhibiao run --...`), never read from the environment."""
    return Field(default, json_schema_extra={"option": True, "form": form}, **constraints)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_ignore_empty=True,
        frozen=True,
        extra="forbid",
        use_attribute_docstrings=True,
        validate_default=False,
    )

    inbox: Path = option(Path("data/inbox"), form="a folder")
    """Folder of raw documents; read recursively, never written."""
    var: Path = option(Path("var"), form="a folder")
    """State folder: the warehouse, extracts, analyst database, reports and logs."""
    full_refresh: bool = option(False, form="true or false")
    """Read and extract every inbox file again, as if none had been seen (`--full-refresh`)."""
    reextract: bool = option(False, form="true or false")
    """Extract every current document again from its stored text, without reading the inbox
    files again (`--reextract`: after a change of the extractor or the catalogue)."""
    wait_seconds: float = option(0.0, form="a number of seconds, at least 0", ge=0)
    """How long to wait for another run that holds the warehouse; 0: give up at once."""
    ignore_globs: tuple[str, ...] = option((".*", "expected.jsonl"), form="file name globs")
    """Inbox names that are not documents (hidden files, the sample inbox's gold file)."""

    batch_size: int = setting(2000, form="a whole number, at least 1", ge=1)
    """Documents per extraction task, at most (Prefect costs ~10 ms a task, and a Great
    Expectations validation ~0.1 s before its first row: 0.15 s for 1,000 real-looking
    reports' facts, 0.22 s for 2,000; keep batches large)."""
    workers: int = setting(lambda: os.cpu_count() or 1, form="a whole number, at least 1", ge=1)
    """Processes that extract, conform and validate batches side by side (Prefect's
    ProcessPoolTaskRunner); 1: in the flow's own process."""
    parallel_min_documents: int = setting(3000, form="a whole number, at least 0", ge=0)
    """Runs reading fewer documents stay in the flow's process: a worker process takes
    10-20 s to start, import Prefect and GX, which smaller runs would not win back."""
    dask_address: Annotated[str | None, AfterValidator(_scheme_address)] = setting(
        None, form="an address such as tcp://HOST:PORT"
    )
    """Scheduler of a Dask cluster (`tcp://HOST:PORT`) that runs the extraction batches
    (prefect-dask's DaskTaskRunner) instead of local processes. Its workers must see the
    inbox and VAR/staging at the same paths, and have this project installed."""
    publish_url: Annotated[str | None, AfterValidator(_scheme_address)] = setting(
        None, form="an fsspec URL such as file:///srv/lake or s3://bucket/zhibiao"
    )
    """Also copy each publication's Parquet extracts to this fsspec URL (`file:///srv/lake`,
    `s3://bucket/zhibiao`): Hive-partitioned folders and a manifest that Spark, Trino and
    DuckDB read. None: the extracts stay in VAR/exports only."""
    duckdb_memory_limit: Annotated[str, AfterValidator(_memory_size)] = setting(
        "400MB", form="a size such as 400MB or 2GB"
    )
    """Memory the warehouse's DuckDB may use before it spills to disk. Its own default, 80 %
    of the machine, let the load of 100,000 documents reach 4.9 GB; at 800MB that load and
    its publication took about as long as at 1500MB, and at 400MB as at 800MB (20.8 s and
    23.3 s), the whole run's peak then 1,696 MiB instead of 1,885 with the report's own limit
    (`warehouse.report.render.REPORT_MEMORY_LIMIT`) (measured): a run may use 2 GB with its
    Prefect server."""
    max_file_bytes: int = setting(50 * 1024 * 1024, form="a number of bytes, at least 1", ge=1)
    """Larger files are rejected as `too_large` without being read."""
    allow_hard_links: bool = setting(False, form="true or false (1 or 0)")
    """Read inbox files that have other names elsewhere (`st_nlink > 1`). Off: such a file is
    rejected as `hard_link_outside_inbox`, because a hard link to a file outside the inbox
    (`ln /etc/passwd inbox/x.txt`) looks like any other file, and the outside name cannot be
    found to check it. Turn it on for an inbox that deduplicates with hard links."""
    max_quarantined_share: float = setting(0.30, form="a fraction from 0 to 1", ge=0, le=1)
    """If more than this share of a run's candidate facts fails a critical expectation,
    nothing of the run loads (a broken extractor must not flood the warehouse)."""
    gate_min_facts: int = setting(20, form="a whole number, at least 0", ge=0)
    """The batch gate judges runs of at least this many candidate facts; smaller runs are
    too few to tell a broken extractor from one bad document."""
    task_retries: int = setting(2, form="a whole number, at least 0", ge=0)
    """Retries of a task that failed with a transient error (never for terminal ones)."""
    retry_delay_seconds: float = setting(30.0, form="a number of seconds, at least 0", ge=0)
    """Pause before each retry of a task."""
    schedule_cron: str = setting("0 2 * * *", form="a cron line such as '0 2 * * *'")
    """When `zhibiao serve` runs the nightly deployment (cron: minute hour day month weekday)."""
    schedule_timezone: Annotated[str, AfterValidator(_time_zone)] = setting(
        "Asia/Shanghai", form="an IANA time zone such as Asia/Shanghai", env="SCHEDULE_TZ"
    )
    """IANA time zone of `schedule_cron`."""
    scheduled_wait_seconds: float = setting(3600.0, form="a number of seconds, at least 0", ge=0)
    """How long a scheduled run waits for a run someone started by hand to finish."""
    stage_log: Path | None = setting(None, form="a file path")
    """Append the name of every stage boundary the run reaches to this file
    (`flows.stages`): for watching a run from outside, and for the fault-injection tests."""
    pause_at: str | None = setting(None, form="a stage name such as load:committed")
    """Stop at this stage boundary until VAR/resume-<stage> appears, or the process is
    killed (the fault-injection tests kill runs there). Never set in production."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, _SettingsEnvironment(settings_cls)

    @property
    def warehouse_path(self) -> Path:
        return self.var / "warehouse.duckdb"

    @property
    def hash_cache_path(self) -> Path:
        """The inbox's content hashes by file stamp (flows.hash_cache.HashCache)."""
        return self.var / "inbox_hashes.parquet"

    @property
    def staging_dir(self) -> Path:
        return self.var / "staging"


class _SettingsEnvironment(EnvSettingsSource):
    """The environment, for settings only: options are never read from it, and a setting
    may name its own variable (`ZHIBIAO_SCHEDULE_TZ`)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if extra.get("option"):
            return None, field_name, False
        name = env_name(field_name, field)
        value = self.env_vars.get(name.lower())
        if value is not None and self.env_ignore_empty and value == "":
            value = None
        return value, name, False


def env_name(field_name: str, field: FieldInfo) -> str:
    """The environment variable of a setting."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return ENV_PREFIX + str(extra.get("env") or field_name).upper()


def setting_variables() -> dict[str, str]:
    """Environment variable -> the setting's description (its docstring), for the docs."""
    return {
        env_name(name, field): field.description or ""
        for name, field in Settings.model_fields.items()
        if not (isinstance(field.json_schema_extra, dict) and field.json_schema_extra.get("option"))
    }


def load_settings(**options: Any) -> Settings:
    """The settings of a run: the environment's `ZHIBIAO_*` variables and the given options.

    Raises SettingsError with one line that names each bad variable and the form it takes.
    """
    try:
        return Settings(**options)
    except ValidationError as error:
        raise SettingsError(_one_line(error, options)) from None


def run_settings(**options: Any) -> Settings:
    """The settings of one run: its options (None: not given) over the environment."""
    return load_settings(**{name: value for name, value in options.items() if value is not None})


def _one_line(error: ValidationError, options: dict[str, Any]) -> str:
    problems = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "?"
        field = Settings.model_fields.get(name)
        if field is None:
            problems.append(f"unknown setting {name!r}")
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        given = problem.get("input")
        if name in options or extra.get("option"):
            label = f"--{name.replace('_', '-')}"
        else:
            label = env_name(name, field)
        form = extra.get("form") or problem["msg"]
        problems.append(f"{label}={given!r} is not valid: expected {form}")
    return "; ".join(problems)
