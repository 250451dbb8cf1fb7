"""Bytes to text: the encoding is detected, never assumed."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import charset_normalizer


class TerminalDocumentError(ValueError):
    """The bytes can never be read as a document: reject the file, do not retry.

    Each subclass names its `reason_code`, the code `rejected_document` records.
    """

    reason_code = "unreadable"


class UndecodableDocument(TerminalDocumentError):
    """The bytes are not text in any encoding we can recognise (terminal: reject the file)."""

    reason_code = "undecodable"


class EmptyDocument(TerminalDocumentError):
    """Nothing but white space (terminal: reject the file)."""

    reason_code = "empty"


class CorruptDocument(TerminalDocumentError):
    """Not a valid file of its format: truncated, damaged, or another format renamed."""

    reason_code = "corrupt"


class EncryptedDocument(TerminalDocumentError):
    """Password-protected: the text cannot be read without the password."""

    reason_code = "encrypted"


class ScannedPdf(TerminalDocumentError):
    """A PDF of images with no text layer (OCR is out of scope)."""

    reason_code = "no_text_layer"


class UnsupportedFormat(TerminalDocumentError):
    """No reader for this format."""

    reason_code = "unsupported_format"


class DocumentTooLarge(TerminalDocumentError):
    """Small on disk, too large once unpacked (a zip bomb, or close to one)."""

    reason_code = "too_large"


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes) -> DecodedText:
    """Decode a document: BOM first, then strict UTF-8, then charset-normalizer's best guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(encoding), encoding)
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    best = None
    if b"\x00" in data[:4096]:
        best = charset_normalizer.from_bytes(data, cp_isolation=["utf_16_le", "utf_16_be"]).best()
        if best is None and data.count(b"\x00") <= max(1, len(data) // STRAY_NUL_BYTES):
            # Not UTF-16: a stray NUL or two (a transfer glitch) in text of another encoding.
            data = data.replace(b"\x00", b"")
    if best is None:
        best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise UndecodableDocument("no text encoding fits these bytes (binary file?)")
    return _checked(str(best), best.encoding)


STRAY_NUL_BYTES = 1000
"""At most one NUL per this many bytes (or one in all) is a glitch in a text, not the zeros
of a binary file."""


def _checked(text: str, encoding: str) -> DecodedText:
    if not text.strip():
        raise EmptyDocument("the document holds no text")
    if text.count("\x00") > len(text) // 100:
        raise UndecodableDocument(
            f"decoded as {encoding} but full of NUL characters (binary file?)"
        )
    # The few NULs left are no text (one inside a number would split it).
    return DecodedText(text=text.replace("\x00", ""), encoding=encoding)
