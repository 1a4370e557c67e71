"""YAML read with libyaml's loader where PyYAML has it, as the bot reads its KBs
(``bot.kb.records``): the pure-Python ``yaml.safe_load`` took a CPU-minute of the suite,
reading the evaluation sets and the demo KB again and again (tests/test_fast_yaml.py checks
both loaders give the same documents)."""

from __future__ import annotations

from typing import Any

import yaml

LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str | bytes) -> Any:
    """``yaml.safe_load(text)``, only faster."""
    return yaml.load(text, Loader=LOADER)
