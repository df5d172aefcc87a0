"""The import contracts of pyproject.toml hold, and they do catch an import that runs the wrong way."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_features_keep_their_layers():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout


def test_a_feature_importing_one_above_it_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "tumorboard", tmp_path / "tumorboard", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    operations = tmp_path / "tumorboard" / "cases" / "operations.py"
    operations.write_text(operations.read_text() + "\nfrom tumorboard.letters.operations import issue_letter  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "tumorboard.cases is not allowed to import tumorboard.letters" in result.stdout


VIEW_LINES = 15


def _is_route(decorator: ast.expr) -> bool:
    return isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", "") == "route"


def _view_lengths() -> dict[str, int]:
    """Every route function's length in lines, its docstring and decorators left out."""
    lengths = {}
    for path in sorted((ROOT / "tumorboard").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(_is_route(d) for d in node.decorator_list):
                first = node.body[0]
                docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                start = first.end_lineno + 1 if docstring else first.lineno
                lengths[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = node.end_lineno - start + 1
    return lengths


def test_every_view_reads_in_15_lines():
    lengths = _view_lengths()
    assert len(lengths) > 70  # the walk finds the views
    assert {view: n for view, n in lengths.items() if n > VIEW_LINES} == {}
