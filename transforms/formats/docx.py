"""Word documents (.docx): the body's paragraphs and tables in document order.

Headers and footers are page chrome and stay out. A table row becomes one line, its cells
separated by tabs (a cell merged across columns counts once).
"""

from __future__ import annotations

import io
import zipfile
import zlib

from transforms.decode import CorruptDocument, DecodedText, DocumentTooLarge, EmptyDocument

ENCODING = "docx-xml"
MAIN_PART = "word/document.xml"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNPACKED_BYTES = 1 << 30
"""A .docx unpacking to more than this is a zip bomb, not a report."""


def read_docx(data: bytes) -> DecodedText:
    _check_package(data)
    import docx
    from lxml import etree

    try:
        document = docx.Document(io.BytesIO(data))
    # python-docx lets its parsers' errors through: a part that is missing (KeyError), of the
    # wrong type (ValueError), badly compressed (zlib.error) or not XML (XMLSyntaxError), and
    # an AttributeError for a [Content_Types].xml that lists no parts.
    except (
        KeyError, ValueError, AttributeError, zipfile.BadZipFile, zlib.error,
        etree.XMLSyntaxError,
    ) as error:  # fmt: skip
        raise CorruptDocument(f"not a readable Word document: {error}") from error
    lines = [_block_text(block) for block in document.iter_inner_content()]
    text = "\n".join(line for line in lines if line.strip())
    if not text.strip():
        raise EmptyDocument("the Word document holds no text")
    return DecodedText(text=text, encoding=ENCODING)


def _check_package(data: bytes) -> None:
    """A zip archive holding a Word main part, of a plausible unpacked size."""
    if data.startswith(OLE_MAGIC):
        raise CorruptDocument(
            "an OLE2 file (a legacy .doc, or a password-protected document), not a .docx"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise CorruptDocument(f"not a .docx (not a zip archive, or truncated): {error}") from error
    if MAIN_PART not in names or "[Content_Types].xml" not in names:
        raise CorruptDocument(f"a zip archive without {MAIN_PART}: not a Word document")
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentTooLarge(f"unpacks to {unpacked:,} bytes (limit {MAX_UNPACKED_BYTES:,})")


def _block_text(block) -> str:  # type: ignore[no-untyped-def]
    from docx.table import Table

    if not isinstance(block, Table):
        return block.text
    rows = []
    for row in block.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is not previous:  # a merged cell is listed once per column it spans
                cells.append(" ".join(cell.text.split()))
            previous = cell._tc
        rows.append("\t".join(cells))
    return "\n".join(rows)
