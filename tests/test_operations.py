"""Nightly operations end to end on real Prefect, GX and DuckDB, through the command line:
incremental runs, retirement, re-extraction, full refresh, retries, the run record and its
Prefect artifact, the analyst views and the README's queries."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from uuid import UUID

import duckdb
import pytest
from typer.testing import CliRunner

import flows.batch
import flows.nightly
from flows.cli import app
from tests.conftest import REPO, SAMPLE_INBOX
from transforms.errors import TerminalError, TransientError

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]

runner = CliRunner()
STAR_JOIN = """
SELECT count(*) FROM fact_observation
JOIN dim_document USING (document_key) JOIN dim_indicator USING (indicator_key)
JOIN dim_region USING (region_key) JOIN dim_period USING (period_key) JOIN dim_unit USING (unit_key)
"""
NEW_REPORT = """嘉兴市平湖市统计局　2023年8月10日

今年1-7月，全市规上工业增加值182.4亿元，同比增长9.5%。
"""


def run_cli(inbox: Path, var: Path, *options: str) -> dict:
    result = runner.invoke(
        app, ["run", "--inbox", str(inbox), "--var", str(var), "--json", *options]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def query(database: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    # The analyst database's views name their files relative to it (VAR/exports).
    config = {"file_search_path": str(database.parent / "exports")}
    with duckdb.connect(str(database), read_only=True, config=config) as connection:
        return connection.execute(sql, parameters or []).fetchall()


def readme_queries() -> list[str]:
    """The statements of the README's analyst-queries block, exactly as shown there."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    after = text[text.index("<!-- analyst-queries:") :]
    block = re.search(r"```sql\n(.*?)```", after, re.S)
    assert block, "README: no ```sql block after the analyst-queries marker"
    return [s.strip() for s in block.group(1).split(";") if s.strip()]


@pytest.fixture(scope="module")
def sample_run(prefect_harness, tmp_path_factory: pytest.TempPathFactory):
    """The bundled sample inbox, run once: (inbox, var, run summary). Read-only for tests."""
    root = tmp_path_factory.mktemp("sample")
    inbox = root / "inbox"
    shutil.copytree(SAMPLE_INBOX, inbox)
    summary = run_cli(inbox, root / "var")
    return inbox, root / "var", summary


