"""tests/compile_ahead.py: the suite's code compiled once before the workers start, as
pytest and Python would compile it."""

from __future__ import annotations

import importlib.util
import sys

from _pytest.assertion.rewrite import PYC_TAIL, _read_pyc, assertstate_key

from tests.compile_ahead import compile_ahead


def test_test_modules_are_rewritten_and_the_rest_compiled_once(request, tmp_path, monkeypatch):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_thing.py").write_text("def test_it():\n    assert 1 + 1 == 2\n")
    (tmp_path / "tests" / "conftest.py").write_text("X = 1\n")
    (tmp_path / "tests" / "helpers.py").write_text("Y = 2\n")
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "core.py").write_text("Z = 3\n")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # as PYTHONDONTWRITEBYTECODE=1

    compile_ahead(request.config, tmp_path)

    assert sys.dont_write_bytecode  # as it was
    cache = tmp_path / "tests" / "__pycache__"
    trace = request.config.stash[assertstate_key].trace
    for name in ("test_thing", "conftest"):  # pytest's own pyc, asserts rewritten
        code = _read_pyc(tmp_path / "tests" / f"{name}.py", cache / f"{name}{PYC_TAIL}", trace)
        assert code is not None, name
    test_code = _read_pyc(
        tmp_path / "tests" / "test_thing.py", cache / f"test_thing{PYC_TAIL}", trace
    )
    assert any("@py_assert" in name for c in test_code.co_consts if hasattr(c, "co_varnames")
               for name in c.co_varnames)  # fmt: skip
    for source in (tmp_path / "tests" / "helpers.py", tmp_path / "bot" / "core.py"):
        assert importlib.util.cache_from_source(str(source)).endswith(".pyc")
        assert (source.parent / "__pycache__").is_dir()
        assert [p.name for p in (source.parent / "__pycache__").glob(f"{source.stem}.*.pyc")]
    # test modules get no ordinary pyc (pytest never reads one)
    assert not list(cache.glob(f"test_thing.{sys.implementation.cache_tag}.pyc"))
