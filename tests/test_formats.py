"""Each format's reader on documents made here: text in any encoding, HTML, DOCX and PDF."""

from __future__ import annotations

import codecs

import pytest

from flows.ingest import SUPPORTED_FORMATS
from tests.documents import (
    ASIDE,
    FOOTER,
    NAV,
    bold_overprinted_pdf_bytes,
    docx_bytes,
    html_bytes,
    pdf_bytes,
    scanned_pdf_bytes,
    two_column_pdf_bytes,
)
from transforms.decode import (
    CorruptDocument,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    ScannedPdf,
    TerminalDocumentError,
    UnsupportedFormat,
)
from transforms.formats import READERS, read_text

REPORT = """萧山区经信局　2022年1月15日
2021年，全区实现规上工业增加值554.10亿元，同比增长8.5%。
完成工业投资106.08亿元，同比增长17.9%。
规上工业企业新增120家，數字經濟核心產業增加值151億元。
"""
TRADITIONAL = "全市規模以上工業增加值增長百分之八點五，固定資產投資增長百分之十二。" * 4


def test_every_supported_suffix_has_a_reader() -> None:
    assert set(SUPPORTED_FORMATS.values()) == set(READERS)


@pytest.mark.parametrize(
    ("data", "family"),
    [
        (REPORT.encode("utf-8"), "utf8"),
        (codecs.BOM_UTF8 + REPORT.encode("utf-8"), "utf8"),
        (REPORT.encode("gb18030"), "gb"),
        (REPORT.encode("utf-16"), "utf16"),
        (REPORT.encode("utf-16-le"), "utf16"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "utf-16-bom", "utf-16le-no-bom"],
)
@pytest.mark.parametrize("format", ["txt", "md"])
def test_plain_text_in_common_encodings(data: bytes, family: str, format: str) -> None:
    decoded = read_text(data, format)
    assert decoded.text.lstrip("\ufeff") == REPORT
    assert family in decoded.encoding.replace("_", "").replace("-", "").lower()


def test_big5_traditional_text() -> None:
    decoded = read_text(TRADITIONAL.encode("big5"), "txt")
    assert decoded.text == TRADITIONAL
    assert "big5" in decoded.encoding.lower()


def test_html_gives_the_article_without_the_page_chrome() -> None:
    decoded = read_text(html_bytes(REPORT, title="2021年萧山工业经济运行情况"), "html")
    text = decoded.text
    assert "554.10亿元，同比增长8.5%" in text
    assert "规上工业企业新增120家" in text
    assert text.splitlines()[0] == "2021年萧山工业经济运行情况"
    chrome = [*NAV, *ASIDE, FOOTER, "当前位置", "请输入关键字", "_hmt", "font-family"]
    assert [item for item in chrome if item in text] == []
    assert decoded.encoding == "utf-8"


def test_html_in_gbk_with_its_dateline() -> None:
    data = html_bytes(REPORT, charset="gbk", dateline="2022-01-15 09:30")
    assert b"charset=gbk" in data
    decoded = read_text(data, "html")
    assert "同比增长17.9%" in decoded.text
    assert "发布日期：2022-01-15" in decoded.text  # outside the article: kept for the period
    assert decoded.encoding == "gb18030"


@pytest.mark.parametrize("label", ["utf-8", "iso-8859-1"])
def test_html_that_lies_about_its_charset_is_detected(label: str) -> None:
    data = html_bytes(REPORT, charset="gb18030").replace(b"gb18030", label.encode())
    decoded = read_text(data, "html")
    assert "同比增长8.5%" in decoded.text
    assert "gb" in decoded.encoding.lower()


def test_html_without_article_text_is_empty() -> None:
    page = "<html><head><script>var a = 1;</script></head><body><img src='x.png'></body></html>"
    with pytest.raises(EmptyDocument):
        read_text(page.encode(), "html")


def test_docx_paragraphs_and_tables_in_order_without_header_and_footer() -> None:
    table = [["指标", "数值", "增速"], ["工业投资", "106.08亿元", "17.9%"]]
    decoded = read_text(docx_bytes(REPORT, header="萧山经信内刊", table=table), "docx")
    lines = decoded.text.splitlines()
    assert lines[:4] == [line.strip() for line in REPORT.strip().splitlines()]
    assert lines[4:] == ["指标\t数值\t增速", "工业投资\t106.08亿元\t17.9%"]
    assert "萧山经信内刊" not in decoded.text and "版权所有" not in decoded.text
    assert decoded.encoding == "docx-xml"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda data: data[: len(data) // 2],  # truncated: the zip directory is gone
        lambda data: b"PK\x03\x04" + bytes(range(256)) * 8,  # a zip header and garbage
        lambda data: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000,  # a legacy .doc
    ],
    ids=["truncated", "garbage", "ole2"],
)
def test_damaged_docx_is_corrupt(mangle) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CorruptDocument):
        read_text(mangle(docx_bytes(REPORT)), "docx")


