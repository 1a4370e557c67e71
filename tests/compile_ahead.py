"""The suite's code compiled once, before the workers of ``make test`` start.

Where PYTHONDONTWRITEBYTECODE is set (this machine's environment sets it) no Python process
keeps what it compiled: each of the four workers parsed, assertion-rewrote and compiled every
test module again while collecting (about 10 of its 14 CPU-seconds of collection), and each
of the bot's subprocesses compiled the bot's modules again. The process that hands out the
tests now writes them once, before any worker starts: the test modules (and conftest.py) as
pytest's own assertion-rewritten pyc files (pytest's cache format; a worker reads them as it
would have read its own), every other module of ``bot/``, ``models/`` and ``tests/`` as an
ordinary pyc. Python reads pyc files whatever PYTHONDONTWRITEBYTECODE says; a source changed
since is compiled again (pytest's pyc carries the source's hash, Python's the mtime and size).
Nothing else changes: the code run is the code pytest and Python would have compiled.
"""

from __future__ import annotations

import compileall
import fnmatch
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "models", "bench", "tests")
_REWRITTEN_RE = re.compile(r"(^|/)(test_[^/]*|conftest)\.py$")  # (pytest's own pyc, above)


def rewritten(config: pytest.Config, paths: list[Path]) -> int:
    """Write pytest's assertion-rewritten pyc of each of ``paths`` that lacks a current one;
    how many were written. Nothing (0) with a pytest whose internals differ."""
    try:
        from _pytest.assertion.rewrite import (
            PYC_TAIL,
            _read_pyc,
            _rewrite_test,
            _write_pyc,
            assertstate_key,
            get_cache_dir,
        )

        state = config.stash[assertstate_key]
    except (ImportError, KeyError):  # pragma: no cover - another pytest, or --assert=plain
        return 0
    written = 0
    for path in paths:
        try:
            pyc = get_cache_dir(path) / (path.name[:-3] + PYC_TAIL)
            if _read_pyc(path, pyc, state.trace) is not None:
                continue
            pyc.parent.mkdir(exist_ok=True)
            source_hash, code = _rewrite_test(path, config)
            written += _write_pyc(state, code, source_hash, pyc)
        except Exception:  # (private API: a pytest whose internals changed compiles as before)
            return written
    return written


def test_modules(config: pytest.Config, root: Path) -> list[Path]:
    """The files under ``root`` pytest rewrites: its test modules and conftest.py files."""
    patterns = [*config.getini("python_files"), "conftest.py"]
    return sorted(
        path
        for path in root.rglob("*.py")
        if "__pycache__" not in path.parts
        and any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns)
    )


def compile_ahead(config: pytest.Config, root: Path = ROOT) -> None:
    """Everything above, for the packages of ``root``, with bytecode written for the while."""
    was = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        rewritten(config, test_modules(config, root / "tests"))
        for package in PACKAGES:
            if (root / package).is_dir():
                compileall.compile_dir(root / package, rx=_REWRITTEN_RE, quiet=1, workers=1)
    finally:
        sys.dont_write_bytecode = was