@pytest.fixture
def sample_copy(sample_run, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the sample run's inbox and state folder that a test may change."""
    inbox, var, _ = sample_run
    shutil.copytree(inbox, tmp_path / "inbox")
    shutil.copytree(var, tmp_path / "var", symlinks=True)
    return tmp_path / "inbox", tmp_path / "var"


def changeable_fact(var: Path, inbox: Path) -> dict:
    """A level stated once by one document, whose number appears once in its file: changing
    that number changes that fact and nothing else."""
    candidates = query(
        var / "warehouse.duckdb",
        """
        SELECT l.indicator_code, l.region_code, l.period_start, l.period_end, l.value,
               l.evidence, d.source_path
        FROM v_indicator_latest l JOIN dim_document d USING (document_key)
        WHERE l.measure = 'value' AND l.n_values = 1 AND l.qualifier IS NULL
        ORDER BY d.source_path, l.fact_key
        """,
    )
    for code, region, start, end, value, evidence, source_path in candidates:
        text = (inbox / source_path).read_text(encoding="utf-8")
        numbers = [n for n in re.findall(r"\d+(?:\.\d+)?", evidence) if float(n) == value]
        if len(numbers) == 1 and text.count(numbers[0]) == 1:
            return dict(
                code=code,
                region=region,
                start=start,
                end=end,
                value=value,
                number=numbers[0],
                source_path=source_path,
            )
    pytest.fail("no fact of the sample inbox can be changed alone")


def test_readme_queries_run_against_the_sample_output(sample_run) -> None:
    _, var, _ = sample_run
    statements = readme_queries()
    assert len(statements) == 5
    for statement in statements:
        # `--`: the statement starts with an SQL comment, which is not an option
        result = runner.invoke(app, ["sql", "--var", str(var), "--csv", "--", statement])
        assert result.exit_code == 0, f"{statement}\n{result.output}"
        _header, *rows = result.stdout.splitlines()
        assert rows, f"no rows from the README query:\n{statement}"


def test_views_are_documented_in_chinese_and_english(sample_run) -> None:
    _, var, _ = sample_run
    comments = dict(query(var / "analyst.duckdb", "SELECT view_name, comment FROM duckdb_views()"))
    for view in (
        "v_indicator_latest",
        "v_timeseries",
        "v_quality",
        "v_retired_fact",
        "fact_observation",
        "etl_run",
    ):
        comment = comments.get(view) or ""
        assert re.search(r"[\u4e00-\u9fff]", comment), f"{view}: no Chinese in {comment!r}"
        assert re.search(r"\bone row per\b", comment, re.I), f"{view}: no grain in English"


def test_timeseries_has_one_row_per_region_and_period_and_a_column_per_headline(
    sample_run,
) -> None:
    _, var, _ = sample_run
    analyst = var / "analyst.duckdb"
    headlines = [
        r[0] for r in query(analyst, "SELECT indicator_code FROM dim_indicator WHERE is_headline")
    ]
    columns = {r[0] for r in query(analyst, "DESCRIBE v_timeseries")}
    assert headlines
    for code in headlines:
        assert {code, f"{code}_yoy_pct"} <= columns
    total, distinct = query(
        analyst,
        "SELECT count(*), count(DISTINCT (region_code, period_start, period_end)) "
        "FROM v_timeseries",
    )[0]
    assert total == distinct > 0
    # The wide view agrees with the long one.
    wide = query(
        analyst,
        "SELECT region, period_label, retail_sales_yoy_pct FROM v_timeseries "
        "WHERE retail_sales_yoy_pct IS NOT NULL ORDER BY ALL",
    )
    long = query(
        analyst,
        "SELECT region, period_label, value FROM v_indicator_latest WHERE indicator_code = "
        "'retail_sales' AND measure = 'yoy_pct' AND qualifier IS NULL AND denominator IS NULL "
        "ORDER BY ALL",
    )
    assert wide == long != []


def test_run_record_and_prefect_artifact(sample_run) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    _, var, summary = sample_run
    row = query(
        var / "warehouse.duckdb",
        "SELECT flow_run_id, started_at < finished_at, mode, extractor_version, catalog_version, "
        "documents_seen, documents_read, documents_loaded, facts_candidates, facts_loaded, "
        "json_keys(stage_seconds) FROM etl_run WHERE load_id = ?",
        [summary["load_id"]],
    )[0]
    flow_run_id, ended_after_start, mode, extractor, catalog, seen, read, loaded = row[:8]
    candidates, facts, stages = row[8:]
    assert flow_run_id == summary["flow_run_id"] and ended_after_start
    assert (mode, extractor, catalog) == (
        "incremental",
        summary["extractor_version"],
        summary["catalog_version"],
    )
    assert seen == read == loaded == summary["documents_seen"]
    assert candidates == facts + summary["facts_quarantined"] and facts == summary["facts_loaded"]
    assert {"ingest", "extract", "validate", "load", "publish"} <= set(stages)
    manifest = json.loads((var / "exports" / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["load_id"], manifest["flow_run_id"]) == (summary["load_id"], flow_run_id)

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[flows.nightly.ARTIFACT_KEY]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(flow_run_id)]),
            )
        )
    assert len(artifacts) == 1
    markdown = artifacts[0].data
    assert artifacts[0].type == "markdown"
    assert summary["load_id"] in markdown
    assert f"| load | facts loaded | {summary['facts_loaded']} |" in markdown


