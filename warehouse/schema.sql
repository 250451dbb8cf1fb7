-- Zhibiao warehouse: a star of indicator observations. Every table states its grain.
-- Keys are derived from natural keys (transforms/keys.py): the same inbox gives the same rows.
CREATE TABLE IF NOT EXISTS schema_meta (
    schema_version  INTEGER NOT NULL,
    written_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);
COMMENT ON TABLE schema_meta IS 'One row: the version of this schema the file was created with (warehouse/store.py SCHEMA_VERSION). 库表结构版本。';

-- Natural keys are unique because keys hash them (checked in tests/warehouse, not by
-- constraints, so dimension rows can be replaced in place). Idempotent: run at every connection.

CREATE TABLE IF NOT EXISTS dim_indicator (
    indicator_key   BIGINT PRIMARY KEY,
    indicator_code  VARCHAR NOT NULL,
    name_zh         VARCHAR NOT NULL,
    name_en         VARCHAR,
    category        VARCHAR,
    dimension       VARCHAR NOT NULL,
    default_unit    VARCHAR,
    parent_code     VARCHAR,
    is_headline     BOOLEAN NOT NULL,
    yoy_min_pct     DOUBLE,
    yoy_max_pct     DOUBLE
);
COMMENT ON TABLE dim_indicator IS 'One row per catalogue indicator (transforms/catalog/indicators.csv). 每个指标一行。';

CREATE TABLE IF NOT EXISTS dim_region (
    region_key   BIGINT PRIMARY KEY,
    region_code  VARCHAR NOT NULL,
    name_zh      VARCHAR NOT NULL,
    name_en      VARCHAR,
    level        VARCHAR NOT NULL,
    parent_code  VARCHAR
);
COMMENT ON TABLE dim_region IS 'One row per administrative area (GB/T 2260 code), from transforms/catalog/regions.csv. 每个行政区划一行。';

CREATE TABLE IF NOT EXISTS dim_period (
    period_key    BIGINT PRIMARY KEY,
    period_start  VARCHAR NOT NULL,
    period_end    VARCHAR NOT NULL,
    start_month   DATE NOT NULL,
    end_month     DATE NOT NULL,
    year          INTEGER NOT NULL,
    months        INTEGER NOT NULL,
    granularity   VARCHAR NOT NULL,
    label_zh      VARCHAR NOT NULL
);
COMMENT ON TABLE dim_period IS 'One row per (first month, last month) a figure covers. 每个统计期一行。';

CREATE TABLE IF NOT EXISTS dim_unit (
    unit_key        BIGINT PRIMARY KEY,
    symbol          VARCHAR NOT NULL,
    dimension       VARCHAR NOT NULL,
    base_symbol     VARCHAR,
    factor_to_base  DOUBLE NOT NULL,
    name_en         VARCHAR
);
COMMENT ON TABLE dim_unit IS 'One row per unit symbol, with its dimension and factor to the base unit. 每个计量单位一行。';

CREATE TABLE IF NOT EXISTS dim_document (
    document_key       BIGINT PRIMARY KEY,
    content_sha256     VARCHAR NOT NULL,
    doc_name           VARCHAR NOT NULL,
    source_path        VARCHAR NOT NULL,
    format             VARCHAR NOT NULL,
    encoding           VARCHAR,
    size_bytes         BIGINT NOT NULL,
    char_count         BIGINT NOT NULL,
    inferred_region    VARCHAR,
    report_date        VARCHAR,
    fact_count         BIGINT NOT NULL,
    extractor_version  VARCHAR NOT NULL,
    catalog_version    VARCHAR NOT NULL,
    load_id            VARCHAR NOT NULL,
    ingested_at        TIMESTAMP NOT NULL DEFAULT current_timestamp,
    retired_at         TIMESTAMP,
    retired_reason     VARCHAR,
    retired_load_id    VARCHAR
);
COMMENT ON TABLE dim_document IS 'One row per distinct document content (SHA-256 of its bytes). 每份文档（按内容）一行。';
-- Retirement: a document no inbox path holds any more keeps its row and its facts, marked
-- with when and why ('removed': its file went; 'replaced': its file now holds other bytes).
-- Views for people show current documents only. Cleared if the content comes back.

