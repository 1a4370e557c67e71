"""The layout issue 11 asked for, held: handler modules stay thin (parsing and rendering;
the shared building blocks are in handlers/core/), none over 400 lines."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 400


def test_no_handler_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in sorted((ROOT / "handlers").rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert not long, f"split these (a module per screen or step; shared blocks in core): {long}"
