"""What every column means, in English and Chinese: `column_docs.csv`, applied as DuckDB
column comments (`COMMENT ON COLUMN`) to the warehouse and to the analyst database, so
`.schema`, `duckdb_columns()`, BI tools and `zhibiao docs` all show the same words.

A row whose relation is `*` documents a column of that name wherever it appears (dbt's doc
blocks): `load_id` means the same in eight tables. A row for one relation overrides it;
`a|b` names several (a view that shows a table's columns as they are).
Tables and views state their grain in schema.sql (`COMMENT ON TABLE`/`VIEW`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from warehouse.sql import sql_literal

DOCS_CSV = Path(__file__).with_name("column_docs.csv")
ANY_RELATION = "*"


@dataclass(frozen=True)
class ColumnDoc:
    en: str
    zh: str

    @property
    def comment(self) -> str:
        """English first, then Chinese, as the tables' comments are written."""
        english = self.en if self.en.endswith((".", "?")) else self.en + "."
        chinese = self.zh if self.zh.endswith(("。", "）")) else self.zh + "。"
        return f"{english} {chinese}"


@cache
def column_docs(path: Path = DOCS_CSV) -> dict[tuple[str, str], ColumnDoc]:
    """(relation or `*`, column) -> its description."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (relation, row["column"]): ColumnDoc(en=row["en"], zh=row["zh"])
            for row in csv.DictReader(handle)
            for relation in row["relation"].split("|")
        }


def column_doc(relation: str, column: str) -> ColumnDoc | None:
    docs = column_docs()
    return docs.get((relation, column)) or docs.get((ANY_RELATION, column))


def apply_column_comments(
    connection: duckdb.DuckDBPyConnection, *, in_transaction: bool = False
) -> int:
    """Comment every documented column of the database's tables and views that does not say
    it yet (views lose their comments when they are created again); returns how many.

    In one transaction (unless the caller's): one commit, not one per comment (0.15 s)."""
    current = connection.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE NOT internal AND schema_name = 'main'"
    ).fetchall()
    statements = []
    for relation, column, comment in current:
        doc = column_doc(relation, column)
        if doc is not None and doc.comment != comment:
            statements.append(
                f'COMMENT ON COLUMN "{relation}"."{column}" IS {sql_literal(doc.comment)};'
            )
    if statements:
        script = "\n".join(statements)
        connection.execute(script if in_transaction else f"BEGIN;\n{script}\nCOMMIT;")
    return len(statements)
