"""The suite's row conditions, judged once per batch in Polars instead of by GX's pandas.

GX applies a `row_condition` with a pandas `DataFrame.query` for every metric of its
expectation: 47 queries a batch for the suite's 8 conditions, a third of a validation. Here
an expectation with a condition reads instead a masked copy of each of its columns, missing
wherever the condition does not hold: `value[measure == 'share_pct']`. Expectations of the
kinds in MASKABLE_KINDS do not judge a row whose value (for a pair, whose two values) is
missing, so the compiled expectation judges exactly the rows the condition selects, with
the same rule, name and severity; the suite file still states the condition, and tests run
both forms through GX and compare what they catch. An expectation of another kind keeps
its condition, for GX to apply.

The masks follow pandas' query semantics, which GX relies on: a comparison with a missing
value is false, except `!=` and `not in`, which are true.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

MASKABLE_KINDS: Final = frozenset(
    {
        "expect_column_values_to_be_between",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_pair_values_to_be_equal",
    }
)
"""Kinds that leave a row with a missing value out of what they judge (a pair kind: with
`ignore_row_if` either or both values missing; both of its columns are masked)."""
_SKIPPED_PAIR_ROWS: Final = frozenset({"both_values_are_missing", "either_value_is_missing"})
_MASKED_KWARGS: Final = ("column", "column_A", "column_B")


@dataclass(frozen=True)
class MaskedColumn:
    """A column of the batch, missing where a row condition does not hold."""

    name: str
    """`<source>[<condition>]`, as Data Docs show it."""
    source: str
    condition: Mapping[str, Any]


@dataclass(frozen=True)
class CompiledSuite:
    document: dict[str, Any]
    """The suite with masked columns in place of row conditions (where compiled)."""
    masked: tuple[MaskedColumn, ...]
    conditions: dict[str, Mapping[str, Any]]
    """Expectation name -> the condition compiled away: the rows it selects are the rows
    that expectation judged (GX's element_count under a condition)."""


def compile_suite(document: Mapping[str, Any]) -> CompiledSuite:
    """The suite document with each compilable row condition turned into masked columns."""
    compiled = copy.deepcopy(dict(document))
    masked: dict[str, MaskedColumn] = {}
    conditions: dict[str, Mapping[str, Any]] = {}
    for entry in compiled["expectations"]:
        kwargs = entry.get("kwargs", {})
        condition = kwargs.get("row_condition")
        if not condition or not _skips_missing(entry):
            continue
        for key in _MASKED_KWARGS:
            if key in kwargs:
                column = MaskedColumn(
                    f"{kwargs[key]}[{describe(condition)}]", kwargs[key], condition
                )
                masked[column.name] = column
                kwargs[key] = column.name
        del kwargs["row_condition"]
        kwargs.pop("condition_parser", None)
        conditions[entry["meta"]["name"]] = condition
    return CompiledSuite(compiled, tuple(masked.values()), conditions)


def _skips_missing(entry: Mapping[str, Any]) -> bool:
    """The expectation does not judge a row whose value (a pair's: whose values, as its
    `ignore_row_if` says) is missing."""
    kind = entry.get("type")
    if kind not in MASKABLE_KINDS:
        return False
    if kind.startswith("expect_column_pair_"):
        ignored = entry["kwargs"].get("ignore_row_if", "both_values_are_missing")
        return ignored in _SKIPPED_PAIR_ROWS
    return True


def may_fail(compiled: CompiledSuite) -> pl.Expr | None:
    """Where a row can fail some expectation of the compiled suite: where the values its
    expectations judge are present (over the frame with the masked columns). None when some
    expectation is of a kind that judges missing values too: then any row can fail."""
    present = []
    for entry in compiled.document["expectations"]:
        if not _skips_missing(entry):
            return None
        kwargs = entry["kwargs"]
        if "column" in kwargs:
            present.append(pl.col(kwargs["column"]).is_not_null())
        else:
            columns = [pl.col(kwargs["column_A"]), pl.col(kwargs["column_B"])]
            either = kwargs.get("ignore_row_if") == "either_value_is_missing"
            combine = pl.all_horizontal if either else pl.any_horizontal
            present.append(combine(column.is_not_null() for column in columns))
    return pl.any_horizontal(present) if present else pl.lit(False)


def masked_columns(compiled: CompiledSuite, schema: pl.Schema) -> list[pl.Expr]:
    """The masked columns as Polars expressions over a batch of this schema."""
    return [
        pl.when(holds(column.condition, schema)).then(pl.col(column.source)).alias(column.name)
        for column in compiled.masked
    ]


def rows_selected(compiled: CompiledSuite, schema: pl.Schema) -> list[pl.Expr]:
    """Per compiled expectation (by name), how many rows its condition selects."""
    return [
        holds(condition, schema).sum().alias(name)
        for name, condition in compiled.conditions.items()
    ]


def holds(condition: Mapping[str, Any], schema: pl.Schema) -> pl.Expr:
    """Where a GX row condition (its serialised form) holds, never missing."""
    kind = condition.get("type")
    if kind == "and":
        return pl.all_horizontal(holds(part, schema) for part in condition["conditions"])
    if kind == "or":
        return pl.any_horizontal(holds(part, schema) for part in condition["conditions"])
    column = _comparable(condition["column"]["name"], schema)
    if kind == "nullity":
        return column.is_null() if condition["is_null"] else column.is_not_null()
    if kind != "comparison":
        raise ValueError(f"row condition of type {kind!r} cannot be judged in Polars")
    operator, parameter = condition["operator"], condition["parameter"]
    # A missing value fails a comparison and passes its negation, as in pandas.
    if operator == "IN":
        return column.is_in(parameter).fill_null(False)
    if operator == "NOT_IN":
        return (~column.is_in(parameter)).fill_null(True)
    if operator == "!=":
        return (column != parameter).fill_null(True)
    comparisons = {
        "==": column.__eq__,
        "<": column.__lt__,
        "<=": column.__le__,
        ">": column.__gt__,
        ">=": column.__ge__,
    }
    if operator not in comparisons:
        raise ValueError(f"row condition operator {operator!r} cannot be judged in Polars")
    return comparisons[operator](parameter).fill_null(False)


def _comparable(name: str, schema: pl.Schema) -> pl.Expr:
    """A column as pandas compares it: NaN is a missing value."""
    return pl.col(name).fill_nan(None) if schema[name].is_float() else pl.col(name)


def describe(condition: Mapping[str, Any]) -> str:
    """The condition as pandas query text, the way GX writes it (`measure == 'share_pct'`)."""
    kind = condition.get("type")
    if kind in ("and", "or"):
        return "(" + f" {kind} ".join(describe(part) for part in condition["conditions"]) + ")"
    name = condition["column"]["name"]
    if kind == "nullity":
        return f"{name}.isnull()" if condition["is_null"] else f"~{name}.isnull()"
    operator, parameter = condition["operator"], condition["parameter"]
    if operator in ("IN", "NOT_IN"):
        joined = ", ".join(map(repr, parameter))
        return f"{name} {'in' if operator == 'IN' else 'not in'} [{joined}]"
    return f"{name} {operator} {parameter!r}"


def condition_columns(condition: Any) -> Iterator[str]:
    """The columns a row condition reads."""
    if isinstance(condition, dict):
        if "column" in condition:
            yield condition["column"]["name"]
        for part in condition.get("conditions", ()):
            yield from condition_columns(part)
