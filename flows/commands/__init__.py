"""Sub-commands of `zhibiao`, one Typer app per module, registered in flows/cli.py."""
