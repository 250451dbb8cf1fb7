"""The Parquet files of a publication, each table with one Arrow schema whatever its rows.

DuckDB's own Parquet writer decides a column's nullability from the data it happens to
hold (DuckDB 2.0: a column without nulls is written `required`, so an empty table's file
says every column is `not null` and a full one's says otherwise). BI tools compare schemas
between publications, so the schema here comes from the warehouse's DDL instead: the Arrow
type DuckDB gives the column, nullable unless the table declares it NOT NULL (a view's
columns are all nullable), and pyarrow writes the rows DuckDB streams with that schema.

A Hive partition column (`year` of fact_observation) lives in the folder names, not in the
files: each reader gives it the type it is told (README: "BI extracts"); the manifest
records it as a column with `partition: true`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

COMPRESSION = "zstd"
DEFAULT_ROW_GROUP_ROWS = 122_880
"""DuckDB's own row group size; tables of long rows ask for fewer (publish.ROW_GROUP_ROWS)."""
EMPTY_PARTITION = 0
"""The partition folder of a partitioned table without rows (`year=0/empty.parquet`)."""


def relation_schema(
    connection: duckdb.DuckDBPyConnection, relation: str, query: str
) -> tuple[pa.Schema, list[dict[str, object]]]:
    """The Arrow schema of `query`'s rows (the export of `relation`), nullability from the
    relation's DDL, and the manifest's description of each column."""
    described = connection.sql(query)
    arrow_types = described.limit(0).to_arrow_table().schema
    not_null = {
        name
        for (name,) in connection.execute(
            "SELECT column_name FROM duckdb_columns() "
            "WHERE table_name = ? AND schema_name = 'main' AND NOT is_nullable",
            [relation],
        ).fetchall()
    }
    fields = [
        pa.field(name, _arrow_type(str(dtype), arrow_types.field(name).type),
                 nullable=name not in not_null)
        for name, dtype in zip(described.columns, described.types, strict=True)
    ]  # fmt: skip
    columns = [
        {"name": name, "type": str(dtype), "arrow_type": str(field.type),
         "nullable": field.nullable}
        for name, dtype, field in zip(described.columns, described.types, fields, strict=True)
    ]  # fmt: skip
    return pa.schema(fields), columns


def write_parquet(
    connection: duckdb.DuckDBPyConnection,
    query: str,
    schema: pa.Schema,
    target: Path,
    *,
    partition: str | None = None,
    row_group_rows: int = DEFAULT_ROW_GROUP_ROWS,
) -> int:
    """Write `query`'s rows under `target` with `schema`; the number of rows.

    Unpartitioned: one file, `target/<name>.parquet`. Partitioned: `target/<col>=<v>/
    part-0.parquet` per value, the column left out of the files (the query must be ordered
    by it), or `target/<col>=0/empty.parquet` (no rows) when there are none.
    Rows stream from DuckDB in row groups: a table is never held in memory whole.
    """
    target.mkdir(parents=True, exist_ok=True)
    reader = connection.sql(query).to_arrow_reader(row_group_rows)
    if partition is None:
        return _write_file(reader, schema, target / f"{target.name}.parquet")
    file_schema = schema.remove(schema.get_field_index(partition))
    rows = 0
    writer: pq.ParquetWriter | None = None
    current = None
    try:
        for batch in reader:
            values = batch.column(partition)
            for value in pc.unique(values).to_pylist():
                if value != current:
                    if writer is not None:
                        writer.close()
                    folder = target / f"{partition}={value}"
                    folder.mkdir()
                    writer = pq.ParquetWriter(
                        folder / "part-0.parquet", file_schema, compression=COMPRESSION
                    )
                    current = value
                part = batch.filter(pc.equal(values, value)).drop_columns([partition])
                writer.write_batch(_conform(part, file_schema))  # type: ignore[union-attr]
                rows += part.num_rows
    finally:
        if writer is not None:
            writer.close()
    if not rows:
        # A table without rows is one file without rows, in a partition folder all the
        # same: a reader told the partition's type reads an empty table as a full one, and
        # one that infers it finds a value to infer it from (no row has it).
        folder = target / f"{partition}={EMPTY_PARTITION}"
        folder.mkdir()
        pq.write_table(file_schema.empty_table(), folder / "empty.parquet", compression=COMPRESSION)
    return rows


def _write_file(reader: pa.RecordBatchReader, schema: pa.Schema, path: Path) -> int:
    rows = 0
    with pq.ParquetWriter(path, schema, compression=COMPRESSION) as writer:
        for batch in reader:
            if batch.num_rows:
                writer.write_batch(_conform(batch, schema))
                rows += batch.num_rows
    return rows


def _arrow_type(duckdb_type: str, exported: pa.DataType) -> pa.DataType:
    """The type as readers get it back. DuckDB hands JSON over as plain strings; the files
    say JSON (Arrow's canonical extension type, Parquet's JSON logical type), so DuckDB
    reads the column back as JSON. A list's item is named `element`, as Parquet's LIST
    layout names it (DuckDB's Arrow export says `l`)."""
    if duckdb_type == "JSON":
        return pa.json_(pa.string())
    if pa.types.is_list(exported):
        return pa.list_(pa.field("element", exported.value_type))
    return exported


def _conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """The batch under the declared schema: the same types but for JSON's extension type;
    only the nullability differs."""
    columns = [
        pa.ExtensionArray.from_storage(field.type, column)
        if isinstance(field.type, pa.ExtensionType)
        else column.cast(field.type)
        if pa.types.is_list(field.type)
        else column
        for field, column in zip(schema, batch.columns, strict=True)
    ]
    return pa.RecordBatch.from_arrays(columns, schema=schema)
