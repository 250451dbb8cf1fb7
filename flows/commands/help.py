"""How `zhibiao --help` reads: commands grouped and in the order a newcomer meets them,
options with a word for their value (DIR, FILE, N) and flags with none, and `--version`.

Typer prints each option's Python type (`<bool>`, `<path>`, `<list[Path]>`) unless it has a
metavar: the group sets one on every parameter of every command before help is shown.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

import click
import typer
from typer.core import TyperGroup

COMMAND_PANELS = (
    ("Nightly job", ("run", "serve", "status")),
    ("Analysts", ("sql", "docs", "report")),
    ("Quality review", ("quarantine", "rejected")),
    ("Tools", ("extract", "gen")),
)
"""Help panels and the order of their commands; a command not named here comes last."""
ORDER = {name: i for i, name in enumerate(n for _, names in COMMAND_PANELS for n in names)}
PANEL = {name: panel for panel, names in COMMAND_PANELS for name in names}


class PlainHelpGroup(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda name: (ORDER.get(name, len(ORDER)), names.index(name)))

    def get_command(self, ctx: click.Context, cmd_name: str):
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            # Typer leaves a placeholder object where no panel was given.
            if cmd_name in PANEL and not isinstance(getattr(command, "rich_help_panel", None), str):
                command.rich_help_panel = PANEL[cmd_name]
            _name_values(command, ctx)
        return command

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        _name_values(self, ctx)
        return params


def _name_values(command, ctx: click.Context) -> None:
    """A flag shows no value; a choice its choices; another parameter without a metavar its
    name (VAR). An argument's name is its metavar, so its type column is left empty."""
    for param in [*command.params, command.get_help_option(ctx)]:
        if param is None:
            continue
        if param.param_type_name == "argument":
            param.display_type_rich = _no_type
        if param.metavar is not None:
            continue
        descriptor = getattr(param, "type_descriptor", None)
        if getattr(param, "is_flag", False):
            param.metavar = ""
        elif descriptor is not None and descriptor.is_choice and descriptor.choices:
            param.metavar = "|".join(str(getattr(c, "value", c)) for c in descriptor.choices)
        else:
            param.metavar = param.name.upper()
    for sub in getattr(command, "commands", {}).values():
        _name_values(sub, ctx)


def _no_type(ctx: click.Context) -> None:
    return None


def print_version(value: bool) -> None:
    """`zhibiao --version`: this package, the extractor and the engines it runs on."""
    if not value:
        return
    import duckdb

    from transforms.extract import EXTRACTOR_VERSION

    try:
        zhibiao = package_version("zhibiao")
    except PackageNotFoundError:  # run from a checkout that was never installed
        zhibiao = "unknown"
    python = ".".join(map(str, sys.version_info[:3]))
    typer.echo(
        f"zhibiao {zhibiao} (extractor {EXTRACTOR_VERSION}, DuckDB {duckdb.__version__}, "
        f"Python {python})"
    )
    raise typer.Exit()
