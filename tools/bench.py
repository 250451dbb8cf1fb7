"""Benchmark the whole nightly flow (`make bench`).

    .venv/bin/python tools/bench.py [--sizes 1000,10000,100000] [--corpus real,gen]
                                    [--seed 1] [--dir var/bench]

For each corpus (tools/bench_corpus.py: `real`, real-looking reports made from ../shared's
corpus, the default; `gen`, `zhibiao gen`'s) and size: make that many reports (cached under
DIR), run `zhibiao run --json` on them into a fresh state folder, then once more with
nothing new. Prints per-stage seconds, documents/s and MB/s, the CPU seconds of the flow's
process, its worker processes and the Prefect server, the peak memory of the whole process
tree (sampled from /proc every 0.2 s, as the sum of their PSS, and of their RSS, which counts
shared library pages once per process), the no-op re-run's seconds, Great Expectations'
share of the batch work, and per corpus the exponent of a log-log fit of run time against
documents (1.0: linear). The machine's cores and memory first, since every figure depends
on them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.bench_corpus import KINDS, corpus, corpus_kinds  # noqa: E402

ZHIBIAO = ROOT / ".venv" / "bin" / "zhibiao"
BATCH_STAGES = ("read", "extract", "conform", "validate", "stage")
"""Seconds summed over batches (several run at once): shares of the batch work."""
WALL_STAGES = ("scan_ahead", "ingest", "history", "batches_wall", "load", "publish", "report")


def machine() -> str:
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    return f"machine: {os.cpu_count()} cores, {memory} memory, Python {sys.version.split()[0]}"


def _pss(pid: int) -> int:
    """Proportional set size: the process's private pages plus its share of shared ones."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _role(pid: int, root: int) -> str:
    """What a process of the run's tree is: the flow's own, a batch worker, Prefect's server."""
    if pid == root:
        return "flow"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "other"
    if b"uvicorn" in command:
        return "prefect_server"
    if b"spawn_main" in command:
        return "workers"
    return "other"


def _tree_memory(root: int, cpu: dict[int, tuple[str, float]]) -> tuple[int, int, int]:
    """(PSS sum, RSS sum, largest RSS) in bytes of `root` and its descendants; records each
    one's CPU seconds so far (user and system) in `cpu`, by pid.

    The PSS sum is the memory the tree uses: a page that several processes map (the
    libraries each worker loads: Polars, DuckDB, pandas, Python itself) counts once, split
    among them. The RSS sum counts such a page in every process, an upper bound."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    seconds: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            pages = int(Path(f"/proc/{entry}/statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        fields = stat.rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
        seconds[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    pss = total = largest = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        pss += _pss(pid)
        total += rss.get(pid, 0)
        largest = max(largest, rss.get(pid, 0))
        if pid in seconds:
            cpu[pid] = (cpu[pid][0] if pid in cpu else _role(pid, root), seconds[pid])
        stack.extend(children.get(pid, ()))
    return pss, total, largest


def run_flow(inbox: Path, var: Path) -> tuple[dict, float, list[int], dict[str, float]]:
    """One `zhibiao run --json`: its summary, wall seconds, the peaks of the tree's PSS sum,
    its RSS sum and the largest process's RSS, and CPU seconds by role (flow, workers,
    prefect_server; as last sampled, so a process's last 0.2 s may be missing)."""
    clock = time.perf_counter()
    # The run's own messages (and its worker processes') go to a log beside VAR, not into
    # the figures; a failed run prints its tail.
    log = var.parent / f"{var.name}.log"
    process = subprocess.Popen(
        [str(ZHIBIAO), "run", "--inbox", str(inbox), "--var", str(var), "--json"],
        stdout=subprocess.PIPE,
        stderr=log.open("a"),
        text=True,
        env={**os.environ, "PREFECT_HOME": str(var.parent / "prefect-home")},
    )
    peak = [0, 0, 0]
    cpu: dict[int, tuple[str, float]] = {}

    def sample() -> None:
        while process.poll() is None:
            peak[:] = map(max, peak, _tree_memory(process.pid, cpu))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    sampler.join()
    seconds = time.perf_counter() - clock
    if process.returncode not in (0, 2):
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-30:])
        status = process.returncode
        raise SystemExit(f"{tail}\nzhibiao run failed with exit status {status} ({log})")
    by_role: dict[str, float] = {}
    for role, seconds_used in cpu.values():
        by_role[role] = by_role.get(role, 0.0) + seconds_used
    return json.loads(out.strip().splitlines()[-1]), seconds, peak, by_role


