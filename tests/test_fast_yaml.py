"""The tests' YAML loader (tests/fast_yaml.py): libyaml's where PyYAML has it, and the same
documents as ``yaml.safe_load``."""

from __future__ import annotations

import pytest
import yaml

from bot.kb import records as kb
from tests import fast_yaml
from tests.qa.evaluate import EVAL_PATH, HOLDOUT_PATH


def test_libyaml_reads_the_tests_yaml_where_pyyaml_has_it():
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml")
    assert fast_yaml.LOADER is yaml.CSafeLoader


@pytest.mark.parametrize("path", [kb.demo_kb_path(), EVAL_PATH, HOLDOUT_PATH], ids=str)
def test_the_same_documents_as_safe_load(path):
    text = path.read_text(encoding="utf-8")
    assert fast_yaml.load(text) == yaml.safe_load(text)
    assert fast_yaml.load(text.encode("utf-8")) == yaml.safe_load(text)
