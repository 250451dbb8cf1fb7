"""The warehouse on a real DuckDB file: one-transaction loads, publishing, analyst access."""

from __future__ import annotations

import json
import time
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

import warehouse.store as store
from flows.batch import (
    dimension_frames,
    outcomes_frame,
    rejections_frame,
    split_candidates,
    stage_batch,
)
from tests.factories import document, extraction, fact, small_catalog
from transforms.conform import conform_batch
from warehouse.analyst import open_analyst_db, run_query
from warehouse.publish import publish
from warehouse.staging import StagingArea
from warehouse.store import RunRecord, Warehouse

STAR_JOIN = """
SELECT count(*) FROM fact_observation f
JOIN dim_document USING (document_key) JOIN dim_indicator USING (indicator_key)
JOIN dim_region USING (region_key) JOIN dim_period USING (period_key) JOIN dim_unit USING (unit_key)
"""


def load_run(wh: Warehouse, tmp_path: Path, facts: list, load_id: str, sha: str = "a" * 64) -> None:
    catalog = small_catalog(tmp_path / load_id)
    conformed = conform_batch(
        [(document(sha=sha), extraction(facts))], catalog, extractor_version="t", load_id=load_id
    )
    loadable, quarantine = split_candidates(conformed.candidates, {}, {})
    staging = StagingArea(tmp_path / f"staging-{load_id}").reset()
    stage_batch(
        staging, "0", conformed, loadable, quarantine, rejections_frame([], load_id),
        outcomes_frame([], load_id),
    )  # fmt: skip
    sources = pl.DataFrame(
        {"source_path": ["report.txt"], "content_sha256": [sha], "status": ["loaded"]}
    )
    run = RunRecord(load_id, None, time.time(), "loaded", {"facts_loaded": loadable.height}, "t",
                    catalog.version, {})  # fmt: skip
    wh.load(staging, dimension_frames(catalog), sources, run)


