"""The import contracts of pyproject.toml hold, and they do catch an import that runs the wrong way."""

from __future__ import annotations

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
