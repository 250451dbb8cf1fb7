"""Ingest: the one place that reads the inbox. Lists files, hashes their bytes, plans the run."""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import os
import re
import stat
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from flows import progress
from flows.hash_cache import HashCache, read_hash_cache, write_hash_cache
from flows.inbox_files import (
    FileIdentity,
    NotARegularFile,
    ReplacedFile,
    hash_file,
    identity_of,
    read_bytes,
    shown,
)
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


def format_of(path: Path | str) -> str | None:
    """The format of a file by its suffix, or None when no reader takes it."""
    return SUPPORTED_FORMATS.get(os.path.splitext(path)[1].lower())


def unsupported_message(path: Path) -> str:
    return (
        f"'{path.suffix or '(no extension)'}' is not a supported format "
        f"({', '.join(sorted(SUPPORTED_FORMATS))})"
    )


@dataclass(frozen=True, slots=True)
class InboxFile:
    path: str | Path
    """Where the bytes are: the file itself, or the target of a link inside the inbox (a
    scan gives a string: a `Path` per file took a third of a scan of 100,000 files)."""
    source_path: str
    """Path relative to the inbox, POSIX style, bytes that are not UTF-8 shown escaped:
    the file's identity across runs."""
    size_bytes: int
    content_sha256: str
    identity: FileIdentity | None = None
    """(device, inode) the scan saw: reading refuses another file under the same name."""

    @property
    def name(self) -> str:
        """The file's name as shown (the link's own name for a link)."""
        return self.source_path.rsplit("/", 1)[-1]


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
    scanned_ahead_seconds: float = 0.0
    """Seconds of the inbox scan made before the flow started (`scan_ahead`), if it was."""


def inbox_file_for(path: Path) -> InboxFile:
    """A file named on the command line, outside any inbox: its name is its identity."""
    target = path.resolve(strict=True)
    status = target.stat()
    return InboxFile(
        str(target), shown(path.name), status.st_size, hash_file(target), identity_of(status)
    )


def ignore_pattern(settings: Settings) -> re.Pattern[str]:
    """The ignore globs as one pattern (`fnmatch` per name and glob took 0.5 s of a scan of
    100,000 files); with no globs, a pattern that matches nothing."""
    return re.compile("|".join(map(fnmatch.translate, settings.ignore_globs)) or "(?!)")


@dataclass(frozen=True, slots=True)
class _Listed:
    path: str
    """Where to read: the entry, or the target of its link."""
    source_path: str
    status: os.stat_result
    """Of what `path` leads to."""
    via_link: bool = False


def scan_inbox(
    settings: Settings, cache: HashCache | None = None
) -> tuple[list[InboxFile], list[Rejection]]:
    """Every entry under the inbox: a file hashed, or rejected with a reason. Sorted by path.

    Nothing under the inbox is left out but the ignore globs' names: links out of it, link
    loops, folders that cannot be listed, pipes and devices, hard links to files elsewhere
    each end as a rejection with its reason. With a `cache`, a file whose stamp it holds is
    not read, and the cache learns this scan's files (`HashCache.seen`)."""
    inbox = settings.inbox.resolve()
    ignored = ignore_pattern(settings)
    entries: list[tuple[str, str]] = []
    rejections: list[Rejection] = []

    def unlistable(error: OSError) -> None:
        folder = Path(error.filename) if error.filename else inbox
        where = shown(folder.relative_to(inbox).as_posix()) if folder != inbox else "."
        rejections.append(
            Rejection(where, None, None, "unreadable", f"the folder cannot be listed: {error}")
        )

    # Paths stay strings until a file is read: a `Path` per entry cost more than its lstat.
    for folder, dirnames, filenames in os.walk(inbox, onerror=unlistable, followlinks=False):
        here = Path(folder)
        prefix = shown(here.relative_to(inbox).as_posix()) + "/" if here != inbox else ""
        dirnames[:] = sorted(d for d in dirnames if not ignored.match(d))
        for name in dirnames:
            path = here / name
            # os.walk lists a link to a folder with the folders and does not follow it.
            if path.is_symlink():
                rejections.append(_folder_link(path, prefix + shown(name), inbox))
        folder_slash = os.path.join(folder, "")
        entries.extend(
            (folder_slash + name, prefix + shown(name))
            for name in sorted(filenames)
            if not ignored.match(name)
        )
    listed: list[_Listed] = []
    for path, source_path in entries:
        outcome = _resolve(path, source_path, inbox)
        (listed if isinstance(outcome, _Listed) else rejections).append(outcome)
    # How many of each file's names are in the inbox: a hard link's other names may not be.
    names_here = Counter(identity_of(item.status) for item in listed if not item.via_link)
    files: list[InboxFile] = []
    for item in listed:
        outcome = _inspect(item, settings, names_here, cache)
        (files if isinstance(outcome, InboxFile) else rejections).append(outcome)
        progress.advance("scan")
    rejections.sort(key=lambda r: r.source_path)
    return files, rejections


