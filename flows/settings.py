"""Run settings: typed, documented, read when a run starts (never at import)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def _env_str(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _env_optional(name: str) -> str | None:
    return os.environ.get(name) or None


@dataclass(frozen=True)
class Settings:
    inbox: Path = Path("data/inbox")
    """Folder of raw documents; read recursively, never written."""
    var: Path = Path("var")
    """State folder: the warehouse, extracts, analyst database, reports and logs."""
    batch_size: int = field(default_factory=lambda: _env_int("ZHIBIAO_BATCH_SIZE", 1000))
    """Documents per extraction task (Prefect costs ~10 ms a task, and a Great Expectations
    validation ~0.5 s whatever its size: keep batches large)."""
    workers: int = field(default_factory=lambda: _env_int("ZHIBIAO_WORKERS", os.cpu_count() or 1))
    """Processes that extract, conform and validate batches side by side (Prefect's
    ProcessPoolTaskRunner); 1: in the flow's own process."""
    parallel_min_documents: int = field(
        default_factory=lambda: _env_int("ZHIBIAO_PARALLEL_MIN_DOCUMENTS", 3000)
    )
    """Runs reading fewer documents stay in the flow's process: a worker process takes
    10-20 s to start, import Prefect and GX, which smaller runs would not win back."""
    dask_address: str | None = field(default_factory=lambda: _env_optional("ZHIBIAO_DASK_ADDRESS"))
    """Scheduler of a Dask cluster (`tcp://HOST:PORT`) that runs the extraction batches
    (prefect-dask's DaskTaskRunner) instead of local processes. Its workers must see the
    inbox and VAR/staging at the same paths, and have this project installed."""
    publish_url: str | None = field(default_factory=lambda: _env_optional("ZHIBIAO_PUBLISH_URL"))
    """Also copy each publication's Parquet extracts to this fsspec URL (`file:///srv/lake`,
    `s3://bucket/zhibiao`): Hive-partitioned folders and a manifest that Spark, Trino and
    DuckDB read. None: the extracts stay in VAR/exports only."""
    duckdb_memory_limit: str = field(
        default_factory=lambda: _env_str("ZHIBIAO_DUCKDB_MEMORY_LIMIT", "800MB")
    )
    """Memory the warehouse's DuckDB may use before it spills to disk. Its own default, 80 %
    of the machine, let the load of 100,000 documents reach 4.9 GB; at 800MB that load and
    its publication take about as long as at 1500MB (measured), and the flow's process
    stays near 1.1 GB, within the 2 GB a run may use with its Prefect server."""
    max_file_bytes: int = field(
        default_factory=lambda: _env_int("ZHIBIAO_MAX_FILE_BYTES", 50 * 1024 * 1024)
    )
    """Larger files are rejected as `too_large` without being read."""
    max_quarantined_share: float = field(
        default_factory=lambda: _env_float("ZHIBIAO_MAX_QUARANTINED_SHARE", 0.30)
    )
    """If more than this share of a run's candidate facts fails a critical expectation,
    nothing of the run loads (a broken extractor must not flood the warehouse)."""
    gate_min_facts: int = field(default_factory=lambda: _env_int("ZHIBIAO_GATE_MIN_FACTS", 20))
    """The batch gate judges runs of at least this many candidate facts; smaller runs are
    too few to tell a broken extractor from one bad document."""
    ignore_globs: tuple[str, ...] = (".*", "expected.jsonl")
    """Inbox names that are not documents (hidden files, the sample inbox's gold file)."""
    full_refresh: bool = False
    """Read and extract every inbox file again, as if none had been seen (`--full-refresh`)."""
    reextract: bool = False
    """Extract every current document again from its stored text, without reading the inbox
    files again (`--reextract`: after a change of the extractor or the catalogue)."""
    wait_seconds: float = 0.0
    """How long to wait for another run that holds the warehouse; 0: give up at once."""
    task_retries: int = field(default_factory=lambda: _env_int("ZHIBIAO_TASK_RETRIES", 2))
    """Retries of a task that failed with a transient error (never for terminal ones)."""
    retry_delay_seconds: float = field(
        default_factory=lambda: _env_float("ZHIBIAO_RETRY_DELAY_SECONDS", 30.0)
    )
    """Pause before each retry of a task."""
    schedule_cron: str = field(
        default_factory=lambda: _env_str("ZHIBIAO_SCHEDULE_CRON", "0 2 * * *")
    )
    """When `zhibiao serve` runs the nightly deployment (cron: minute hour day month weekday)."""
    schedule_timezone: str = field(
        default_factory=lambda: _env_str("ZHIBIAO_SCHEDULE_TZ", "Asia/Shanghai")
    )
    """IANA time zone of `schedule_cron`."""
    scheduled_wait_seconds: float = field(
        default_factory=lambda: _env_float("ZHIBIAO_SCHEDULED_WAIT_SECONDS", 3600.0)
    )
    """How long a scheduled run waits for a run someone started by hand to finish."""

    @property
    def warehouse_path(self) -> Path:
        return self.var / "warehouse.duckdb"

    @property
    def hash_cache_path(self) -> Path:
        """The inbox's content hashes by file stamp (flows.ingest.HashCache)."""
        return self.var / "inbox_hashes.parquet"

    @property
    def staging_dir(self) -> Path:
        return self.var / "staging"
