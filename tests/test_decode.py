import codecs

import pytest

from transforms.decode import EmptyDocument, UndecodableDocument, decode_bytes

TEXT = "2022年全市实现规上工业增加值554.10亿元，同比增长8.5%。规模以上工业企业新增120家。" * 3


@pytest.mark.parametrize(
    ("data", "expected_family"),
    [
        (TEXT.encode("utf-8"), "utf"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf"),
        (TEXT.encode("utf-16"), "utf"),
        (TEXT.encode("gb18030"), "gb"),
    ],
)
def test_decodes_common_encodings(data: bytes, expected_family: str) -> None:
    decoded = decode_bytes(data)
    assert decoded.text.lstrip("\ufeff") == TEXT
    assert expected_family in decoded.encoding.replace("_", "").lower()


def test_decodes_big5_traditional() -> None:
    text = "全市規模以上工業增加值增長百分之八點五，固定資產投資增長百分之十二。" * 4
    assert decode_bytes(text.encode("big5")).text == text


def test_rejects_empty_and_whitespace() -> None:
    with pytest.raises(EmptyDocument):
        decode_bytes(b"")
    with pytest.raises(EmptyDocument):
        decode_bytes(b" \n\t\n")


def test_rejects_binary_garbage() -> None:
    garbage = bytes(range(256)) * 64
    with pytest.raises(UndecodableDocument):
        decode_bytes(garbage)
