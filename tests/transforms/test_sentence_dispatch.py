"""`read_token` calls, for each kind of token, the rule `HANDLERS` names for it: the chain
written out for speed says what the table says."""

from __future__ import annotations

import ast
from pathlib import Path

from transforms.extract import sentence
from transforms.extract.sentence import HANDLERS

SOURCE = Path(__file__).resolve().parents[2] / "transforms" / "extract" / "sentence.py"


def dispatched() -> dict[str, str]:
    """kind -> the name of the function `read_token` calls for it."""
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    function = next(
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == sentence.read_token.__name__
    )
    found: dict[str, str] = {}
    branch: list[ast.stmt] = function.body
    while branch and isinstance(branch[-1], ast.If):
        test, body = branch[-1].test, branch[-1].body
        assert isinstance(test, ast.Compare) and isinstance(test.comparators[0], ast.Constant)
        call = body[0]
        assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
        assert isinstance(call.value.func, ast.Name)
        found[test.comparators[0].value] = call.value.func.id
        branch = branch[-1].orelse
    return found


def test_every_kind_goes_to_the_rule_the_table_names() -> None:
    assert dispatched() == {kind: rule.__name__ for kind, rule in HANDLERS.items()}
