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
    order = expectation_order()
    failed = pl.DataFrame(
        {"fact_key": list(failing), "failed": list(failing.values())},
        schema={"fact_key": pl.String, "failed": pl.List(pl.String)},
    )
    merged = (
        pl.col("warnings")
        .fill_null([])
        .list.eval(pl.element().filter(~pl.element().is_in(cross_document_warnings())))
        .list.concat(pl.col("failed").fill_null([]))
        # In the suite's order; names it does not hold (accepted:...) first, as they were.
        .list.eval(
            pl.element().sort_by(
                pl.element().replace_strict(order, default=-1, return_dtype=pl.Int64),
                maintain_order=True,
            )
        )
    )
    return (
        facts.select("fact_key", "warnings")
        .join(failed, on="fact_key", how="left", maintain_order="left")
        .select(
            "fact_key",
            pl.when(merged.list.len() > 0).then(merged).alias("warnings"),
        )
    )


def rechecker(catalog: Catalog) -> Callable[[pl.DataFrame], pl.DataFrame]:
    return lambda facts: recheck_warnings(facts, catalog)
