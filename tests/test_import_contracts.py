"""The import contracts (pyproject.toml [tool.importlinter], run by `make lint`) hold today
and fail on a new cycle: checked on a copy of the tree with one bad import added."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def _copy(tmp_path: Path) -> Path:
    for name in ("bot", "handlers", "models"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True
    )


def _add_import(path: Path, line: str) -> None:
    text = path.read_text()
    head, sep, rest = text.partition("from __future__ import annotations\n")
    path.write_text(head + sep + line + "\n" + rest)


def test_the_contracts_hold(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "says"),
    [
        # a cycle through the layers: the core importing a feature that imports the core
        ("bot/core/text.py", "import bot.proposals.service", "bot.core is not allowed"),
        # the dispatcher importing a feature
        ("bot/reminders/dispatch.py", "import bot.events.registrations", "bot.reminders is not"),
        # one feature importing another
        ("bot/proposals/service.py", "import bot.assembly.service", "bot.proposals is not"),
    ],
)
def test_a_new_cycle_breaks_the_contracts(
    tmp_path: Path, module: str, bad_import: str, says: str
) -> None:
    tree = _copy(tmp_path)
    _add_import(tree / module, bad_import)
    result = _lint(tree)
    assert result.returncode != 0
    assert says in result.stdout, result.stdout
