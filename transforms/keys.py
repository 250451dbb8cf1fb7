"""Surrogate keys derived from natural keys: the same inputs give the same keys in any run,
process or library version (Polars' and Python's own hashes promise neither)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import polars as pl

_SEPARATOR = "\x1f"


def _hash(text: str) -> bytes:
    """The one hash every key is made of: 8 bytes of BLAKE2b over the UTF-8 text."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


def _digest(parts: Iterable[object]) -> bytes:
    return _hash(_SEPARATOR.join("" if part is None else str(part) for part in parts))


def surrogate_key(*parts: object) -> int:
    """A signed 64-bit key (DuckDB BIGINT) for a dimension row."""
    return int.from_bytes(_digest(parts), "big", signed=True)


def fact_key(*parts: object) -> str:
    """A 16-hex-digit id for a fact row: readable in quarantine commands."""
    return _digest(parts).hex()


def with_fact_key(frame: pl.DataFrame, columns: list[str], name: str) -> pl.DataFrame:
    """Add `name` = fact_key(*columns) for every row of a frame of String columns.

    Polars joins each row's parts (the same text `fact_key` hashes); only the hash itself
    runs per row in Python, which makes it several times faster than hashing `iter_rows`."""
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    texts = frame.select(
        pl.concat_str([pl.col(c).fill_null("") for c in columns], separator=_SEPARATOR)
    ).to_series()
    keys = [_hash(text).hex() for text in texts]
    return frame.with_columns(pl.Series(name, keys, dtype=pl.String))


def with_surrogate_key(frame: pl.DataFrame, columns: list[str], name: str) -> pl.DataFrame:
    """Add `name` = surrogate_key(*columns), hashing each distinct natural key once."""
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, dtype=pl.Int64).alias(name))
    distinct = frame.select(columns).unique()
    keys = [surrogate_key(*row) for row in distinct.iter_rows()]
    lookup = distinct.with_columns(pl.Series(name, keys, dtype=pl.Int64))
    return frame.join(lookup, on=columns, how="left", nulls_equal=True)
