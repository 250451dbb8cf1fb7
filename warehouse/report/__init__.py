"""The HTML report: the published warehouse as charts, tables and an evidence viewer.

`write_report(var_dir)` reads VAR/analyst.duckdb (never the live warehouse) through
`warehouse.report_queries` and writes a self-contained static site to VAR/report/: per region
the headline indicators' level and growth over time (Plotly, its JavaScript bundled beside the
pages) and their latest values, the run's data quality, and one page per document with every
extracted fact highlighted in its normalised text. Every value links to its sentence.
"""

from warehouse.report.render import ReportResult, write_report
from warehouse.report.site_files import ReportError

__all__ = ["ReportError", "ReportResult", "write_report"]
