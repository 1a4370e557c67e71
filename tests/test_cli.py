"""The `maeul` command line, as staff use it (in-process through typer's runner)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import __version__
from bot.kb.records import demo_kb_path
from tests.cli_helpers import invoke, set_cli_env


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    set_cli_env(monkeypatch, tmp_path)


def test_version():
    result = invoke("version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"maeul {__version__}"


def test_db_upgrade_and_downgrade():
    result = invoke("db", "upgrade")
    assert result.exit_code == 0, result.output
    from bot.core.migrate import head_revision

    assert f"database at revision {head_revision()}" in result.stdout
    result = invoke("db", "downgrade", "base")
    assert result.exit_code == 0, result.output
    assert "database at revision None" in result.stdout


def test_kb_import_is_idempotent_and_export_round_trips(tmp_path):
    demo = str(demo_kb_path())
    first = invoke("kb", "import", demo)
    assert first.exit_code == 0, first.output
    assert "grants: 12 created, 0 updated, 0 unchanged, 0 archived" in first.stdout
    again = invoke("kb", "import", demo)
    assert again.exit_code == 0
    assert " 0 created, 0 updated" in again.stdout
    assert "created" in again.stdout and "archived)" not in again.stdout

    out = tmp_path / "export.yaml"
    result = invoke("kb", "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    exported = yaml.safe_load(out.read_text(encoding="utf-8"))
    original = yaml.safe_load(demo_kb_path().read_text(encoding="utf-8"))
    assert [g["id"] for g in exported["grants"]] == [g["id"] for g in original["grants"]]

    # drop an event and re-import: it is archived and reported, not deleted
    original["events"] = [e for e in original["events"] if e["id"] != "village-walk"]
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(yaml.safe_dump(original, allow_unicode=True), encoding="utf-8")
    result = invoke("kb", "import", str(smaller))
    assert result.exit_code == 0, result.output
    assert "events: 0 created, 0 updated, " in result.stdout
    assert "1 archived (village-walk)" in result.stdout


def test_kb_import_reports_every_problem_and_imports_nothing(tmp_path):
    doc = yaml.safe_load(demo_kb_path().read_text(encoding="utf-8"))
    doc["grants"][3]["amount"]["max_krw"] = "a lot"
    doc["events"][0]["kind"] = "party"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = invoke("kb", "import", str(bad))
    assert result.exit_code == 1
    assert "grants[3].amount.max_krw: expected an integer" in result.output
    assert "events[0].kind:" in result.output
    assert "nothing was imported" in result.output
    export = invoke("kb", "export")
    assert export.exit_code == 1
    assert "empty" in export.output


def test_kb_import_missing_file():
    result = invoke("kb", "import", "nope.yaml")
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_roles_from_the_command_line(monkeypatch):
    assert invoke("kb", "import", str(demo_kb_path())).exit_code == 0
    result = invoke("admin", "role", "add", "555", "staff", "--dong", "saeteo")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "555 is now staff of saeteo"
    assert invoke("admin", "role", "add", "555", "staff", "--dong", "saeteo").stdout.strip() == (
        "555 already is staff of saeteo"
    )
    bad = invoke("admin", "role", "add", "555", "staff", "--dong", "atlantis")
    assert bad.exit_code == 2
    assert "unknown dong 'atlantis'" in bad.output
    assert invoke("admin", "role", "add", "556", "mayor").exit_code == 2

    monkeypatch.setenv("ADMIN_IDS", "900")
    listing = invoke("admin", "role", "list")
    assert listing.exit_code == 0
    lines = listing.stdout.strip().splitlines()
    assert lines[0].startswith("555\tstaff saeteo\t")
    assert lines[-1] == "900\tadmin\t(ADMIN_IDS)"
    removed = invoke("admin", "role", "remove", "555", "staff", "--dong", "saeteo")
    assert removed.stdout.strip() == "555 is no longer staff of saeteo"
    assert invoke("admin", "role", "list", "--role", "staff").stdout.strip() == (
        "nobody has a role yet"
    )


def test_unquoted_commas_in_flow_text_are_read_as_written(tmp_path):
    """Staff write `{ko: ..., en: live, work or study here}`; YAML would cut the text at the
    comma. The import reads it as written and says where, so nothing is silently lost."""
    doc = demo_kb_path().read_text(encoding="utf-8")
    doc = doc.replace(
        'en: "live, work or study in Hanbit-gu"', "en: live, work or study in Hanbit-gu"
    ).replace(
        'en: "A quarterly newspaper, 2,000 copies."', "en: A quarterly newspaper, 2,000 copies."
    )
    assert "en: live, work" in doc and "newspaper, 2,000 copies." in doc
    path = tmp_path / "commas.yaml"
    path.write_text(doc, encoding="utf-8")
    result = invoke("kb", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "a comma split unquoted text; read it as 'live, work or study in Hanbit-gu'" in (
        result.output
    )
    export = invoke("kb", "export")
    assert "live, work or study in Hanbit-gu" in export.stdout
    assert "A quarterly newspaper, 2,000 copies." in export.stdout


def test_the_shared_demo_file_imports():
    shared = Path(__file__).resolve().parents[2] / "shared" / "kb" / "demo.yaml"
    if not shared.exists():
        pytest.skip("no ../shared beside this checkout")
    result = invoke("kb", "import", str(shared))
    assert result.exit_code == 0, result.output
    assert "grants: 12 created" in result.stdout


def test_a_text_only_libyaml_reads_is_refused_with_where_and_how(tmp_path):
    """`{ko: 혼자서도 신청할 수 있나요?, en: …}`: LibYAML (the fast loader, when installed)
    reads an unquoted `?` inside {...}; PyYAML's own parser does not. A file staff bring in
    must load on every machine (a restore on a server without LibYAML), so the import says
    where and what to do, and imports nothing."""
    doc = demo_kb_path().read_text(encoding="utf-8")
    doc = doc.replace(
        '{ko: "혼자서도 신청할 수 있나요?", en:', "{ko: 혼자서도 신청할 수 있나요?, en:"
    )
    assert "{ko: 혼자서도 신청할 수 있나요?, en:" in doc
    path = tmp_path / "question.yaml"
    path.write_text(doc, encoding="utf-8")
    result = invoke("kb", "import", str(path))
    assert result.exit_code == 1, result.output
    assert "nothing was imported" in result.output
    assert "put the text in quotes" in result.output and "line 405" in result.output
    quoted = tmp_path / "quoted.yaml"
    quoted.write_text(
        doc.replace("{ko: 혼자서도 신청할 수 있나요?,", '{ko: "혼자서도 신청할 수 있나요?",')
    )
    assert invoke("kb", "import", str(quoted)).exit_code == 0