def _folder_link(path: Path, source_path: str, inbox: Path) -> Rejection:
    target = path.resolve()
    if not target.is_relative_to(inbox):
        return Rejection(
            source_path, None, None, "symlink_outside_inbox",
            f"symbolic link to the folder {shown(target)}, outside the inbox",
        )  # fmt: skip
    return Rejection(
        source_path, None, None, "folder_link",
        f"symbolic link to the folder {shown(target)} inside the inbox: its files are read "
        "under their own paths, not through the link",
    )  # fmt: skip


def _resolve(path: str | Path, source_path: str, inbox: Path) -> _Listed | Rejection:
    """What an entry leads to: itself, or a link's final target (checked to be inside)."""

    def reject(code: str, message: str) -> Rejection:
        return Rejection(source_path, None, None, code, message)

    try:
        status = os.lstat(path)
        if not stat.S_ISLNK(status.st_mode):
            return _Listed(os.fspath(path), source_path, status)
        try:
            target = Path(path).resolve(strict=True)
        except RuntimeError:  # Python 3.11 reports a loop this way
            return reject("symlink_loop", "symbolic link that leads back to itself (a loop)")
        except OSError as error:
            if error.errno == errno.ELOOP:
                return reject("symlink_loop", "symbolic link that leads back to itself (a loop)")
            if error.errno == errno.ENOENT:
                return reject(
                    "broken_symlink",
                    f"symbolic link to {shown(os.readlink(path))}, which does not exist",
                )
            raise
        if not target.is_relative_to(inbox):
            return reject(
                "symlink_outside_inbox", f"symbolic link to {shown(target)}, outside the inbox"
            )
        return _Listed(str(target), source_path, os.stat(target), via_link=True)
    except FileNotFoundError:
        return reject("vanished", "the file disappeared between listing and reading")
    except OSError as error:
        return reject("unreadable", f"cannot look at it: {error.strerror or error}")


def _inspect(
    item: _Listed,
    settings: Settings,
    names_here: Mapping[FileIdentity, int],
    cache: HashCache | None = None,
) -> InboxFile | Rejection:
    source_path, status = item.source_path, item.status

    def reject(code: str, message: str, size: int | None = None, sha: str | None = None):
        return Rejection(source_path, sha, size, code, message)

    if not stat.S_ISREG(status.st_mode):
        return reject("not_a_file", "not a regular file (a pipe, socket or device)")
    size, identity = status.st_size, identity_of(status)
    inbox_names = names_here.get(identity, 0)
    if status.st_nlink > inbox_names and not settings.allow_hard_links:
        return reject(
            "hard_link_outside_inbox",
            f"the file has {status.st_nlink} names (hard links), "
            f"{inbox_names} of them in the inbox: a name elsewhere may make any file "
            "of this machine a document (ZHIBIAO_ALLOW_HARD_LINKS=1 reads such files)",
            size,
        )
    if size > settings.max_file_bytes:
        return reject(
            "too_large",
            f"{size:,} bytes is over the limit of {settings.max_file_bytes:,} "
            "(ZHIBIAO_MAX_FILE_BYTES)",
            size,
        )
    try:
        if cache:
            sha = cache.hash_of(item.path, source_path, status)
        else:
            sha = hash_file(item.path, identity)
    except FileNotFoundError:
        return reject("vanished", "the file disappeared between listing and reading")
    except NotARegularFile:
        return reject("not_a_file", "became a pipe, socket or device after it was listed")
    except ReplacedFile as error:
        return reject("changed_while_reading", f"{error.strerror}; the next run reads it again")
    except PermissionError as error:
        return reject("unreadable", f"permission denied: {error.strerror or error}")
    except OSError as error:
        return reject("unreadable", f"cannot read the file: {error.strerror or error}")
    if format_of(source_path) is None:
        return reject("unsupported_format", unsupported_message(Path(source_path)), size, sha)
    return InboxFile(item.path, source_path, size, sha, identity)


