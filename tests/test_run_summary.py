"""A run's tally: a pure function of its plan and its batches' results."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from flows.batch import BatchResult
from flows.ingest import InboxFile, Rejection, RunPlan
from flows.run_summary import tally_run


def inbox_file(name: str, sha: str) -> InboxFile:
    return InboxFile(Path(name), name, 10, sha)


def plan() -> RunPlan:
    names = {"a.txt": "a", "copy of a.txt": "a", "b.txt": "b", "old.txt": "o", "c.txt": "c"}
    files = [inbox_file(name, sha) for name, sha in names.items()]
    return RunPlan(
        files=files,
        rejections=[Rejection("x.xlsx", "x", 3, "unsupported_format", "no reader")],
        to_read=[files[0], files[2], files[4]],
        known={"o": "loaded"},
        counts={"documents_seen": 6, "documents_new": 5, "documents_changed": 0,
                "documents_unchanged": 1, "documents_removed": 0},
    )  # fmt: skip


def result(statuses: dict[str, str], candidates: int, loaded: int, quarantined: int):
    return BatchResult(
        statuses=statuses,
        rejections=[Rejection("c.txt", None, 10, "extractor_failed", "boom")]
        if statuses.get("c") == "rejected" else [],
        candidates=candidates, facts_loaded=loaded, facts_quarantined=quarantined,
        quarantined_by=Counter({"value_positive": quarantined}), seconds={"extract": 1.5},
    )  # fmt: skip


def test_every_path_seen_ends_loaded_or_rejected() -> None:
    results = [
        result({"a": "loaded", "b": "loaded"}, 40, 38, 2),
        result({"c": "rejected"}, 0, 0, 0),
    ]
    tally = tally_run(plan(), results, reextracted=0, gate_min_facts=20, max_quarantined_share=0.3)

    counts = tally.counts
    assert (counts["documents_loaded"], counts["documents_rejected"]) == (4, 2)
    assert counts["documents_seen"] == counts["documents_loaded"] + counts["documents_rejected"]
    assert (counts["facts_candidates"], counts["facts_loaded"], counts["facts_quarantined"]) == (
        40, 38, 2,
    )  # fmt: skip
    statuses = dict(tally.sources.select("source_path", "status").iter_rows())
    assert statuses == {
        "a.txt": "loaded", "copy of a.txt": "loaded", "b.txt": "loaded", "old.txt": "loaded",
        "c.txt": "rejected", "x.xlsx": "rejected",
    }  # fmt: skip
    assert [r.reason_code for r in tally.rejections] == ["unsupported_format", "extractor_failed"]
    assert tally.quarantined_by == {"value_positive": 2}
    assert tally.stage_seconds == {"extract": 3.0}
    assert not tally.held_back


def test_a_run_over_the_quarantine_share_is_held_back_and_loads_nothing() -> None:
    results = [result({"a": "loaded", "b": "loaded", "c": "loaded"}, 40, 20, 20)]
    tally = tally_run(plan(), results, reextracted=0, gate_min_facts=20, max_quarantined_share=0.3)
    assert tally.held_back and tally.counts["facts_loaded"] == 0
    small = tally_run(plan(), results, reextracted=0, gate_min_facts=50, max_quarantined_share=0.3)
    assert not small.held_back, "too few facts to judge the run as a whole"
