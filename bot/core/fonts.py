"""The Korean font that charts and PDFs use (assembly results, attendance reports, code sheets)."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def korean_font_path() -> Path | None:
    """NanumGothic from the koreanize-matplotlib package (None if it is missing)."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "NanumGothic.ttf"
    return path if path.is_file() else None