CREATE TABLE IF NOT EXISTS document_source (
    source_path     VARCHAR PRIMARY KEY,
    content_sha256  VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,   -- loaded | rejected
    is_present      BOOLEAN NOT NULL,
    first_seen_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    load_id         VARCHAR NOT NULL    -- the run that last changed this row
);
COMMENT ON TABLE document_source IS 'One row per inbox path ever seen: its current content and whether it is still there. 每个收件路径一行。';

-- The texts are compressed with zstd: DuckDB's default for strings (DICT_FSST) analyses
-- long texts so slowly that checkpointing 10,000 reports' texts (230 MB) took 24 s of CPU
-- at the load's commit; zstd takes 0.8 s (measured, DuckDB 2.0).
CREATE TABLE IF NOT EXISTS document_text (
    document_key     BIGINT PRIMARY KEY,
    content_sha256   VARCHAR,
    normalised_text  VARCHAR USING COMPRESSION zstd,
    raw_text         VARCHAR USING COMPRESSION zstd
);
-- The decoded text the extractor read (raw_start/raw_end refer to it): `zhibiao run
-- --reextract` extracts again from it without reading the inbox. Not the normalised text:
-- normalising twice is not a no-op, so facts re-extracted from it would differ.
COMMENT ON TABLE document_text IS 'One row per distinct document content: the normalised text that evidence offsets (evidence_start, evidence_end) refer to. 每份文档的规范化文本一行。';

CREATE TABLE IF NOT EXISTS fact_observation (
    fact_key           VARCHAR PRIMARY KEY,
    document_key       BIGINT NOT NULL,
    indicator_key      BIGINT NOT NULL,
    region_key         BIGINT NOT NULL,
    period_key         BIGINT NOT NULL,
    unit_key           BIGINT NOT NULL,
    measure            VARCHAR NOT NULL,
    qualifier          VARCHAR,
    denominator        VARCHAR,
    value              DOUBLE NOT NULL,
    value_base         DOUBLE,
    is_approximate     BOOLEAN NOT NULL,
    evidence           VARCHAR NOT NULL,
    evidence_start     BIGINT NOT NULL,
    evidence_end       BIGINT NOT NULL,
    raw_start          BIGINT NOT NULL,
    raw_end            BIGINT NOT NULL,
    warnings           VARCHAR[],
    extractor_version  VARCHAR NOT NULL,
    catalog_version    VARCHAR NOT NULL,
    load_id            VARCHAR NOT NULL,
    loaded_at          TIMESTAMP NOT NULL DEFAULT current_timestamp
);
COMMENT ON TABLE fact_observation IS 'One row per document, indicator, region, period, measure, qualifier and denominator: the value as stated. 每份文档每个指标、地区、时期、口径一行。';

CREATE TABLE IF NOT EXISTS quarantine_observation (
    fact_key             VARCHAR PRIMARY KEY,
    document_key         BIGINT NOT NULL,
    doc                  VARCHAR NOT NULL,
    indicator            VARCHAR,
    region               VARCHAR,
    period_start         VARCHAR,
    period_end           VARCHAR,
    unit                 VARCHAR,
    indicator_key        BIGINT,
    region_key           BIGINT,
    period_key           BIGINT,
    unit_key             BIGINT,
    measure              VARCHAR,
    qualifier            VARCHAR,
    denominator          VARCHAR,
    value                DOUBLE,
    value_base           DOUBLE,
    is_approximate       BOOLEAN,
    evidence             VARCHAR,
    evidence_start       BIGINT,
    evidence_end         BIGINT,
    raw_start            BIGINT,
    raw_end              BIGINT,
    failed_expectations  VARCHAR[] NOT NULL,
    status               VARCHAR NOT NULL DEFAULT 'pending',  -- pending | accepted | rejected
    review_reason        VARCHAR,
    extractor_version    VARCHAR NOT NULL,
    catalog_version      VARCHAR NOT NULL,
    load_id              VARCHAR NOT NULL,
    quarantined_at       TIMESTAMP NOT NULL DEFAULT current_timestamp
);
COMMENT ON TABLE quarantine_observation IS 'One row per candidate fact held back by a critical expectation, with the expectations it failed. 每个被隔离的事实一行。';

CREATE TABLE IF NOT EXISTS quarantine_review (
    fact_key    VARCHAR PRIMARY KEY,
    decision    VARCHAR NOT NULL,   -- accepted | rejected
    reason      VARCHAR,
    decided_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);
COMMENT ON TABLE quarantine_review IS 'One row per quarantined fact a person decided on: accepted facts load at the next run, with the reason. 每个人工复核决定一行。';

