"""Web pages: the article's text, without the page's navigation, side bars and footer.

trafilatura finds the main content. The page's title and its dateline (`发布时间：…`, often
outside the content block) come first, as the extractor reads the period from them.
"""

from __future__ import annotations

import codecs
import contextlib
import re

from transforms.decode import DecodedText, DocumentTooLarge, EmptyDocument, decode_bytes

MAX_PAGE_CHARS = 20_000_000
"""trafilatura's own limit (MAX_FILE_SIZE): it returns nothing for a larger page."""
MAX_PARSER_DEPTH = 255
"""libxml2's nesting limit without XML_PARSE_HUGE: elements deeper are dropped."""

# <meta charset="gb2312"> or <meta http-equiv="Content-Type" content="text/html; charset=gbk">
META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
# Pages labelled with a subset often use characters of its superset.
SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs", "ascii": "utf-8"}
# Labels that any bytes decode under, so they prove nothing (a GBK page labelled latin-1).
UNCHECKABLE = {"iso8859-1", "cp1252"}
# `标题_杭州市萧山区人民政府`, `Site | Title`: the site's name beside the page's title.
TITLE_SEPARATOR = re.compile(r"\s*[_|｜]\s*|\s+[-–—]\s+")


def read_html(data: bytes) -> DecodedText:
    markup, encoding = decode_html(data)
    if len(markup) > MAX_PAGE_CHARS:
        raise DocumentTooLarge(
            f"a web page of {len(markup):,} characters (the HTML reader takes {MAX_PAGE_CHARS:,})"
        )
    import trafilatura

    document = trafilatura.bare_extraction(
        markup,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
        # Visible datelines and meta tags only: no guessing from copyright years.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = (document.text or "").strip() if document is not None else ""
    if not body:
        if _nested_too_deep(markup):
            raise DocumentTooLarge(
                f"a web page nested more than {MAX_PARSER_DEPTH} elements deep: the HTML "
                "parser (libxml2) reads nothing past that depth"
            )
        raise EmptyDocument("the page holds no article text")
    lines = []
    title = page_title(document.title or "")
    if title and title not in body[: len(title) + 200]:
        lines.append(title)
    if document.date:
        lines.append(f"发布日期：{document.date}")
    lines.append(body)
    return DecodedText(text="\n".join(lines), encoding=encoding)


def _nested_too_deep(markup: str) -> bool:
    """Whether the HTML parser stopped at its depth limit (it says so in its error log)."""
    import lxml.html

    parser = lxml.html.HTMLParser()
    with contextlib.suppress(ValueError, lxml.etree.ParserError):  # the error log tells
        lxml.html.document_fromstring(markup, parser=parser)
    return any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log)


def page_title(title: str) -> str:
    """The page's own title without the site's name (the longest part between separators)."""
    return max(TITLE_SEPARATOR.split(title.strip()), key=len).strip()


def decode_html(data: bytes) -> tuple[str, str]:
    """The page as text: its declared charset when the bytes agree with it, else detected."""
    head = data[:4096]
    declared = XML_ENCODING.search(head) or META_CHARSET.search(head)
    has_bom = data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if declared and not has_bom:
        name = declared.group(1).decode("ascii").lower()
        try:
            encoding = codecs.lookup(SUPERSETS.get(name, name)).name
            if encoding not in UNCHECKABLE:
                return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError):
            pass  # an unknown or wrong label: detect instead
    decoded = decode_bytes(data)
    return decoded.text, decoded.encoding
