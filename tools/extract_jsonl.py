"""Print the facts of each document as JSON lines (the FACTS.md contract plus offsets).

.venv/bin/python tools/extract_jsonl.py DOC... > facts.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms.catalog import load_catalog
from transforms.extract import extract_document


def main(paths: list[str]) -> int:
    catalog = load_catalog()
    for name in paths:
        path = Path(name)
        raw = path.read_text(encoding="utf-8", errors="replace")
        for fact in extract_document(path.name, raw, catalog).facts:
            sys.stdout.write(json.dumps(fact.to_contract(), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
