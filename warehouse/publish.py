"""Publish the warehouse for readers: Parquet extracts and an analyst database over them.

Readers never open the live warehouse (DuckDB lets one process write a file and refuses
readers meanwhile). Each publication is written complete into a folder of its own,
`VAR/.exports-<load_id>/`: a folder of Parquet per table, `analyst.duckdb` (views over those
files) and `manifest.json` last, which lists every file with its size and SHA-256. Then the
link `VAR/exports` is pointed at it in one atomic rename; `VAR/analyst.duckdb` is a link to
`exports/analyst.duckdb`, so the extracts and the analyst database switch together, in that
one rename. A reader, or a publish killed at any point, sees the previous complete set or
the new complete set, never half of one. The previous set is kept until the next publish, so
a query that started just before the switch can finish.

Which load is published is recorded in the warehouse (`warehouse.publication_state`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.column_docs import apply_column_comments
from warehouse.extract_files import DEFAULT_ROW_GROUP_ROWS, relation_schema, write_parquet
from warehouse.store import sql_literal

PUBLISHED_TABLES = (
    "dim_indicator",
    "dim_region",
    "dim_period",
    "dim_unit",
    "dim_document",
    "document_source",
    "document_text",
    "fact_observation",
    "quarantine_observation",
    "rejected_document",
    "etl_run",
    "dq_result",
)
PUBLISHED_VIEWS = ("v_indicator_latest", "v_timeseries")
"""Views BI tools read as Parquet too, so none of them re-implements the latest-wins rule."""
VIEWLESS_TABLES = ("etl_run", "dq_result")
"""Published tables no published view reads: each run changes them, and the views need not
be computed again for that (`_view_inputs`)."""
PARTITIONED_BY = {"fact_observation": "year"}
PARTITION_TYPES = {"year": "INTEGER"}
"""Hive partition columns live in folder names; readers are told their type (else BIGINT)."""
EXCLUDED_COLUMNS = {"document_text": ("raw_text",)}
"""Columns kept in the warehouse only: the decoded text is for re-extraction, not for BI."""
ROW_GROUP_ROWS = {"document_text": 4096}
"""Tables of long rows get smaller Parquet row groups than DuckDB's 122,880 rows: the writer
holds a row group in memory, and 100,000 documents' texts would be one row group of about a
gigabyte (over ZHIBIAO_DUCKDB_MEMORY_LIMIT)."""
MANIFEST_FORMAT = 3
"""2: every file is listed with its size and SHA-256, and the analyst database is inside.
3: the views' extracts; each column's Arrow type and nullability; the analyst database's
views name the publication's files relative to it."""
VERSION_PREFIX = ".exports-"
ANALYST_DB = "analyst.duckdb"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Publication:
    exports_dir: Path
    analyst_db: Path
    row_counts: dict[str, int]
    remote: str | None = None
    """URL of the copy under `publish_url` (`<url>/<load_id>/`), when one was asked for."""
    version: str = ""
    """The publication's folder under VAR (`.exports-<load_id>`)."""
    manifest_sha256: str = ""