CREATE TABLE IF NOT EXISTS rejected_document (
    source_path     VARCHAR NOT NULL,
    content_sha256  VARCHAR NOT NULL,   -- '' when the file could not be hashed
    size_bytes      BIGINT,
    reason_code     VARCHAR NOT NULL,
    message         VARCHAR NOT NULL,
    load_id         VARCHAR NOT NULL,
    rejected_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (source_path, reason_code, content_sha256)
);
COMMENT ON TABLE rejected_document IS 'One row per inbox file (path and content) that could not be read as a document, with the reason. 每个被拒收文件一行。';

CREATE TABLE IF NOT EXISTS etl_run (
    load_id                VARCHAR PRIMARY KEY,
    flow_run_id            VARCHAR,
    started_at             TIMESTAMP NOT NULL,
    finished_at            TIMESTAMP,
    status                 VARCHAR NOT NULL,  -- loaded | held_back | failed
    documents_seen         BIGINT,
    documents_new          BIGINT,
    documents_changed      BIGINT,
    documents_unchanged    BIGINT,
    documents_removed      BIGINT,
    documents_rejected     BIGINT,
    facts_loaded           BIGINT,
    facts_quarantined      BIGINT,
    extractor_version      VARCHAR,
    catalog_version        VARCHAR,
    seconds                DOUBLE,
    stage_seconds          JSON,
    mode                   VARCHAR,  -- incremental | full_refresh | reextract
    documents_read         BIGINT,
    documents_reextracted  BIGINT,
    documents_loaded       BIGINT,
    documents_retired      BIGINT,
    facts_candidates       BIGINT
);
COMMENT ON TABLE etl_run IS 'One row per nightly run: counts in and out, versions, timings. 每次运行一行。';
-- Counts per stage beside the ones above: ingest (seen/new/changed/unchanged/removed), read
-- (read, reextracted), gate (facts_candidates), load (loaded, retired).

CREATE TABLE IF NOT EXISTS dq_result (
    load_id          VARCHAR NOT NULL,
    expectation      VARCHAR NOT NULL,
    severity         VARCHAR NOT NULL,
    success          BOOLEAN NOT NULL,
    element_count    BIGINT NOT NULL,
    unexpected_count BIGINT NOT NULL,
    description      VARCHAR,
    PRIMARY KEY (load_id, expectation)
);
COMMENT ON TABLE dq_result IS 'One row per run and expectation: how many candidate facts it checked and failed. 每次运行每条质量规则一行。';

CREATE TABLE IF NOT EXISTS publication (
    load_id          VARCHAR NOT NULL,   -- the load whose contents analysts see
    version          VARCHAR PRIMARY KEY,  -- its folder under VAR: .exports-<load_id>[-n]
    manifest_sha256  VARCHAR NOT NULL,
    published_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);
COMMENT ON TABLE publication IS 'One row per publication of the warehouse to VAR/exports and VAR/analyst.duckdb: the load analysts see is the latest row. Every run compares it with the latest load and publishes again when it is behind. 每次发布一行：最新一行即分析人员看到的装载批次。';

-- Current documents: some inbox path still holds this content (the load retires the others).
CREATE OR REPLACE VIEW v_current_document AS
SELECT d.*
FROM dim_document d
WHERE d.retired_at IS NULL;
COMMENT ON VIEW v_current_document IS 'One row per document some inbox path still holds (not retired). 当前有效文档，每份一行。';

-- The best current value per indicator, region, period and measure. Rule: among current
-- documents, the one reporting as of the latest date wins, then the most recently ingested;
-- `n_values` > 1 with differing values flags a conflict between documents.
CREATE OR REPLACE VIEW v_indicator_latest AS
WITH ranked AS (
    SELECT
        f.*,
        d.report_date,
        d.ingested_at,
        d.doc_name,
        row_number() OVER w AS preference,
        count(*) OVER p AS n_values,
        count(DISTINCT f.value_base) OVER p AS n_distinct_values
    FROM fact_observation f
    JOIN v_current_document d USING (document_key)
    WINDOW
        p AS (PARTITION BY f.indicator_key, f.region_key, f.period_key, f.measure,
                           f.qualifier, f.denominator),
        w AS (PARTITION BY f.indicator_key, f.region_key, f.period_key, f.measure,
                           f.qualifier, f.denominator
              ORDER BY d.report_date DESC NULLS LAST, d.ingested_at DESC, f.fact_key)
)
SELECT
    i.indicator_code, i.name_zh AS indicator, r.name_zh AS region, r.region_code,
    p.period_start, p.period_end, p.start_month, p.end_month, p.label_zh AS period_label,
    ranked.measure, ranked.qualifier, ranked.denominator,
    ranked.value, u.symbol AS unit, ranked.value_base,
    ranked.n_values, ranked.n_distinct_values > 1 AS is_conflicting,
    ranked.doc_name AS source_doc, ranked.evidence, ranked.fact_key,
    ranked.indicator_key, ranked.region_key, ranked.period_key, ranked.unit_key,
    ranked.document_key
