"""Ingest: the one place that reads the inbox. Lists files, hashes their bytes, plans the run."""

from __future__ import annotations

import fnmatch
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from flows.settings import Settings

TEXT_FORMATS = {".txt": "txt", ".md": "md", ".text": "txt"}
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class InboxFile:
    path: Path
    source_path: str
    """Path relative to the inbox, POSIX style: the file's identity across runs."""
    size_bytes: int
    content_sha256: str


@dataclass(frozen=True, slots=True)
class Rejection:
    source_path: str
    content_sha256: str | None
    size_bytes: int | None
    reason_code: str
    message: str


@dataclass
class RunPlan:
    files: list[InboxFile]
    rejections: list[Rejection]
    to_read: list[InboxFile]
    """New or changed content that has never been read: one file per distinct content."""
    known: dict[str, str]
    """Content hash -> `loaded` / `rejected` for content read in earlier runs."""
    counts: dict[str, int] = field(default_factory=dict)


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_ignored(name: str, settings: Settings) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in settings.ignore_globs)


def scan_inbox(settings: Settings) -> tuple[list[InboxFile], list[Rejection]]:
    """Every file under the inbox: hashed, or rejected with a reason. Sorted by path."""
    inbox = settings.inbox.resolve()
    files: list[InboxFile] = []
    rejections: list[Rejection] = []
    for folder, dirnames, filenames in os.walk(inbox, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not _is_ignored(d, settings))
        for name in sorted(filenames):
            if _is_ignored(name, settings):
                continue
            path = Path(folder) / name
            source_path = path.relative_to(inbox).as_posix()
            outcome = _inspect(path, source_path, inbox, settings)
            (files if isinstance(outcome, InboxFile) else rejections).append(outcome)
    return files, rejections


def _inspect(
    path: Path, source_path: str, inbox: Path, settings: Settings
) -> InboxFile | Rejection:
    def reject(code: str, message: str, size: int | None = None, sha: str | None = None):
        return Rejection(source_path, sha, size, code, message)

    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(inbox):
                return reject(
                    "symlink_outside_inbox", f"symbolic link to {target}, outside the inbox"
                )
        size = path.stat().st_size
        if size > settings.max_file_bytes:
            return reject(
                "too_large",
                f"{size:,} bytes is over the limit of {settings.max_file_bytes:,} "
                "(ZHIBIAO_MAX_FILE_BYTES)",
                size,
            )
        if path.suffix.lower() not in TEXT_FORMATS:
            return reject(
                "unsupported_format",
                f"'{path.suffix or '(no extension)'}' is not a supported format "
                f"({', '.join(sorted(TEXT_FORMATS))})",
                size,
                hash_file(path),
            )
        return InboxFile(path, source_path, size, hash_file(path))
    except FileNotFoundError:
        return reject("vanished", "the file disappeared between listing and reading")
    except PermissionError as error:
        return reject("unreadable", f"permission denied: {error}")


def plan_run(
    files: list[InboxFile],
    rejections: list[Rejection],
    state: pl.DataFrame,
    known: dict[str, str],
) -> RunPlan:
    """Compare the inbox with what the warehouse has seen: new, changed, unchanged, removed."""
    previous = {
        row["source_path"]: row["content_sha256"]
        for row in state.filter(pl.col("is_present")).iter_rows(named=True)
    }
    seen_paths = {f.source_path for f in files} | {r.source_path for r in rejections}
    counts = {"documents_new": 0, "documents_changed": 0, "documents_unchanged": 0}
    for source_path, sha in [(f.source_path, f.content_sha256) for f in files] + [
        (r.source_path, r.content_sha256) for r in rejections
    ]:
        if source_path not in previous:
            counts["documents_new"] += 1
        elif previous[source_path] != sha:
            counts["documents_changed"] += 1
        else:
            counts["documents_unchanged"] += 1
    counts["documents_removed"] = len(set(previous) - seen_paths)
    counts["documents_seen"] = len(files) + len(rejections)
    to_read: list[InboxFile] = []
    planned: set[str] = set()
    for inbox_file in files:
        sha = inbox_file.content_sha256
        if sha in known or sha in planned:
            continue
        planned.add(sha)
        to_read.append(inbox_file)
    return RunPlan(files=files, rejections=rejections, to_read=to_read, known=known, counts=counts)