def test_zip_that_is_not_a_word_document_is_corrupt() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(CorruptDocument, match=r"word/document\.xml"):
        read_text(buffer.getvalue(), "docx")


def test_pdf_text_layer_with_cjk_text_over_pages() -> None:
    text = REPORT + "\n" + "\n".join(f"第{n}行：规上工业增加值同比增长{n}.5%。" for n in range(80))
    decoded = read_text(pdf_bytes(text), "pdf")
    assert decoded.encoding == "pdf-text-layer"
    lines = decoded.text.splitlines()
    assert lines[:4] == [line.strip() for line in REPORT.strip().splitlines()]
    assert "第79行：规上工业增加值同比增长79.5%。" in lines  # on the second page
    assert "- 1 -" in lines  # page numbers stay for the normaliser to drop
    assert "\r" not in decoded.text


def test_pdf_columns_are_read_one_after_the_other() -> None:
    left = [f"左栏第{n}行，全区工业投资" for n in range(6)]
    right = [f"右栏第{n}行，规上企业新增" for n in range(6)]
    lines = read_text(two_column_pdf_bytes(left, right), "pdf").text.splitlines()
    assert lines == left + right


def test_pdf_bold_by_overprinting_is_read_once() -> None:
    lines = ["全区实现规上工业增加值554.10亿元，同比增长8.5%。", "新增企业1122家，增长0.55%。"]
    text = read_text(bold_overprinted_pdf_bytes(lines), "pdf").text
    assert text.splitlines() == lines


def test_scanned_pdf_has_no_text_layer() -> None:
    with pytest.raises(ScannedPdf) as caught:
        read_text(scanned_pdf_bytes(pages=2), "pdf")
    assert caught.value.reason_code == "no_text_layer"


@pytest.mark.parametrize("keep", [0.3, 0.9, 0.999])
def test_truncated_pdf_is_corrupt(keep: float) -> None:
    data = pdf_bytes(REPORT)
    with pytest.raises(CorruptDocument) as caught:
        read_text(data[: int(len(data) * keep)], "pdf")
    assert caught.value.reason_code == "corrupt"


def test_pdf_header_on_garbage_and_other_formats_named_pdf_are_corrupt() -> None:
    with pytest.raises(CorruptDocument):
        read_text(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n", "pdf")
    with pytest.raises(CorruptDocument, match="no %PDF- header"):
        read_text(html_bytes(REPORT), "pdf")  # a web page saved as .pdf


def test_password_protected_pdf_is_encrypted() -> None:
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.text(20, 30, "Industrial output grew 8.5% in 2021.")
    pdf.set_encryption(
        owner_password="o", user_password="u", encryption_method=EncryptionMethod.RC4
    )
    with pytest.raises(EncryptedDocument):
        read_text(bytes(pdf.output()), "pdf")


@pytest.mark.parametrize("format", sorted(READERS))
@pytest.mark.parametrize("data", [b"", b" \n\t "], ids=["empty", "blank"])
def test_empty_file_is_empty_in_every_format(format: str, data: bytes) -> None:
    with pytest.raises(EmptyDocument) as caught:
        read_text(data, format)
    assert caught.value.reason_code == "empty"


@pytest.mark.parametrize("format", sorted(READERS))
def test_binary_garbage_is_rejected_in_every_format(format: str) -> None:
    garbage = bytes(range(256)) * 64
    with pytest.raises(TerminalDocumentError) as caught:
        read_text(garbage, format)
    assert caught.value.reason_code in {"undecodable", "corrupt"}


def test_unknown_format_has_no_reader() -> None:
    with pytest.raises(UnsupportedFormat):
        read_text(b"data", "xlsx")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_stray_nul_byte_does_not_reject_a_report(encoding: str) -> None:
    data = REPORT.encode(encoding)
    cut = data.index("2021".encode(encoding)) + 2  # inside a number: 20\x0021年
    decoded = read_text(data[:cut] + b"\x00" + data[cut:], "txt")
    assert decoded.text == REPORT


def test_a_page_nested_past_the_parsers_depth_is_too_large_not_empty() -> None:
    depth = 300_000  # a 3 MB page of nested <div>s; libxml2 stops at 255
    page = "<html><body>" + "<div>" * depth + f"<p>{REPORT}</p>" + "</div>" * depth
    with pytest.raises(DocumentTooLarge, match="nested more than 255 elements deep") as raised:
        read_text(page.encode("utf-8"), "html")
    assert raised.value.reason_code == "too_large"
    shallow = "<html><body>" + "<div>" * 200 + f"<p>{REPORT}</p>" + "</div>" * 200
    assert "554.10亿元" in read_text(shallow.encode("utf-8"), "html").text


def test_a_pdf_without_pages_is_empty_not_corrupt() -> None:
    import io

    import pypdfium2 as pdfium

    buffer = io.BytesIO()
    pdfium.PdfDocument.new().save(buffer)
    with pytest.raises(EmptyDocument, match="the PDF has no pages") as raised:
        read_text(buffer.getvalue(), "pdf")
    assert raised.value.reason_code == "empty"
