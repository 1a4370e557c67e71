"""Scores follow-up questions (tests/qa/followups.yaml): each asked right after an answer about
one record, as the bot asks the engine then (``follow=(kind, id)``).

An item is right when the answer is about that record and tells one of the parts wanted
(``want``), confidently; a guard (``not_this``) is right when the answer is not about that
record. The set was written by a helper who read only the KBs, SCHEMA.md and domain.md; its
``held`` half is scored with ``--summary`` only (never read, never tuned on), its ``dev`` half
may be read.

``python -m tests.qa.followups [--held] [--summary] [--file NAME]``

``--file followups2.yaml`` scores a second set (written the same way from four other
districts' KBs, fifth, seventh, fourteenth and eighteenth): it has no dev half, every item is
held (summary only). ``--file followups3.yaml``: a third, all dev (sixth, eleventh, sixteenth
and twelfth), written to tune on. ``--file followups4.yaml``: a fourth, all held (third, eighth,
thirteenth and fifteenth; written 2026-12-07 in session 28, scored on the session's start
first: 63/160, guards 38/40), summary only. ``--file followups5.yaml``: a fifth, all dev
(other, tenth and seventeenth; written 2026-12-07 in session 29 by a helper who read only those
three KBs, SCHEMA.md and domain.md; first score at 78f0333, before any change: 78/160, guards
37/40), to tune on. ``--file followups6.yaml``: a sixth, all dev (ninth and twentieth), and
``--file followups7.yaml``: a seventh, all held (fourth and nineteenth; summary only), both
written 2026-12-07 in session 31 by a helper who read only those KBs, SCHEMA.md and
domain.md; first scores at b65b178, before any change: 86/160, guards 40/40 (set 6) and
85/160, guards 39/40 (set 7) — tests/qa/FOLLOWUPS67.md.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.kb import records as kb
from bot.qa.engine import Answer, QAEngine
from tests import fast_yaml

PATH = Path(__file__).with_name("followups.yaml")
NOW = datetime(2027, 1, 25, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@dataclass
class Score:
    """Each item's outcome (a guard?, right?) in order, and a line for each miss."""

    outcomes: list[tuple[bool, bool]] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def right(self, guards: bool) -> int:
        return sum(right for guard, right in self.outcomes if guard == guards)

    def of(self, guards: bool) -> int:
        return sum(guard == guards for guard, _ in self.outcomes)

    def summary(self) -> str:
        return (
            f"follow-ups right {self.right(False)}/{self.of(False)}; "
            f"guards right {self.right(True)}/{self.of(True)}"
        )


def load(half: str, path: Path = PATH) -> list[dict[str, Any]]:
    """The items of ``half`` in the set at ``path`` (an item with no half is held)."""
    items = fast_yaml.load(path.read_text(encoding="utf-8"))["items"]
    return [item for item in items if item.get("half", "held") == half]


def is_right(item: dict[str, Any], answer: Answer) -> bool:
    about = answer.kind == item["kind"] and answer.id == item["id"] and answer.confident
    if item.get("not_this"):
        return not about
    return about and answer.facet in item["want"]


def score(engines: dict[str, QAEngine], items: list[dict[str, Any]]) -> Score:
    result = Score()
    for item in items:
        answer = engines[item["kb"]].ask(item["q"], NOW, follow=(item["kind"], item["id"]))
        guard = bool(item.get("not_this"))
        right = is_right(item, answer)
        result.outcomes.append((guard, right))
        if not right:
            want = "not this" if guard else item["want"]
            result.misses.append(
                f"{item['kb']} {item['kind']}:{item['id']} {item['q']!r} want {want} -> "
                f"{answer.kind}:{answer.id} {answer.facet} confident={answer.confident} "
                f"({answer.reason})"
            )
    return result


def main() -> int:
    from bot.qa.service import build_engine

    path = PATH
    if "--file" in sys.argv:
        path = PATH.with_name(sys.argv[sys.argv.index("--file") + 1])
    half = "held" if "--held" in sys.argv else "dev"
    items = load(half, path)
    if not items:  # (followups2.yaml: held only)
        half, items = "held", load("held", path)
    engines = {}
    for name in sorted({item["kb"] for item in items}):
        parsed, problems = kb.load_and_validate(Path(__file__).with_name(name) / "kb.yaml")
        assert parsed is not None, problems
        engines[name] = build_engine(parsed)
        if engines[name].semantic is not None:
            engines[name].semantic.wait(300)
    result = score(engines, items)
    if half == "dev" and "--summary" not in sys.argv:
        for miss in result.misses:
            print(miss)
    print(f"{half}: {result.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