def snapshot(wh: Warehouse) -> dict[str, list]:
    tables = ("fact_observation", "dim_document", "dim_period", "dim_indicator", "dim_region",
              "dim_unit", "document_source")  # fmt: skip
    return {t: wh.connection.sql(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}


@pytest.fixture
def loaded(tmp_path: Path):
    wh = Warehouse(tmp_path / "var" / "warehouse.duckdb")
    load_run(wh, tmp_path, [fact(), fact(measure="yoy_pct", value=8.5, unit="%")], "run-1")
    yield wh
    wh.close()


def test_every_fact_joins_all_five_dimensions(loaded: Warehouse) -> None:
    assert loaded.connection.execute("SELECT count(*) FROM fact_observation").fetchone()[0] == 2
    assert loaded.connection.execute(STAR_JOIN).fetchone()[0] == 2


def test_natural_keys_are_unique_in_every_dimension(loaded: Warehouse) -> None:
    natural = {"dim_indicator": "indicator_code", "dim_region": "region_code",
               "dim_unit": "symbol", "dim_document": "content_sha256",
               "dim_period": "period_start, period_end"}  # fmt: skip
    for table, columns in natural.items():
        total, distinct = loaded.connection.execute(
            f"SELECT count(*), count(DISTINCT ({columns})) FROM {table}"
        ).fetchone()
        assert total == distinct, table


def test_reloading_a_document_replaces_its_facts(loaded: Warehouse, tmp_path: Path) -> None:
    facts_without_lineage = (
        "SELECT * EXCLUDE (load_id, loaded_at) FROM fact_observation ORDER BY ALL"
    )
    before = loaded.connection.sql(facts_without_lineage).fetchall()
    load_run(loaded, tmp_path, [fact(), fact(measure="yoy_pct", value=8.5, unit="%")], "run-2")
    assert loaded.connection.sql(facts_without_lineage).fetchall() == before
    load_ids = loaded.connection.sql("SELECT DISTINCT load_id FROM fact_observation").fetchall()
    assert load_ids == [("run-2",)]


def test_a_crash_mid_load_leaves_the_previous_state(
    loaded: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(loaded)

    def crash(*_args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "_insert_run", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        load_run(loaded, tmp_path, [fact(value=999.0)], "run-2", sha="b" * 64)
    assert snapshot(loaded) == before


def test_publish_writes_readable_parquet_and_an_analyst_database(
    loaded: Warehouse, tmp_path: Path
) -> None:
    var = tmp_path / "var"
    publication = publish(loaded.connection, var, "run-1")

    manifest = json.loads((publication.exports_dir / "manifest.json").read_text(encoding="utf-8"))
    for table, entry in manifest["tables"].items():
        dataset = pq.ParquetDataset(publication.exports_dir / entry["path"])
        assert dataset.read().num_rows == entry["rows"], table
    facts_dir = publication.exports_dir / "fact_observation"
    assert [p.name for p in facts_dir.iterdir()] == ["year=2021"]

    # The writer still holds warehouse.duckdb; analysts read the published database.
    connection = open_analyst_db(var)
    columns, rows = run_query(
        connection, "SELECT indicator, value FROM v_indicator_latest ORDER BY 2"
    )
    assert columns == ["indicator", "value"]
    assert rows == [("规模以上工业增加值", 8.5), ("规模以上工业增加值", 554.1)]
    connection.close()


def test_an_interrupted_swap_keeps_the_previous_extract(loaded: Warehouse, tmp_path: Path) -> None:
    var = tmp_path / "var"
    publish(loaded.connection, var, "run-1")
    # Simulate a publish killed between moving the old extract aside and moving the new one in.
    (var / "exports").replace(var / "exports.previous")
    (var / ".exports-run-2").mkdir()
    publication = publish(loaded.connection, var, "run-3")
    assert (publication.exports_dir / "manifest.json").exists()
    assert not (var / "exports.previous").exists()


def test_documents_no_file_holds_are_retired_and_kept(loaded: Warehouse, tmp_path: Path) -> None:
    def current() -> list[tuple]:
        return loaded.connection.sql(
            "SELECT content_sha256 FROM v_current_document ORDER BY ALL"
        ).fetchall()

    def retired() -> list[tuple]:
        return loaded.connection.sql(
            "SELECT content_sha256, retired_reason FROM dim_document "
            "WHERE retired_at IS NOT NULL ORDER BY ALL"
        ).fetchall()

    # report.txt now holds other bytes: the document it held is replaced, its facts kept.
    load_run(loaded, tmp_path, [fact(value=600.0)], "run-2", sha="b" * 64)
    assert current() == [("b" * 64,)]
    assert retired() == [("a" * 64, "replaced")]
    assert loaded.connection.execute("SELECT count(*) FROM fact_observation").fetchall()[0][0] == 3
    latest = loaded.connection.sql("SELECT value FROM v_indicator_latest").fetchall()
    assert latest == [(600.0,)]
    assert loaded.connection.execute("SELECT count(*) FROM v_retired_fact").fetchall()[0][0] == 2

    # The file is gone: its document is removed.
    catalog = small_catalog(tmp_path / "run-3")
    nothing = pl.DataFrame(schema={"source_path": pl.String, "content_sha256": pl.String,
                                   "status": pl.String})  # fmt: skip
    run = RunRecord("run-3", None, time.time(), "loaded", {}, "t", catalog.version, {})
    outcome = loaded.load(StagingArea(tmp_path / "empty").reset(), dimension_frames(catalog),
                          nothing, run)  # fmt: skip
    assert outcome == {"documents_retired": 1, "reviews_applied": 0, "warnings_changed": 0}
    assert current() == []
    assert retired() == [("a" * 64, "replaced"), ("b" * 64, "removed")]

    # The first bytes come back: that document is current again, with its facts.
    load_run(loaded, tmp_path, [fact(), fact(measure="yoy_pct", value=8.5, unit="%")], "run-4")
    assert current() == [("a" * 64,)]
    assert retired() == [("b" * 64, "removed")]
    assert sorted(loaded.connection.sql("SELECT value FROM v_indicator_latest").fetchall()) == [
        (8.5,), (554.1,),
    ]  # fmt: skip


def test_staged_texts_are_written_in_row_groups_of_bounded_size(tmp_path: Path) -> None:
    """A batch's texts go to Parquet a few MB at a time (one group of a whole batch took 235 MB
    more memory to write), and read back whole and in order."""
    from warehouse.staging import ROW_GROUP_BYTES

    texts = pl.DataFrame(
        {
            "key": [str(n) for n in range(400)],
            "text": [f"{n}全市生产总值" * 4000 for n in range(400)],
        }
    )
    staging = StagingArea(tmp_path).reset()

    staging.write("document_text", texts, "00000")

    path = tmp_path / "document_text" / "part-00000.parquet"
    groups = pq.ParquetFile(path).metadata
    assert groups.num_row_groups > 1
    largest = max(groups.row_group(g).total_byte_size for g in range(groups.num_row_groups))
    assert largest <= 2 * ROW_GROUP_BYTES
    assert staging.read_part("document_text", "00000").equals(texts)
