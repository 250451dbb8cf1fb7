"""Plain text and Markdown: the encoding is detected (transforms.decode)."""

from __future__ import annotations

from transforms.decode import DecodedText, decode_bytes


def read_plain(data: bytes) -> DecodedText:
    return decode_bytes(data)
