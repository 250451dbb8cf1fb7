"""A warehouse file from another schema version is refused with a message, never half-used."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.store import SCHEMA_VERSION, WarehouseSchemaMismatch, connect


def test_a_new_file_is_stamped_with_the_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    connect(path).close()
    with duckdb.connect(str(path), read_only=True) as connection:
        assert connection.execute("SELECT schema_version FROM schema_meta").fetchall() == [
            (SCHEMA_VERSION,)
        ]
    connect(path).close()  # reopening the same version is fine, and stamps nothing twice
    with duckdb.connect(str(path), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM schema_meta").fetchone()[0] == 1


@pytest.mark.parametrize("version", [None, SCHEMA_VERSION + 1])
def test_an_unversioned_or_newer_file_is_refused(tmp_path: Path, version: int | None) -> None:
    path = tmp_path / "var" / "warehouse.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE fact_observation (fact_key VARCHAR)")
        if version is not None:
            connection.execute("CREATE TABLE schema_meta (schema_version INTEGER)")
            connection.execute("INSERT INTO schema_meta VALUES (?)", [version])
    for read_only in (False, True):
        with pytest.raises(WarehouseSchemaMismatch, match="Move the state folder aside"):
            connect(path, read_only=read_only)
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = connection.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
    assert ("dim_region",) not in tables, "nothing was created in the refused file"


def test_a_file_of_the_previous_version_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    connect(path).close()
    with duckdb.connect(str(path)) as connection:  # as schema version 1 left it
        connection.execute("DROP TABLE publication")
        connection.execute("UPDATE schema_meta SET schema_version = 1")
    with pytest.raises(duckdb.CatalogException):
        duckdb.connect(str(path), read_only=True).execute("SELECT * FROM publication")
    connect(path, read_only=True).close()  # readable as it is

    connect(path).close()

    with duckdb.connect(str(path), read_only=True) as connection:
        assert connection.execute("SELECT max(schema_version) FROM schema_meta").fetchall() == [
            (SCHEMA_VERSION,)
        ]
        assert connection.execute("SELECT count(*) FROM publication").fetchall() == [(0,)]


def test_a_file_of_version_2_keeps_its_texts_and_compresses_them_with_zstd(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    connect(path).close()
    with duckdb.connect(str(path)) as connection:  # as schema version 2 left it
        connection.execute("DROP TABLE document_text")
        connection.execute(
            "CREATE TABLE document_text (document_key BIGINT PRIMARY KEY, "
            "content_sha256 VARCHAR, normalised_text VARCHAR, raw_text VARCHAR)"
        )
        connection.execute(
            "INSERT INTO document_text VALUES (7, 'ab', '全区生产总值', '全区生产总值 ')"
        )
        connection.execute("UPDATE schema_meta SET schema_version = 2")

    connect(path).close()

    with duckdb.connect(str(path)) as connection:
        assert connection.execute("SELECT * FROM document_text").fetchall() == [
            (7, "ab", "全区生产总值", "全区生产总值 ")
        ]
        tables = connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        assert ("document_text_v2",) not in tables
        connection.execute("CHECKPOINT")
        compressions = connection.execute(
            "SELECT DISTINCT column_name, compression FROM pragma_storage_info('document_text') "
            "WHERE column_name IN ('normalised_text', 'raw_text') AND compression <> 'Constant'"
        ).fetchall()
        assert sorted(compressions) == [("normalised_text", "ZSTD"), ("raw_text", "ZSTD")]
