"""The data-quality gate: Great Expectations suites (as JSON data in `suites/`) and the gate.

Import `expectations.gate`; Great Expectations itself is imported only when a batch is validated.
"""
