"""Orchestration: the Prefect flow, its tasks and the `zhibiao` command line."""
