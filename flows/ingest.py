"""Ingest: the one place that reads the inbox. Lists files, hashes their bytes, plans the run."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from flows import progress
from flows.settings import Settings
from transforms.conform import SourceDocument
from transforms.decode import TerminalDocumentError
from transforms.formats import read_text

if TYPE_CHECKING:
    from warehouse.store import Warehouse

SUPPORTED_FORMATS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
"""File suffix (lower case) -> format name, the key of its reader in `transforms.formats`."""
_CHUNK = 1 << 20


def format_of(path: Path) -> str | None:
    """The format of a file by its suffix, or None when no reader takes it."""
    return SUPPORTED_FORMATS.get(path.suffix.lower())


def unsupported_message(path: Path) -> str:
    return (
        f"'{path.suffix or '(no extension)'}' is not a supported format "
        f"({', '.join(sorted(SUPPORTED_FORMATS))})"
    )


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


FileStamp = tuple[int, int, int, int, int]
"""(size, mtime_ns, ctime_ns, inode, device) of a file."""
UNSETTLED_NS = 2_000_000_000
"""A file changed this little before a scan is not remembered: a second write within the
same tick of the file system's clock could leave its stamp as it was."""
HASH_CACHE_SCHEMA = {
    "source_path": pl.String,
    "size": pl.Int64,
    "mtime_ns": pl.Int64,
    "ctime_ns": pl.Int64,
    "inode": pl.UInt64,
    "device": pl.UInt64,
    "content_sha256": pl.String,
}


@dataclass
class HashCache:
    """The content hashes of the last scan, by file stamp: an unchanged file is not read.

    As git's index does: a write to a file moves its ctime, which no program can set back,
    so a file whose size, mtime, ctime, inode and device are all as they were holds the same
    bytes. A run with nothing new then reads no file (hashing 1 GB of inbox took 3-10 s,
    most of a no-op run). `--full-refresh` starts from an empty cache: every file is read.
    """

    entries: dict[str, tuple[FileStamp, str]] = field(default_factory=dict)
    seen: dict[str, tuple[FileStamp, str]] = field(default_factory=dict)
    """This scan's settled files: the next cache."""
    scan_started_ns: int = field(default_factory=time.time_ns)

    def hash_of(self, path: Path, source_path: str, status: os.stat_result) -> str:
        stamp = (
            status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev
        )  # fmt: skip
        known = self.entries.get(source_path)
        sha = known[1] if known is not None and known[0] == stamp else hash_file(path)
        if self.scan_started_ns - max(status.st_mtime_ns, status.st_ctime_ns) > UNSETTLED_NS:
            self.seen[source_path] = (stamp, sha)
        return sha


def read_hash_cache(path: Path) -> HashCache:
    """The cache a scan left at `path`; an empty one when there is none or it is unreadable
    (every file is then hashed: the cache only ever saves work)."""
    try:
        frame = pl.read_parquet(path, schema=HASH_CACHE_SCHEMA)
    except (OSError, pl.exceptions.PolarsError):
        return HashCache()
    return HashCache(
        entries={
            row[0]: ((row[1], row[2], row[3], row[4], row[5]), row[6]) for row in frame.iter_rows()
        }
    )


def write_hash_cache(path: Path, cache: HashCache) -> None:
    rows = [(name, *stamp, sha) for name, (stamp, sha) in cache.seen.items()]
    frame = pl.DataFrame(rows, schema=HASH_CACHE_SCHEMA, orient="row")
    temporary = path.with_name(path.name + ".tmp")
    frame.write_parquet(temporary)
    temporary.replace(path)


def hash_file(path: Path) -> str:
    with path.open("rb") as handle:
        chunk = handle.read(_CHUNK)
        digest = hashlib.sha256(chunk)
        while len(chunk) == _CHUNK and (chunk := handle.read(_CHUNK)):
            digest.update(chunk)
    return digest.hexdigest()


def inbox_file_for(path: Path) -> InboxFile:
    """A file named on the command line, outside any inbox: its name is its identity."""
    return InboxFile(path, path.name, path.stat().st_size, hash_file(path))


def ignore_pattern(settings: Settings) -> re.Pattern[str]:
    """The ignore globs as one pattern (`fnmatch` per name and glob took 0.5 s of a scan of
    100,000 files); with no globs, a pattern that matches nothing."""
    return re.compile("|".join(map(fnmatch.translate, settings.ignore_globs)) or "(?!)")


def scan_inbox(
    settings: Settings, cache: HashCache | None = None
) -> tuple[list[InboxFile], list[Rejection]]:
    """Every file under the inbox: hashed, or rejected with a reason. Sorted by path.

    With a `cache`, a file whose stamp it holds is not read, and the cache learns this
    scan's files (`HashCache.seen`)."""
    inbox = settings.inbox.resolve()
    ignored = ignore_pattern(settings)
    listed: list[tuple[Path, str]] = []
    rejections: list[Rejection] = []
    for folder, dirnames, filenames in os.walk(inbox, followlinks=False):
        here = Path(folder)
        prefix = here.relative_to(inbox).as_posix() + "/" if here != inbox else ""
        dirnames[:] = sorted(d for d in dirnames if not ignored.match(d))
        for name in dirnames:
            path = here / name
            # os.walk lists a link to a folder with the folders and does not follow it.
            if path.is_symlink() and not path.resolve().is_relative_to(inbox):
                rejections.append(
                    Rejection(
                        prefix + name, None, None,
                        "symlink_outside_inbox",
                        f"symbolic link to the folder {path.resolve()}, outside the inbox",
                    )
                )  # fmt: skip
        listed.extend(
            (here / name, prefix + name) for name in sorted(filenames) if not ignored.match(name)
        )
    files: list[InboxFile] = []
    for path, source_path in listed:
        outcome = _inspect(path, source_path, inbox, settings, cache)
        (files if isinstance(outcome, InboxFile) else rejections).append(outcome)
        progress.advance("scan")
    return files, rejections


