"""Warnings that compare a fact with other documents, kept a function of the warehouse.

The gate judges a batch against what is loaded when the batch runs, so the same facts
loaded in another order (a clean run, run by run, a full refresh) would carry different
cross-document warnings. The rule instead: a loaded fact's cross-document warnings
(`meta.cross_document` in the suite) compare it with the loaded facts of the current
documents of its series (indicator and area), as they are after the load. The load calls
`recheck_warnings` for every series whose facts it changed, in its transaction.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from expectations.gate import (
    check_cross_document_warnings,
    cross_document_warnings,
    expectation_order,
)
from transforms.catalog import Catalog
from transforms.consistency import HISTORY_SCHEMA, add_consistency_columns


def recheck_warnings(facts: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    """(fact_key, warnings) for `facts`: every loaded fact of the current documents in some
    series (warehouse.store.SERIES_FACTS), with its cross-document warnings judged again by
    the gate against the others; its other warnings as they were."""
    compared = add_consistency_columns(facts, pl.DataFrame(schema=HISTORY_SCHEMA), catalog)
    failing = check_cross_document_warnings(compared)
    rechecked = set(cross_document_warnings())
    order = expectation_order()

    def merged(key: str, warnings: list[str] | None) -> list[str] | None:
        kept = [name for name in warnings or () if name not in rechecked]
        names = kept + failing.get(key, [])
        # In the suite's order; names it does not hold (accepted:...) first, as they were.
        names.sort(key=lambda name: order.get(name, -1))
        return names or None

    keys = facts.get_column("fact_key").to_list()
    warnings = facts.get_column("warnings").to_list()
    return pl.DataFrame(
        {"fact_key": keys, "warnings": [merged(k, w) for k, w in zip(keys, warnings, strict=True)]},
        schema={"fact_key": pl.String, "warnings": pl.List(pl.String)},
    )


def rechecker(catalog: Catalog) -> Callable[[pl.DataFrame], pl.DataFrame]:
    return lambda facts: recheck_warnings(facts, catalog)
