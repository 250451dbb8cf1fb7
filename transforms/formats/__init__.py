"""A document's bytes to its text, one small module per format. Pure: bytes in, text out.

`read_text(data, format)` is the one entry point; the format name comes from the file's
suffix (`flows.ingest.SUPPORTED_FORMATS`). Every failure is a `TerminalDocumentError` with
a reason code; heavy libraries are imported by the reader that needs them, when it runs.
"""

from __future__ import annotations

from collections.abc import Callable

from transforms.decode import DecodedText, EmptyDocument, UnsupportedFormat
from transforms.formats import docx, html, pdf, plain

Reader = Callable[[bytes], DecodedText]

READERS: dict[str, Reader] = {
    "txt": plain.read_plain,
    "md": plain.read_plain,
    "html": html.read_html,
    "pdf": pdf.read_pdf,
    "docx": docx.read_docx,
}


def read_text(data: bytes, format: str) -> DecodedText:
    """The text of a document in `format`; raises a `TerminalDocumentError` if there is none."""
    reader = READERS.get(format)
    if reader is None:
        raise UnsupportedFormat(f"no reader for the format '{format}'")
    if not data or data.isspace():
        raise EmptyDocument("the file is empty")
    return reader(data)


__all__ = ["READERS", "read_text"]
