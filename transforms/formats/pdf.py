"""PDFs: the text layer, read with PDFium in the order the page draws it.

PDFium returns a page's characters in content order, which keeps a column's lines together
when the PDF draws column by column (as typesetting and office programs do), and marks line
breaks. Bold set by overprinting (each glyph drawn twice, a hair apart) leaves doubled
characters such as `554..10`; a character drawn again where the same character already stands
is dropped here. `transforms.normalise` repairs what is left at the text level.
A PDF of images only has no text layer: it is rejected, OCR is out of scope.
"""

from __future__ import annotations

import math
import re

from transforms.decode import (
    CorruptDocument,
    DecodedText,
    EmptyDocument,
    EncryptedDocument,
    ScannedPdf,
    UndecodableDocument,
)

ENCODING = "pdf-text-layer"
HEADER_WINDOW = 1024
"""The `%PDF-` header may follow a little junk, within the first kilobyte."""
TRAILER_WINDOW = 65536
"""`%%EOF` must be among the last bytes (some writers pad the end): else truncated."""
OVERPRINT_EM = 0.1
"""Two equal characters whose centres are closer than this share of the font size are one
character drawn twice. Adjacent equal characters (`11`, `..`) are a whole advance apart."""
GRID_POINTS = 4.0
"""Cell size of the grid that finds a character's neighbours (tolerances up to 4 pt)."""
MAX_UNMAPPED_SHARE = 0.3
"""Above this share of unmapped glyphs the text layer is no text (fonts without ToUnicode)."""
NO_PAGES = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+0\b|/Count\s+0\b[^>]*?/Type\s*/Pages\b")
"""A page tree that counts no page."""
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
UNMAPPED = re.compile(r"[\ufffd\ue000-\uf8ff]")


def read_pdf(data: bytes) -> DecodedText:
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        raise CorruptDocument("not a PDF: no %PDF- header at the start of the file")
    if b"%%EOF" not in data[-TRAILER_WINDOW:]:
        raise CorruptDocument("truncated PDF: no %%EOF marker at the end of the file")
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        # PDFium opens no document without pages, and sets no error code of its own for it
        # (the last one stands, "Success" or a former document's): the page tree tells.
        if NO_PAGES.search(data):
            raise EmptyDocument("the PDF has no pages") from error
        code = getattr(error, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedDocument("the PDF is password-protected") from error
        if code == pdfium_c.FPDF_ERR_SUCCESS:
            raise CorruptDocument("PDFium cannot open it and gives no reason") from error
        raise CorruptDocument(f"PDFium cannot open it: {error}") from error
    try:
        pages = [_page_text(document, number) for number in range(len(document))]
        has_images = not any(p.strip() for p in pages) and _has_images(document)
    except pdfium.PdfiumError as error:
        raise CorruptDocument(f"PDFium cannot read a page: {error}") from error
    finally:
        document.close()
    text = "\n".join(page.strip("\n") for page in pages)
    if not text.strip():
        if has_images:
            raise ScannedPdf(
                f"{len(pages)} page(s) of images without a text layer (a scan? OCR is not done)"
            )
        raise EmptyDocument(f"the PDF's {len(pages)} page(s) hold no text")
    glyphs = [ch for ch in text if not ch.isspace()]
    unmapped = len(UNMAPPED.findall(text))
    if unmapped > MAX_UNMAPPED_SHARE * len(glyphs):
        raise UndecodableDocument(
            f"{unmapped} of {len(glyphs)} characters of the text layer map to no Unicode "
            "character (fonts without a ToUnicode map)"
        )
    return DecodedText(text=text, encoding=ENCODING)


def _page_text(document, number: int) -> str:  # type: ignore[no-untyped-def]
    import pypdfium2.raw as pdfium_c

    page = document[number]
    textpage = page.get_textpage()
    try:
        chars: list[str] = []
        grid: dict[tuple[int, int, int], list[tuple[float, float]]] = {}
        for index in range(textpage.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(textpage, index)
            char = chr(code) if 0 < code < 0x110000 else "\ufffd"
            if char.isspace() or pdfium_c.FPDFText_IsGenerated(textpage, index):
                chars.append(char)
                continue
            left, bottom, right, top = textpage.get_charbox(index)
            x, y = (left + right) / 2, (bottom + top) / 2
            size = pdfium_c.FPDFText_GetFontSize(textpage, index) or (top - bottom)
            if _drawn_before(grid, code, x, y, min(size * OVERPRINT_EM, GRID_POINTS)):
                continue
            cell = (code, math.floor(x / GRID_POINTS), math.floor(y / GRID_POINTS))
            grid.setdefault(cell, []).append((x, y))
            chars.append(char)
    finally:
        textpage.close()
        page.close()
    text = "".join(chars).replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL.sub("", text)


def _drawn_before(
    grid: dict[tuple[int, int, int], list[tuple[float, float]]],
    code: int,
    x: float,
    y: float,
    tolerance: float,
) -> bool:
    column, row = math.floor(x / GRID_POINTS), math.floor(y / GRID_POINTS)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for other_x, other_y in grid.get((code, column + dx, row + dy), ()):
                if abs(other_x - x) <= tolerance and abs(other_y - y) <= tolerance:
                    return True
    return False


def _has_images(document) -> bool:  # type: ignore[no-untyped-def]
    import pypdfium2.raw as pdfium_c

    for number in range(len(document)):
        page = document[number]
        try:
            if any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])):
                return True
        finally:
            page.close()
    return False