def publish(
    connection: duckdb.DuckDBPyConnection,
    var_dir: Path,
    load_id: str,
    *,
    flow_run_id: str | None = None,
    on_table: Callable[[str], None] | None = None,
    on_step: Callable[[str], None] | None = None,
    publish_url: str | None = None,
    unchanged: Collection[str] = (),
) -> Publication:
    """Write the next publication and switch readers to it.

    `unchanged`: tables the caller knows are as the current publication has them (a run
    that read no document, after a publication of the previous load, leaves the texts and
    facts as they were): their files are hard-linked from the current publication instead
    of written again, which keeps a run with nothing new quick however large the warehouse.
    A table the current publication lacks is written. `on_step` hears each step's name
    (`publish:table:<table>`, `publish:analyst_db`, `publish:manifest`, `publish:switched`,
    `publish:remote`, `publish:cleaned`) once it is done.
    """
    step = on_step or (lambda _name: None)
    exports = var_dir / "exports"
    _remove_unfinished(var_dir, exports)
    version = _next_version(var_dir, exports, load_id)
    shutil.rmtree(version, ignore_errors=True)
    version.mkdir(parents=True)
    row_counts: dict[str, int] = {}
    schemas: dict[str, list[dict[str, object]]] = {}
    files: dict[str, list[dict[str, object]]] = {}
    current = _current_manifest(exports)
    relations = PUBLISHED_TABLES + _views_present(connection)
    inputs: str | None = None
    for table in relations:
        entry = current.get("tables", {}).get(table)
        if table in PUBLISHED_VIEWS and inputs is None:
            inputs = _view_inputs(connection, files)
        linkable = _unchanged(table, unchanged) or (
            table in PUBLISHED_VIEWS and bool(inputs) and entry is not None
            and entry.get("inputs_sha256") == inputs
        )  # fmt: skip
        if linkable and entry and _link_table(exports, version, entry):
            row_counts[table], schemas[table] = entry["rows"], entry["columns"]
            files[table] = entry["files"]
        else:
            row_counts[table], schemas[table] = _write_table(connection, version, table)
            files[table] = _file_entries(version, table)
        if on_table:
            on_table(table)
        step(f"publish:table:{table}")
    _write_analyst_db(connection, version)
    step("publish:analyst_db")
    manifest = {
        "format": MANIFEST_FORMAT,
        "load_id": load_id,
        "flow_run_id": flow_run_id,
        "published_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "tables": {
            table: {
                "kind": "view" if table in PUBLISHED_VIEWS else "table",
                "rows": row_counts[table],
                "path": table,
                "partitioned_by": PARTITIONED_BY.get(table),
                "columns": schemas[table],
                "files": files[table],
                **({"inputs_sha256": inputs} if table in PUBLISHED_VIEWS and inputs else {}),
            }
            for table in relations
        },
        "analyst_db": _file_entry(version, ANALYST_DB),
    }
    # Written last, and renamed into place: a folder with a manifest is complete.
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    _write_durably(version / MANIFEST, text)
    step("publish:manifest")
    previous = os.readlink(exports) if exports.is_symlink() else ""
    _point_exports_at(exports, version)
    _link_analyst_db(var_dir)
    step("publish:switched")
    remote = copy_to_url(version, publish_url, load_id) if publish_url else None
    if publish_url:
        step("publish:remote")
    _remove_old_versions(var_dir, keep={version.name, previous})
    step("publish:cleaned")
    return Publication(
        exports_dir=exports,
        analyst_db=var_dir / ANALYST_DB,
        row_counts=row_counts,
        remote=remote,
        version=version.name,
        manifest_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _views_present(connection: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The published views the warehouse has: v_timeseries is made by the first load."""
    present = {
        name for (name,) in connection.execute("SELECT view_name FROM duckdb_views()").fetchall()
    }
    return tuple(view for view in PUBLISHED_VIEWS if view in present)


def _view_inputs(
    connection: duckdb.DuckDBPyConnection, files: dict[str, list[dict[str, object]]]
) -> str:
    """A hash of what the published views are computed from: every view's definition and
    the files of the tables just published, but the run's own (VIEWLESS_TABLES). A view
    whose inputs hash as in the current publication has the same rows: its files are
    linked, not computed again (v_indicator_latest ranks every fact). '' when some view
    reads a table left out of the hash."""
    views = dict(
        connection.execute(
            "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'"
        ).fetchall()
    )
    # The published views and every view they read, by name.
    read, pending = set(), [name for name in PUBLISHED_VIEWS if name in views]
    while pending:
        name = pending.pop()
        read.add(name)
        pending.extend(v for v in views if v not in read and _names(views[name], v))
    definitions = sorted((name, views[name]) for name in read)
    if any(_names(sql, table) for _, sql in definitions for table in VIEWLESS_TABLES):
        return ""
    tables = {
        table: [(f["path"], f["sha256"]) for f in entries]
        for table, entries in sorted(files.items())
        if table not in VIEWLESS_TABLES
    }
    text = json.dumps([definitions, tables], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _names(sql: str, relation: str) -> bool:
    """Whether a statement names this table or view (as a word)."""
    return re.search(rf"\b{re.escape(relation)}\b", sql) is not None


def _unchanged(relation: str, unchanged: Collection[str]) -> bool:
    """A view is as published when every table is (it reads several of them)."""
    if relation in PUBLISHED_VIEWS:
        return set(PUBLISHED_TABLES) <= set(unchanged)
    return relation in unchanged


def _next_version(var_dir: Path, exports: Path, load_id: str) -> Path:
    """The folder of the next publication: `.exports-<load_id>`, or, when readers are on a
    folder of that name (the same load published again), `.exports-<load_id>-2`..."""
    current = os.readlink(exports) if exports.is_symlink() else None
    name, number = f"{VERSION_PREFIX}{load_id}", 1
    while (f"{name}-{number}" if number > 1 else name) == current:
        number += 1
    return var_dir / (f"{name}-{number}" if number > 1 else name)


def _file_entries(version: Path, table: str) -> list[dict[str, object]]:
    root = version / table
    return [
        _file_entry(version, path.relative_to(version).as_posix())
        for path in sorted(root.rglob("*.parquet"))
    ]


def _file_entry(version: Path, relative: str) -> dict[str, object]:
    path = version / relative
    return {"path": relative, "bytes": path.stat().st_size, "sha256": file_sha256(path)}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _write_durably(path: Path, text: str) -> None:
    """Write a small file aside, flush it to disk, rename it into place."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def files_present(folder: Path, manifest: dict) -> bool:
    """Every file the manifest lists is in `folder` with its size (a quick check: no reading)."""
    files = [file for entry in manifest.get("tables", {}).values() for file in entry["files"]]
    files.append(manifest["analyst_db"])
    try:
        return all((folder / file["path"]).stat().st_size == file["bytes"] for file in files)
    except OSError:
        return False


def verify_publication(folder: Path) -> list[str]:
    """What is wrong with a publication folder: files its manifest lists that are missing or
    differ (size, SHA-256), Parquet files it does not list, row counts that disagree. [] when
    it is whole."""
    import pyarrow.parquet as pq

    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"no readable manifest: {error}"]
    problems = []
    listed = {}
    for table, entry in manifest.get("tables", {}).items():
        rows = 0
        for file in entry.get("files", []):
            listed[file["path"]] = file
            path = folder / file["path"]
            if not path.is_file():
                problems.append(f"{file['path']}: missing")
                continue
            try:
                rows += pq.ParquetFile(path).metadata.num_rows
            except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
                problems.append(f"{file['path']}: not readable as Parquet ({error})")
        if rows != entry["rows"]:
            problems.append(f"{table}: {rows} rows in its files, the manifest says {entry['rows']}")
    if manifest.get("analyst_db"):
        listed[ANALYST_DB] = manifest["analyst_db"]
    for relative, file in listed.items():
        path = folder / relative
        if path.is_file():
            if path.stat().st_size != file["bytes"] or file_sha256(path) != file["sha256"]:
                problems.append(f"{relative}: size or SHA-256 differs from the manifest")
        elif relative == ANALYST_DB:
            problems.append(f"{relative}: missing")
    for path in folder.rglob("*.parquet"):
        if path.relative_to(folder).as_posix() not in listed:
            problems.append(f"{path.relative_to(folder).as_posix()}: not in the manifest")
    return problems


def copy_to_url(version: Path, url: str, load_id: str) -> str:
    """Copy a complete publication to `<url>/<load_id>/` (any fsspec URL: a folder, S3, GCS,
    HDFS...), then point `<url>/latest.json` at it, written last.

    The layout is the one of VAR/exports: a folder per table, `fact_observation/year=YYYY/`
    Hive-partitioned, and the manifest. Object stores have no atomic rename, so readers
    find the current publication through latest.json (Spark, Trino and DuckDB read the
    folder it names); a copy killed half-way is never named there.
    """
    import fsspec

    fs, root = fsspec.core.url_to_fs(url)
    target = f"{root.rstrip('/')}/{load_id}"
    for path in sorted(version.rglob("*")):
        # The analyst database goes too: its views name the files relative to it.
        if path.is_file():
            remote = f"{target}/{path.relative_to(version).as_posix()}"
            fs.makedirs(remote.rsplit("/", 1)[0], exist_ok=True)
            fs.put_file(str(path), remote)
    latest = {"load_id": load_id, "path": load_id, "manifest": f"{load_id}/manifest.json"}
    with fs.open(f"{root.rstrip('/')}/latest.json", "w", encoding="utf-8") as handle:
        handle.write(json.dumps(latest, ensure_ascii=False, indent=2))
    return f"{url.rstrip('/')}/{load_id}"


def _current_manifest(exports: Path) -> dict:
    try:
        manifest = json.loads((exports / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if manifest.get("format") == MANIFEST_FORMAT else {}


def _link_table(exports: Path, version: Path, entry: dict) -> bool:
    """Hard-link a table's files from the current publication (False: they are not all
    there, write the table instead). Files are never changed in place, only replaced by
    a whole new publication, so two publications may share them."""
    source = exports.resolve() / entry["path"]
    if not source.is_dir():
        return False
    target = version / entry["path"]
    try:
        for path in source.rglob("*"):
            destination = target / path.relative_to(source)
            if path.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.link(path, destination)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def _export_query(table: str) -> str:
    if table == "fact_observation":
        return (
            "SELECT f.*, p.year FROM fact_observation f "
            "JOIN dim_period p USING (period_key) ORDER BY p.year, f.fact_key"
        )
    excluded = EXCLUDED_COLUMNS.get(table)
    if excluded:
        return f"SELECT * EXCLUDE ({', '.join(excluded)}) FROM {table}"
    return f"SELECT * FROM {table}"


def _write_table(
    connection: duckdb.DuckDBPyConnection, folder: Path, table: str
) -> tuple[int, list[dict[str, object]]]:
    """One table's (or view's) Parquet (zstd) under `folder`: its row count and its columns.

    The schema comes from the warehouse's DDL, not from the data (`extract_files`), so it is
    the same in every publication, empty tables included.
    """
    query = _export_query(table)
    schema, columns = relation_schema(connection, table, query)
    partition = PARTITIONED_BY.get(table)
    for column in columns:
        if column["name"] == partition:
            column["partition"] = True
    rows = write_parquet(
        connection, query, schema, folder / table, partition=partition,
        row_group_rows=ROW_GROUP_ROWS.get(table, DEFAULT_ROW_GROUP_ROWS),
    )  # fmt: skip
    return rows, columns


def _point_exports_at(exports: Path, version: Path) -> None:
    """Switch the `exports` link to `version` in one rename (atomic on POSIX)."""
    if exports.exists() and not exports.is_symlink():
        # A folder from before publications were versioned: moved aside once, then linked.
        legacy = exports.with_name(f"{VERSION_PREFIX}legacy")
        shutil.rmtree(legacy, ignore_errors=True)
        exports.replace(legacy)
    link = exports.with_name(f".exports-link-{version.name}")
    link.unlink(missing_ok=True)
    link.symlink_to(version.name, target_is_directory=True)  # relative: VAR can move
    os.replace(link, exports)


def _remove_unfinished(var_dir: Path, exports: Path) -> None:
    """Leftovers of a publish killed before its switch: folders and links nobody points at."""
    current = os.readlink(exports) if exports.is_symlink() else None
    for path in var_dir.glob(".exports-link-*"):
        path.unlink(missing_ok=True)
    for path in var_dir.glob(f"{VERSION_PREFIX}*"):
        if path.name != current and not (path / MANIFEST).exists():
            shutil.rmtree(path, ignore_errors=True)
    for path in var_dir.glob(f"{ANALYST_DB}.link-*"):
        path.unlink(missing_ok=True)
    # The rename-based swap of earlier versions could leave this behind.
    previous = exports.with_name(exports.name + ".previous")
    if previous.exists() and not exports.exists():
        previous.replace(exports)
    if previous.is_symlink():
        previous.unlink()
    shutil.rmtree(previous, ignore_errors=True)


def _remove_old_versions(var_dir: Path, keep: set[str]) -> None:
    for path in var_dir.glob(f"{VERSION_PREFIX}*"):
        if path.is_dir() and not path.is_symlink() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _link_analyst_db(var_dir: Path) -> None:
    """`VAR/analyst.duckdb` -> `exports/analyst.duckdb`: made once (replacing the file that
    publications before format 2 wrote there), then it follows every switch of `exports`."""
    final = var_dir / ANALYST_DB
    target = f"exports/{ANALYST_DB}"
    if final.is_symlink() and os.readlink(final) == target:
        return
    link = var_dir / f"{ANALYST_DB}.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(target)
    os.replace(link, final)


def _table_source(table: str) -> str:
    """What a view of the analyst database reads: the table's files, relative to the
    database's own folder (found through DuckDB's `file_search_path`, or the working
    directory), so the publication can be moved or copied whole."""
    partition = PARTITIONED_BY.get(table)
    if partition:
        types = ", ".join(f"'{k}': {v}" for k, v in PARTITION_TYPES.items() if k == partition)
        return (
            f"read_parquet('{table}/**/*.parquet', hive_partitioning = true, "
            f"hive_types = {{{types}}})"
        )
    return f"read_parquet('{table}/{table}.parquet')"


ANALYST_DB_STORAGE = "v1.0.0"
"""The analyst database is written in the storage format of DuckDB 1.0, which every DuckDB
since reads: an analyst's DuckDB CLI (1.x, `pip install duckdb-cli`) opens it as well as
this project's DuckDB."""


def _write_analyst_db(connection: duckdb.DuckDBPyConnection, version: Path) -> Path:
    """A small database of views over the publication's own files, inside its folder.

    Its tables are views over the Parquet of this publication, named relative to the
    database (`_table_source`); its views are the warehouse's own, with their comments, in
    Chinese and English. The publication's own Parquet of those views is for BI tools.
    """
    final = version / ANALYST_DB
    temporary = version / f"{ANALYST_DB}.tmp"
    temporary.unlink(missing_ok=True)
    analyst = duckdb.connect(
        str(temporary), config={"storage_compatibility_version": ANALYST_DB_STORAGE}
    )
    try:
        # Views are checked against their files when they are created.
        analyst.execute("SET file_search_path = ?", [os.path.realpath(version)])
        for table in PUBLISHED_TABLES:
            analyst.execute(f"CREATE VIEW {table} AS SELECT * FROM {_table_source(table)}")
        _copy_views(connection, analyst)
        _copy_comments(connection, analyst)
        apply_column_comments(analyst)  # and the columns the extracts add (the partition)
        analyst.execute("CHECKPOINT")
    finally:
        analyst.close()
    os.replace(temporary, final)
    return final


def _copy_views(source: duckdb.DuckDBPyConnection, target: duckdb.DuckDBPyConnection) -> None:
    """The warehouse's views, created over the Parquet-backed tables.

    A view can only be created once the views it reads exist; the catalogue does not say
    which those are, so views whose dependencies are missing wait for the next pass.
    """
    pending = source.execute(
        "SELECT view_name, sql FROM duckdb_views() "
        "WHERE NOT internal AND schema_name = 'main' ORDER BY view_name"
    ).fetchall()
    while pending:
        waiting = []
        for name, sql in pending:
            try:
                target.execute(sql)
            except duckdb.CatalogException:
                waiting.append((name, sql))
        if len(waiting) == len(pending):
            names = ", ".join(name for name, _ in waiting)
            raise RuntimeError(f"views that cannot be created over the extracts: {names}")
        pending = waiting


def _copy_comments(source: duckdb.DuckDBPyConnection, target: duckdb.DuckDBPyConnection) -> None:
    """Table and view comments, and column comments, as in the warehouse."""
    published = set(target.execute("SELECT view_name FROM duckdb_views()").fetchall())
    relations = source.execute(
        """
        SELECT table_name, comment FROM duckdb_tables() WHERE comment IS NOT NULL
        UNION ALL
        SELECT view_name, comment FROM duckdb_views() WHERE comment IS NOT NULL AND NOT internal
        """
    ).fetchall()
    for name, comment in relations:
        if (name,) in published:
            target.execute(f"COMMENT ON VIEW {name} IS {sql_literal(comment)}")
    columns = source.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE comment IS NOT NULL AND NOT internal"
    ).fetchall()
    present = set(target.execute("SELECT table_name, column_name FROM duckdb_columns()").fetchall())
    for table, column, comment in columns:
        if (table, column) in present:  # not those kept out of the extracts (raw_text)
            target.execute(f'COMMENT ON COLUMN {table}."{column}" IS {sql_literal(comment)}')