FROM ranked
JOIN dim_indicator i USING (indicator_key)
JOIN dim_region r USING (region_key)
JOIN dim_period p USING (period_key)
JOIN dim_unit u USING (unit_key)
WHERE ranked.preference = 1;
COMMENT ON VIEW v_indicator_latest IS 'One row per indicator, region, period, measure, qualifier and denominator: the best current value. Latest report date wins, then the latest ingested; is_conflicting flags documents that disagree, n_values counts them. 每个指标、地区、时期、口径的最佳当前值；文档之间不一致时 is_conflicting 为真。';

-- Facts kept but out of the views: those of documents no longer in the inbox as they were.
CREATE OR REPLACE VIEW v_retired_fact AS
SELECT
    d.retired_at, d.retired_reason, d.retired_load_id, d.doc_name, d.source_path,
    i.indicator_code, i.name_zh AS indicator, r.name_zh AS region, p.label_zh AS period_label,
    p.start_month, p.end_month, f.measure, f.qualifier, f.denominator, f.value, u.symbol AS unit, f.evidence,
    f.fact_key, f.document_key, f.extractor_version, f.catalog_version, f.load_id
FROM fact_observation f
JOIN dim_document d USING (document_key)
JOIN dim_indicator i USING (indicator_key)
JOIN dim_region r USING (region_key)
JOIN dim_period p USING (period_key)
JOIN dim_unit u USING (unit_key)
WHERE d.retired_at IS NOT NULL;
COMMENT ON VIEW v_retired_fact IS 'One row per fact of a retired document (its file was removed, or now holds other bytes): kept for the record, out of v_indicator_latest. 已退役文档的事实，每个一行：保留备查，不进入最新值视图。';

-- Data-quality history: what each run's quality gate checked and caught.
CREATE OR REPLACE VIEW v_quality AS
SELECT
    r.load_id, r.started_at, r.finished_at, r.status AS run_status, r.mode,
    r.extractor_version, r.catalog_version,
    q.expectation, q.severity, q.success, q.element_count, q.unexpected_count,
    round(100.0 * q.unexpected_count / nullif(q.element_count, 0), 2) AS unexpected_pct,
    q.description,
    r.facts_candidates, r.facts_loaded, r.facts_quarantined
FROM etl_run r
JOIN dq_result q USING (load_id);
COMMENT ON VIEW v_quality IS 'One row per run and expectation: how many candidate facts the quality gate checked and how many failed, with the run''s status and versions. 数据质量历史：每次运行每条质量规则一行，含检查数与未通过数。';

-- What has data: one row per indicator, area and period that current documents state.
CREATE OR REPLACE VIEW v_coverage AS
SELECT
    i.indicator_code, i.name_zh AS indicator, r.region_code, r.name_zh AS region,
    p.period_start, p.period_end, p.start_month, p.end_month, p.label_zh AS period_label,
    p.granularity, p.year,
    count(*) AS n_facts,
    count(DISTINCT f.measure) AS n_measures,
    count(DISTINCT f.document_key) AS n_documents,
    arg_max(f.load_id, f.loaded_at) AS latest_load_id,
    max(f.loaded_at) AS latest_loaded_at
FROM fact_observation f
JOIN v_current_document d USING (document_key)
JOIN dim_indicator i USING (indicator_key)
JOIN dim_region r USING (region_key)
JOIN dim_period p USING (period_key)
GROUP BY ALL;
COMMENT ON VIEW v_coverage IS 'One row per indicator, area and period that current documents state: how many facts, measures and documents, and the latest load. 数据覆盖：每个指标、地区、统计期一行，含事实数、口径数、文档数与最近载入批次。';
