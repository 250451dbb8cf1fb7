"""Pure transforms: bytes and text in, rows out. No database, no Prefect, no file writes."""

# First, before any extractor module loads: compiled build or Python source (transforms/native.py).
from transforms import native  # noqa: F401
