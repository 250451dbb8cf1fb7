"""People's review of quarantined facts: list them, accept or reject one by id."""

from __future__ import annotations

import duckdb

DECISIONS = ("accepted", "rejected")
MIN_ID_PREFIX = 6


class ReviewError(ValueError):
    """The id names no quarantined fact, or more than one (terminal: fix the command)."""


def list_quarantine(
    connection: duckdb.DuckDBPyConnection, status: str | None = None
) -> tuple[list[str], list[tuple]]:
    query = """
        SELECT q.fact_key AS id, coalesce(r.decision, q.status) AS status, q.doc, q.region,
               q.period_start || '..' || q.period_end AS period, q.indicator, q.measure,
               q.value, q.unit, array_to_string(q.failed_expectations, ', ') AS failed,
               coalesce(r.reason, q.review_reason) AS reason, q.evidence
        FROM quarantine_observation q
        LEFT JOIN quarantine_review r USING (fact_key)
        WHERE ? IS NULL OR coalesce(r.decision, q.status) = ?
        ORDER BY q.doc, q.evidence_start
    """
    relation = connection.execute(query, [status, status])
    columns = [column[0] for column in relation.description]
    return columns, relation.fetchall()


def resolve_fact_key(connection: duckdb.DuckDBPyConnection, fact_id: str) -> str:
    """The full id of the quarantined fact a (possibly shortened) id names."""
    if len(fact_id) < MIN_ID_PREFIX:
        raise ReviewError(f"give at least {MIN_ID_PREFIX} characters of the id, not {fact_id!r}")
    matches = [
        row[0]
        for row in connection.execute(
            "SELECT fact_key FROM quarantine_observation WHERE starts_with(fact_key, ?)",
            [fact_id.lower()],
        ).fetchall()
    ]
    if not matches:
        raise ReviewError(f"no quarantined fact has the id {fact_id!r} (zhibiao quarantine list)")
    if len(matches) > 1:
        raise ReviewError(f"{fact_id!r} names {len(matches)} facts: give more of the id")
    return matches[0]


def record_decision(
    connection: duckdb.DuckDBPyConnection, fact_id: str, decision: str, reason: str | None
) -> str:
    """Store a decision; the next run applies it (an accepted fact loads, flagged).

    Accepting needs a reason that says something: the fact loads against the gate's verdict,
    and the reason is what a later reader has to go on."""
    if decision not in DECISIONS:
        raise ReviewError(f"decision must be one of {DECISIONS}, not {decision!r}")
    reason = reason.strip() if reason is not None else None
    if decision == "accepted" and not reason:
        raise ReviewError(
            "accepting a quarantined fact needs a reason: say why the number is right "
            '(--reason "confirmed with the bureau")'
        )
    fact_key = resolve_fact_key(connection, fact_id)
    connection.execute(
        """
        INSERT INTO quarantine_review (fact_key, decision, reason) VALUES (?, ?, ?)
        ON CONFLICT (fact_key) DO UPDATE SET
            decision = excluded.decision, reason = excluded.reason, decided_at = now()
        """,
        [fact_key, decision, reason],
    )
    return fact_key
