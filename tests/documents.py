"""Documents made at test time: PDF (set in Noto Sans CJK from a wheel), DOCX and HTML.

No binary fixture is stored or fetched: each test writes the files it reads.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

NAV = ("网站首页", "政务公开", "新闻动态", "办事服务", "互动交流")
FOOTER = "版权所有 © 2023 杭州市萧山区经济和信息化局　浙ICP备05001234号　网站标识码3301090001"
ASIDE = ("相关链接", "浙江省经济和信息化厅", "全省规上工业增加值999亿元")
"""Page chrome that must never reach the text (the aside even holds a number)."""


@cache
def cjk_font() -> Path:
    """Noto Sans CJK, shipped as a PyPI wheel (dev extra `cvttf-notosanscjk-regular`)."""
    import cvttf_NotoSansCJK_Regular

    return Path(cvttf_NotoSansCJK_Regular.get_TTF_path())


def _new_pdf(font_size: float = 11.0):  # type: ignore[no-untyped-def]
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font("noto", fname=str(cjk_font()))
    pdf.set_font("noto", size=font_size)
    return pdf


def pdf_bytes(text: str, *, page_numbers: bool = True) -> bytes:
    """A PDF with one text line per line of `text` (long lines wrap), blank lines as gaps."""
    pdf = _new_pdf()
    if page_numbers:
        pdf.footer = lambda: (pdf.set_y(-12), pdf.cell(0, 6, f"- {pdf.page_no()} -", align="C"))
    pdf.add_page()
    for line in text.splitlines():
        if line.strip():
            pdf.multi_cell(0, 6, line.strip(), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(3)
    return bytes(pdf.output())


def bold_overprinted_pdf_bytes(lines: list[str], offset: float = 0.25) -> bytes:
    """Fake bold as some writers do it: every glyph drawn twice, `offset` mm apart."""
    pdf = _new_pdf()
    pdf.add_page()
    for number, line in enumerate(lines):
        x, y = 20.0, 30.0 + 8 * number
        for char in line:
            pdf.text(x, y, char)
            pdf.text(x + offset, y, char)
            x += pdf.get_string_width(char)
    return bytes(pdf.output())


def two_column_pdf_bytes(left: list[str], right: list[str]) -> bytes:
    """Two columns side by side, drawn column after column as typesetting programs do."""
    pdf = _new_pdf()
    pdf.add_page()
    for column, lines in ((20.0, left), (110.0, right)):
        for number, line in enumerate(lines):
            pdf.text(column, 30.0 + 7 * number, line)
    return bytes(pdf.output())


def scanned_pdf_bytes(pages: int = 2) -> bytes:
    """Pages holding only a picture of text (no text layer), as a scanner makes them."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    pdf = FPDF(format="A4")
    for number in range(pages):
        image = Image.new("L", (600, 800), 255)
        draw = ImageDraw.Draw(image)
        for row in range(20):
            draw.rectangle((40, 40 + row * 36, 560, 56 + row * 36), fill=40 + number)
        pdf.add_page()
        pdf.image(image, x=10, y=10, w=190)
    return bytes(pdf.output())


def docx_bytes(
    text: str,
    *,
    header: str | None = None,
    table: list[list[str]] | None = None,
) -> bytes:
    """A Word document with one paragraph per non-blank line of `text`, then `table`."""
    import docx

    document = docx.Document()
    if header:
        document.sections[0].header.paragraphs[0].text = header
        document.sections[0].footer.paragraphs[0].text = FOOTER
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def html_bytes(
    text: str,
    *,
    title: str = "工作动态",
    charset: str = "utf-8",
    dateline: str | None = None,
) -> bytes:
    """A bureau's web page: the article (a <p> per non-blank line) inside site chrome."""
    from html import escape

    paragraphs = "\n".join(
        f"<p>{escape(line.strip())}</p>" for line in text.splitlines() if line.strip()
    )
    nav = "".join(f'<li><a href="/{n}">{escape(item)}</a></li>' for n, item in enumerate(NAV))
    aside = "".join(f'<li><a href="/l{n}">{escape(item)}</a></li>' for n, item in enumerate(ASIDE))
    info = f'<div class="info">发布时间：{dateline}　来源：区经信局</div>' if dateline else ""
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{escape(title)}_杭州市萧山区人民政府</title>
<script>var _hmt = _hmt || []; window.siteId = "3301090001";</script>
<style>body {{ font-family: SimSun; }}</style>
</head><body>
<div id="header"><div class="logo">杭州市萧山区人民政府</div>
<nav><ul>{nav}</ul></nav><div class="search"><input type="text" value="请输入关键字"></div></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/gk">政务公开</a></div>
<div class="wrapper"><div class="title"><h2>{escape(title)}</h2>{info}</div>
<article class="content">
{paragraphs}
</article>
<aside><ul>{aside}</ul></aside></div>
<footer><p>{escape(FOOTER)}</p><p>地址：萧山区市心中路 电话：0571-82890000</p></footer>
</body></html>
"""
    return page.encode(charset, errors="xmlcharrefreplace")