def test_a_run_processes_exactly_the_new_changed_and_removed_files(sample_copy) -> None:
    inbox, var = sample_copy
    before = query(var / "warehouse.duckdb", "SELECT count(*) FROM fact_observation")[0][0]
    target = changeable_fact(var, inbox)
    changed = inbox / target["source_path"]
    new_number = f"{target['value'] + 111.1:.{len(target['number'].partition('.')[2])}f}"
    changed.write_text(
        changed.read_text(encoding="utf-8").replace(target["number"], new_number),
        encoding="utf-8",
    )
    removed = next(p for p in sorted(inbox.glob("*.txt")) if p != changed)
    removed.unlink()
    (inbox / "pinghu_2023_jan_jul.txt").write_text(NEW_REPORT, encoding="utf-8")

    summary = run_cli(inbox, var)

    assert (
        summary["documents_new"],
        summary["documents_changed"],
        summary["documents_removed"],
    ) == (1, 1, 1)
    assert summary["documents_read"] == 2  # the new file and the changed one, nothing else
    assert summary["documents_unchanged"] == summary["documents_seen"] - 2
    assert summary["documents_retired"] == 2

    analyst = var / "analyst.duckdb"
    latest = query(
        analyst,
        "SELECT value, source_doc FROM v_indicator_latest WHERE indicator_code = ? "
        "AND region_code = ? AND period_start = ? AND period_end = ? AND measure = 'value' "
        "AND qualifier IS NULL",
        [target["code"], target["region"], target["start"], target["end"]],
    )
    assert latest == [(float(new_number), changed.name)]
    new_values = query(
        analyst,
        "SELECT value FROM v_indicator_latest WHERE source_doc = ? AND measure = 'value'",
        ["pinghu_2023_jan_jul.txt"],
    )
    assert new_values == [(182.4,)]
    retired = dict(
        query(
            analyst,
            "SELECT doc_name, any_value(retired_reason) FROM v_retired_fact GROUP BY doc_name",
        )
    )
    assert retired == {changed.name: "replaced", removed.name: "removed"}
    assert not query(
        analyst, "SELECT 1 FROM v_indicator_latest WHERE source_doc = ?", [removed.name]
    )
    # Retired facts are kept, and the old value with them.
    warehouse = var / "warehouse.duckdb"
    assert query(warehouse, "SELECT count(*) FROM fact_observation")[0][0] > before
    kept = query(
        warehouse,
        "SELECT count(*) FROM fact_observation f JOIN dim_document d USING (document_key) "
        "WHERE d.retired_reason = 'replaced' AND d.doc_name = ? AND f.value = ?",
        [changed.name, target["value"]],
    )
    assert kept == [(1,)]
    assert query(warehouse, STAR_JOIN) == query(warehouse, "SELECT count(*) FROM fact_observation")


