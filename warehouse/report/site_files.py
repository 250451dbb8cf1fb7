"""The report's files: each written whole (aside, then renamed), and where they go."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from plotly.offline import get_plotlyjs, get_plotlyjs_version

STATIC_ASSETS = ("report.css", "report.js", "viewer.js", "fonts.js")


def page_name(content_sha256: str) -> str:
    return f"{content_sha256[:16]}.html"


class ReportError(RuntimeError):
    """The report could not be written (the warehouse itself is untouched by it)."""


class SiteWriter:
    """Writes the report's files in place, each whole (aside, then renamed)."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.largest = 0
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            target.unlink()
        for folder in ("assets", "docs", "areas", "lists"):
            (target / folder).mkdir(parents=True, exist_ok=True)

    def exists(self, relative: str) -> bool:
        return (self.target / relative).is_file()

    def page(self, relative: str, html: str) -> None:
        self.bytes(relative, html.encode("utf-8"))

    def stream(self, relative: str, pieces: Iterable[str]) -> None:
        """A page written as it is rendered (`Template.generate`), never held whole."""
        path = self.target / relative
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with temporary.open("w", encoding="utf-8", newline="", buffering=1 << 20) as handle:
            for piece in pieces:
                handle.write(piece)
        size = temporary.stat().st_size
        os.replace(temporary, path)
        if relative.endswith(".html"):
            self.largest = max(self.largest, size)

    def bytes(self, relative: str, content: bytes) -> None:
        path = self.target / relative
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(content)
        os.replace(temporary, path)
        if relative.endswith(".html"):
            self.largest = max(self.largest, len(content))

    def read_json(self, relative: str) -> dict[str, Any]:
        try:
            return json.loads((self.target / relative).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def write_json(self, relative: str, value: Any) -> None:
        self.bytes(relative, json.dumps(value, ensure_ascii=False).encode("utf-8"))

    def remove(self, relative: str) -> None:
        (self.target / relative).unlink(missing_ok=True)

    def assets(self) -> None:
        static = resources.files("warehouse.report") / "static"
        for name in STATIC_ASSETS:
            self.bytes(f"assets/{name}", (static / name).read_bytes())
        plotly = self.target / "assets" / "plotly.min.js"
        if not plotly.exists() or get_plotlyjs_version() not in plotly.read_text("utf-8")[:400]:
            self.bytes("assets/plotly.min.js", get_plotlyjs().encode("utf-8"))

    def remove_stale(self, keep: set[str]) -> None:
        """Area and list pages this report did not write (an area with no figure now)."""
        for folder in ("areas", "lists"):
            for path in (self.target / folder).glob("*.html"):
                if f"{folder}/{path.name}" not in keep:
                    path.unlink(missing_ok=True)