def read_file(inbox_file: InboxFile) -> bytes | Rejection:
    """The bytes of a listed file, as they were hashed; a file that went, changed or became
    something else is rejected.

    These rejections are about the moment, not the content: they carry no content hash, so
    the same bytes are read again by a later run.
    """

    def reject(code: str, message: str) -> Rejection:
        return Rejection(inbox_file.source_path, None, inbox_file.size_bytes, code, message)

    try:
        data = read_bytes(inbox_file.path, inbox_file.identity)
    except FileNotFoundError:
        return reject("vanished", "the file disappeared between listing and reading")
    except NotARegularFile:
        return reject("not_a_file", "became a pipe, socket or device after it was listed")
    except ReplacedFile as error:
        return reject("changed_while_reading", f"{error.strerror}; the next run reads it again")
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
    present = state.filter(pl.col("is_present"))
    previous = dict(
        zip(present["source_path"].to_list(), present["content_sha256"].to_list(), strict=True)
    )
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


@dataclass(frozen=True, slots=True)
class InboxScan:
    """One scan of the inbox: what it found, how long it took, the settings it ran under."""

    settings: Settings
    files: list[InboxFile]
    rejections: list[Rejection]
    seconds: float


_scanned_ahead: list[InboxScan] = []
"""A scan made before the flow started (`scan_ahead`), waiting for the flow's ingest. Kept
in the process, not passed as a parameter: Prefect records a flow's parameters."""


def scan_with_cache(settings: Settings) -> InboxScan:
    """Scan the inbox, its hash cache read before and written after."""
    if not settings.inbox.is_dir():
        raise NotADirectoryError(f"inbox {settings.inbox} is not a folder")
    clock = time.perf_counter()
    progress.start("scan")
    # A full refresh forgets which contents were read: every file is read and extracted again.
    cache = HashCache() if settings.full_refresh else read_hash_cache(settings.hash_cache_path)
    files, rejections = scan_inbox(settings, cache)
    write_hash_cache(settings.hash_cache_path, cache)
    progress.finish("scan")
    return InboxScan(settings, files, rejections, time.perf_counter() - clock)


def scan_ahead(settings: Settings) -> None:
    """Scan the inbox now, for the next `plan_inbox` with the same settings in this process.

    `zhibiao run` calls it while Prefect's temporary server boots, with the writer lock held:
    the seconds of the scan then overlap the server's. A file that changes between this scan
    and its reading is rejected as it would be after any scan (vanished, changed while
    reading), without a content hash, so the next run reads it again. A scan that fails is
    dropped: the flow scans again and reports the error in its place."""
    _scanned_ahead.clear()
    try:
        _scanned_ahead.append(scan_with_cache(settings))
    except OSError:
        return


def plan_inbox(settings: Settings, warehouse: Warehouse) -> RunPlan:
    """Scan the inbox (or take the scan made ahead with these settings) and compare it with
    what the warehouse has seen: the run's plan."""
    ahead = next((scan for scan in _scanned_ahead if scan.settings == settings), None)
    _scanned_ahead.clear()  # once: a retry of the ingest scans again
    scan = ahead or scan_with_cache(settings)
    known = {} if settings.full_refresh else warehouse.known_contents()
    plan = plan_run(scan.files, scan.rejections, warehouse.source_state(), known)
    plan.scanned_ahead_seconds = ahead.seconds if ahead else 0.0
    return plan


def read_document(inbox_file: InboxFile) -> tuple[SourceDocument, str] | Rejection:
    """Read and convert one file to text; a file that cannot be a document becomes a Rejection."""

    def reject(code: str, message: str) -> Rejection:
        return Rejection(
            inbox_file.source_path, inbox_file.content_sha256, inbox_file.size_bytes, code, message
        )

    format = format_of(Path(inbox_file.source_path))
    if format is None:
        return reject("unsupported_format", unsupported_message(Path(inbox_file.source_path)))
    data = read_file(inbox_file)
    if isinstance(data, Rejection):
        return data
    try:
        decoded = read_text(data, format)
    except TerminalDocumentError as error:
        return reject(error.reason_code, str(error))
    except MemoryError:
        raise
    # Any other error of a reader library on odd bytes is a defect of the reader, never the
    # night's: the file is rejected with the error's type and message, for a person to see.
    except Exception as error:
        name = type(error).__name__
        return reject("reader_failed", f"the {format} reader failed: {name}: {error}")
    document = SourceDocument(
        content_sha256=inbox_file.content_sha256,
        source_path=inbox_file.source_path,
        doc_name=inbox_file.name,
        format=format,
        encoding=decoded.encoding,
        size_bytes=inbox_file.size_bytes,
    )
    return document, decoded.text