def _inspect(
    path: Path, source_path: str, inbox: Path, settings: Settings, cache: HashCache | None = None
) -> InboxFile | Rejection:
    def reject(code: str, message: str, size: int | None = None, sha: str | None = None):
        return Rejection(source_path, sha, size, code, message)

    try:
        status = os.lstat(path)
        if stat.S_ISLNK(status.st_mode):
            target = path.resolve()
            if not target.is_relative_to(inbox):
                return reject(
                    "symlink_outside_inbox", f"symbolic link to {target}, outside the inbox"
                )
            if not target.exists():
                return reject("broken_symlink", f"symbolic link to {target}, which does not exist")
            status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            return reject("not_a_file", "not a regular file (a pipe, socket or device)")
        size = status.st_size
        if size > settings.max_file_bytes:
            return reject(
                "too_large",
                f"{size:,} bytes is over the limit of {settings.max_file_bytes:,} "
                "(ZHIBIAO_MAX_FILE_BYTES)",
                size,
            )
        sha = cache.hash_of(path, source_path, status) if cache else hash_file(path)
        if format_of(path) is None:
            return reject("unsupported_format", unsupported_message(path), size, sha)
        return InboxFile(path, source_path, size, sha)
    except FileNotFoundError:
        return reject("vanished", "the file disappeared between listing and reading")
    except PermissionError as error:
        return reject("unreadable", f"permission denied: {error}")


def read_file(inbox_file: InboxFile) -> bytes | Rejection:
    """The bytes of a listed file, as they were hashed; a file that went or changed is rejected.

    These rejections are about the moment, not the content: they carry no content hash, so
    the same bytes are read again by a later run.
    """

    def reject(code: str, message: str) -> Rejection:
        return Rejection(inbox_file.source_path, None, inbox_file.size_bytes, code, message)

    try:
        data = inbox_file.path.read_bytes()
    except FileNotFoundError:
        return reject("vanished", "the file disappeared between listing and reading")
    except OSError as error:
        return reject("unreadable", f"cannot read the file: {error.strerror or error}")
    if hashlib.sha256(data).hexdigest() != inbox_file.content_sha256:
        return reject(
            "changed_while_reading",
            "the file changed between listing and reading; the next run reads it again",
        )
    return data


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
    # An unhashed rejection (too large, vanished) is stored with the hash ''.
    for source_path, sha in [(f.source_path, f.content_sha256) for f in files] + [
        (r.source_path, r.content_sha256 or "") for r in rejections
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


def plan_inbox(settings: Settings, warehouse: Warehouse) -> RunPlan:
    """Scan the inbox and compare it with what the warehouse has seen: the run's plan."""
    if not settings.inbox.is_dir():
        raise NotADirectoryError(f"inbox {settings.inbox} is not a folder")
    # A full refresh forgets which contents were read: every file is read and extracted again.
    cache = HashCache() if settings.full_refresh else read_hash_cache(settings.hash_cache_path)
    files, rejections = scan_inbox(settings, cache)
    write_hash_cache(settings.hash_cache_path, cache)
    known = {} if settings.full_refresh else warehouse.known_contents()
    return plan_run(files, rejections, warehouse.source_state(), known)


def read_document(inbox_file: InboxFile) -> tuple[SourceDocument, str] | Rejection:
    """Read and convert one file to text; a file that cannot be a document becomes a Rejection."""

    def reject(code: str, message: str) -> Rejection:
        return Rejection(
            inbox_file.source_path, inbox_file.content_sha256, inbox_file.size_bytes, code, message
        )

    format = format_of(inbox_file.path)
    if format is None:
        return reject("unsupported_format", unsupported_message(inbox_file.path))
    data = read_file(inbox_file)
    if isinstance(data, Rejection):
        return data
    try:
        decoded = read_text(data, format)
    except TerminalDocumentError as error:
        return reject(error.reason_code, str(error))
    # A defect of a reader library on odd bytes must not stop the night's run: the file is
    # rejected with the error, for a person to look at.
    except (ValueError, LookupError, TypeError, AttributeError, RecursionError) as error:
        name = type(error).__name__
        return reject("reader_failed", f"the {format} reader failed: {name}: {error}")
    document = SourceDocument(
        content_sha256=inbox_file.content_sha256,
        source_path=inbox_file.source_path,
        doc_name=inbox_file.path.name,
        format=format,
        encoding=decoded.encoding,
        size_bytes=inbox_file.size_bytes,
    )
    return document, decoded.text