def test_reextract_recomputes_facts_from_stored_text_without_reading_the_inbox(
    sample_copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, var = sample_copy
    facts = "SELECT * EXCLUDE (load_id, loaded_at, extractor_version) FROM fact_observation"
    before = query(var / "warehouse.duckdb", f"{facts} ORDER BY ALL")

    def no_reading(*_args: object) -> None:
        raise AssertionError("--reextract read an inbox file")

    monkeypatch.setattr(flows.batch, "read_document", no_reading)
    monkeypatch.setattr(flows.batch, "EXTRACTOR_VERSION", "9.9.9-test")
    monkeypatch.setattr(flows.nightly, "EXTRACTOR_VERSION", "9.9.9-test")
    summary = run_cli(inbox, var, "--reextract")

    assert summary["mode"] == "reextract"
    assert summary["documents_read"] == 0
    assert summary["documents_reextracted"] == summary["documents_seen"]
    warehouse = var / "warehouse.duckdb"
    assert query(warehouse, f"{facts} ORDER BY ALL") == before  # same extractor, same facts
    assert query(
        warehouse,
        "SELECT DISTINCT extractor_version FROM fact_observation UNION "
        "SELECT DISTINCT extractor_version FROM dim_document",
    ) == [("9.9.9-test",)]
    last_run = query(
        warehouse, "SELECT mode, extractor_version FROM etl_run ORDER BY started_at DESC LIMIT 1"
    )
    assert last_run == [("reextract", "9.9.9-test")]


def test_full_refresh_reads_everything_again_and_changes_nothing(sample_copy) -> None:
    inbox, var = sample_copy
    warehouse = var / "warehouse.duckdb"
    facts = "SELECT * EXCLUDE (load_id, loaded_at) FROM fact_observation ORDER BY ALL"
    documents = "SELECT content_sha256, ingested_at, retired_at FROM dim_document ORDER BY ALL"
    before = query(warehouse, facts), query(warehouse, documents)

    summary = run_cli(inbox, var, "--full-refresh")

    assert summary["mode"] == "full_refresh"
    assert summary["documents_read"] == summary["documents_seen"]
    assert summary["documents_unchanged"] == summary["documents_seen"]
    assert (query(warehouse, facts), query(warehouse, documents)) == before


def test_tasks_retry_transient_errors_only(sample_copy, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, var = sample_copy
    monkeypatch.setenv("ZHIBIAO_RETRY_DELAY_SECONDS", "0")
    publish = flows.nightly.publish_load
    calls: list[str] = []

    def flaky(*args: object, **kwargs: object):
        calls.append("publish")
        if len(calls) == 1:
            raise TransientError("the share went away for a moment")
        return publish(*args, **kwargs)

    monkeypatch.setattr(flows.nightly, "publish_load", flaky)
    summary = run_cli(inbox, var)
    assert summary["status"] == "loaded" and calls == ["publish", "publish"]

    calls.clear()

    def broken(*_args: object, **_kwargs: object):
        calls.append("publish")
        raise TerminalError("a setting is wrong: retrying cannot help")

    monkeypatch.setattr(flows.nightly, "publish_load", broken)
    result = runner.invoke(app, ["run", "--inbox", str(inbox), "--var", str(var), "--json"])
    assert result.exit_code == 1
    assert calls == ["publish"]


def test_the_deployment_runs_nightly_at_two_in_shanghai(
    prefect_harness, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client

    from flows.deployment import build_deployment
    from flows.settings import Settings

    monkeypatch.delenv("ZHIBIAO_SCHEDULE_CRON", raising=False)
    monkeypatch.delenv("ZHIBIAO_SCHEDULE_TZ", raising=False)
    deployment = build_deployment(Settings(inbox=tmp_path / "inbox", var=tmp_path / "var"))
    (schedule,) = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 2 * * *", "Asia/Shanghai")
    assert deployment.parameters["var"] == str((tmp_path / "var").resolve())
    assert deployment.parameters["wait_seconds"] > 0

    # Registered on a real Prefect server, it keeps its schedule and time zone.
    monkeypatch.setenv("ZHIBIAO_SCHEDULE_CRON", "30 3 * * 1-5")
    monkeypatch.setenv("ZHIBIAO_SCHEDULE_TZ", "Asia/Urumqi")
    deployment = build_deployment(Settings(inbox=tmp_path / "inbox", var=tmp_path / "var"))
    deployment_id = deployment.apply()
    with get_client(sync_client=True) as client:
        stored = client.read_deployment(deployment_id)
        client.delete_deployment(deployment_id)
    (schedule,) = stored.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 3 * * 1-5", "Asia/Urumqi")
    assert stored.entrypoint == "flows.nightly.nightly"


def test_a_bad_schedule_is_refused_with_the_setting_to_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flows.deployment import build_deployment
    from flows.settings import load_settings

    monkeypatch.setenv("ZHIBIAO_SCHEDULE_TZ", "Asia/Beijing")  # not a zone: Shanghai is
    with pytest.raises(TerminalError, match="ZHIBIAO_SCHEDULE_TZ='Asia/Beijing' is not valid"):
        load_settings(inbox=tmp_path, var=tmp_path)
    monkeypatch.delenv("ZHIBIAO_SCHEDULE_TZ")
    monkeypatch.setenv("ZHIBIAO_SCHEDULE_CRON", "0 25 * * *")  # no hour 25
    with pytest.raises(TerminalError, match="ZHIBIAO_SCHEDULE_CRON"):
        build_deployment(load_settings(inbox=tmp_path, var=tmp_path))