def bench(kind: str, n: int, seed: int, directory: Path) -> dict:
    inbox, generated = corpus(kind, directory, n, seed)
    size = sum(p.stat().st_size for p in inbox.glob("*.txt"))
    var = directory / f"var-{kind}-{n}"
    shutil.rmtree(var, ignore_errors=True)
    (directory / f"var-{kind}-{n}.log").unlink(missing_ok=True)
    summary, wall, (tree_pss, tree_rss, process_rss), cpu = run_flow(inbox, var)
    noop, noop_wall, (noop_pss, _, _), _ = run_flow(inbox, var)
    stages = summary["stage_seconds"]
    batch_work = sum(stages.get(s, 0.0) for s in BATCH_STAGES)
    return {
        "corpus": kind,
        "documents": n,
        "megabytes": size / 1e6,
        "generated_s": generated,
        "status": summary["status"],
        "facts_loaded": summary["facts_loaded"],
        "facts_quarantined": summary["facts_quarantined"],
        "run_s": summary["seconds"],
        "wall_s": wall,
        "docs_per_s": n / summary["seconds"],
        "megabytes_per_s": size / 1e6 / summary["seconds"],
        "cpu_s": cpu,
        "peak_tree_pss_mib": tree_pss / 2**20,
        "peak_tree_mib": tree_rss / 2**20,
        "peak_process_mib": process_rss / 2**20,
        "noop_run_s": noop["seconds"],
        "noop_wall_s": noop_wall,
        "noop_peak_tree_pss_mib": noop_pss / 2**20,
        "gx_share": stages.get("validate", 0.0) / batch_work if batch_work else 0.0,
        "stages": stages,
        "report_error": summary.get("report_error"),
    }


def exponent(points: list[tuple[float, float]]) -> float:
    """Slope of the least-squares line through (log n, log seconds)."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(s) for _, s in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def report(r: dict) -> str:
    cpu = r.get("cpu_s", {})
    return (
        f"\n[{KINDS[r['corpus']]}] {r['documents']:,} documents ({r['megabytes']:.0f} MB, "
        f"made in {r['generated_s']:.0f} s): {r['status']}, {r['facts_loaded']:,} facts loaded, "
        f"{r['facts_quarantined']:,} quarantined\n"
        f"  run {r['run_s']:.1f} s (process {r['wall_s']:.1f} s with Prefect's start), "
        f"{r['docs_per_s']:.0f} documents/s, {r['megabytes_per_s']:.2f} MB/s\n"
        f"  peak memory {r['peak_tree_pss_mib']:.0f} MiB (process tree's PSS: pages that "
        f"processes share counted once), {r['peak_tree_mib']:.0f} MiB (its RSS summed: "
        f"counted in each), {r['peak_process_mib']:.0f} MiB (largest process)\n"
        f"  no-op re-run {r['noop_run_s']:.1f} s (process {r['noop_wall_s']:.1f} s), "
        f"peak {r['noop_peak_tree_pss_mib']:.0f} MiB (PSS)\n"
        f"  wall s: "
        + ", ".join(f"{s} {r['stages'].get(s, 0):.1f}" for s in WALL_STAGES)
        + "\n  batch work s (summed over workers): "
        + ", ".join(f"{s} {r['stages'].get(s, 0):.1f}" for s in BATCH_STAGES)
        + "\n  CPU s: "
        + ", ".join(
            f"{role} {cpu.get(role, 0):.1f}" for role in ("flow", "workers", "prefect_server")
        )
        + f"\n  Great Expectations: {100 * r['gx_share']:.1f} % of the batch work"
        + (f"\n  report: {r['report_error']}" if r["report_error"] else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--corpus", default="real", help="real, gen or both: real,gen")
    parser.add_argument("--seed", type=int, default=1, help="of the generated corpus")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()
    kinds = corpus_kinds(args.corpus.split(","))
    args.dir.mkdir(parents=True, exist_ok=True)
    print(machine(), flush=True)
    results = []
    for kind in kinds:
        for n in (int(s) for s in args.sizes.split(",")):
            results.append(bench(kind, n, args.seed, args.dir))
            print(report(results[-1]), flush=True)
    # Sizes measured by earlier invocations count too (`make bench SIZES=100000` then
    # `SIZES=1000,10000`): results.json keeps the last result of each corpus and size.
    stored = args.dir / "results.json"
    earlier = json.loads(stored.read_text()) if stored.exists() else []
    merged = {(r.get("corpus", "gen"), r["documents"]): r for r in earlier}
    merged.update({(r["corpus"], r["documents"]): r for r in results})
    stored.write_text(
        json.dumps(
            sorted(merged.values(), key=lambda r: (r.get("corpus", "gen"), r["documents"])),
            indent=2,
        )
    )
    for kind in kinds:
        points = sorted((n, r["run_s"]) for (k, n), r in merged.items() if k == kind)
        if len(points) > 1:
            print(
                f"\n[{KINDS[kind]}] scaling exponent (log-log slope of run seconds over "
                f"documents, {', '.join(f'{n:,}' for n, _ in points)}): {exponent(points):.2f}"
            )


if __name__ == "__main__":
    main()
