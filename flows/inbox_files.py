"""One inbox file, opened safely: never a pipe, never through a link, never another file.

The scan lists a file and the run reads it later; in between it may have been replaced by
a named pipe (opening a pipe for reading blocks until a writer comes: the run would hang
holding the writer lock), by a link, or by another file. So a file is opened with
O_NONBLOCK and O_NOFOLLOW, and the open descriptor is checked with fstat: it must be a
regular file, and the same one (device and inode) the scan saw.

Names that are not UTF-8 are kept as the bytes they are (Python's surrogate escapes, which
the os module maps back) for opening, and shown with those bytes escaped (`bad\\xff.txt`)
wherever a name is stored or printed.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHUNK = 1 << 20
FileIdentity = tuple[int, int]
"""(st_dev, st_ino) of a file: which file a name led to."""


class NotARegularFile(OSError):
    """The name now leads to a pipe, socket, device or folder."""


class ReplacedFile(OSError):
    """The name now leads to another file than the one the scan saw (or to a link)."""


def shown(name: str | os.PathLike[str]) -> str:
    """A name as text that can be stored and printed: bytes that are not UTF-8 escaped."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def identity_of(status: os.stat_result) -> FileIdentity:
    return status.st_dev, status.st_ino


@contextmanager
def open_regular(path: str | Path, expected: FileIdentity | None = None) -> Iterator[int]:
    """A descriptor of the regular file at `path`, opened without blocking and without
    following a link; raises NotARegularFile, ReplacedFile or the OSError of the open."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:  # O_NOFOLLOW met a link where the file was
            raise ReplacedFile(errno.ELOOP, "the name now leads to a link", str(path)) from None
        raise
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise NotARegularFile(errno.EINVAL, "not a regular file any more", str(path))
        if expected is not None and identity_of(status) != expected:
            raise ReplacedFile(errno.ESTALE, "the name now leads to another file", str(path))
        yield fd
    finally:
        os.close(fd)


def hash_file(path: str | Path, expected: FileIdentity | None = None) -> str:
    """SHA-256 of a regular file's bytes (see open_regular for what it refuses)."""
    with open_regular(path, expected) as fd:
        digest = hashlib.sha256()
        while block := os.read(fd, CHUNK):
            digest.update(block)
    return digest.hexdigest()


def read_bytes(path: str | Path, expected: FileIdentity | None = None) -> bytes:
    """The bytes of a regular file (see open_regular for what it refuses)."""
    with open_regular(path, expected) as fd:
        blocks = []
        while block := os.read(fd, CHUNK):
            blocks.append(block)
    return b"".join(blocks)
