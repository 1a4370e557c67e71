"""Issue 9 §3: files that hold secrets are created readable by their owner only (0600).

Voting-code files (``codes.csv`` and the PDF sheet: whoever reads an unused code can vote),
the SQLite database with its ``-wal`` and ``-shm`` files, and the console's generated ballot
secret. Checked with ``os.stat`` under the common umask 022, which would otherwise give 0644.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from bot.cli import app
from bot.core.db import create_engine
from bot.kb.records import demo_kb_path
from tests.cli_helpers import set_cli_env
from tests.test_assembly_support import DURING

runner = CliRunner()


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    secret = secrets.token_urlsafe(32)
    set_cli_env(monkeypatch, tmp_path, db="maeul.db", now=DURING.isoformat(), ballot_secret=secret)
    return tmp_path


def test_voting_code_files_are_private(cli_env):
    assert runner.invoke(app, ["kb", "import", str(demo_kb_path())]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "assembly", "codes", "hanbit1-2027", "--count", "3", "--out", "codes.csv",
            "--sheet", "sheets/codes-sheet.pdf", "--bot-username", "maeul_bot",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    csv_file, pdf = cli_env / "codes.csv", cli_env / "sheets" / "codes-sheet.pdf"
    assert csv_file.read_text().count("vote_") == 3
    assert pdf.read_bytes().startswith(b"%PDF")
    assert mode(csv_file) == 0o600
    assert mode(pdf) == 0o600
    # the database the CLI made is private too
    for path in cli_env.glob("maeul.db*"):
        assert mode(path) == 0o600, path


def test_code_files_are_never_overwritten_and_nothing_is_issued_then(cli_env):
    assert runner.invoke(app, ["kb", "import", str(demo_kb_path())]).exit_code == 0
    (cli_env / "codes.pdf").write_text("earlier sheet")
    result = runner.invoke(
        app,
        [
            "assembly", "codes", "hanbit1-2027", "--count", "2", "--out", "codes.csv",
            "--bot-username", "maeul_bot",
        ],
    )  # fmt: skip
    assert result.exit_code == 2 and "exists" in result.output
    assert (cli_env / "codes.pdf").read_text() == "earlier sheet"
    assert not (cli_env / "codes.csv").exists()


async def test_a_new_sqlite_database_and_its_wal_are_private(tmp_path):
    path = tmp_path / "fresh.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
        files = sorted(p.name for p in tmp_path.iterdir())
        assert files == ["fresh.db", "fresh.db-shm", "fresh.db-wal"]
        for name in files:
            assert mode(tmp_path / name) == 0o600, name
    finally:
        await engine.dispose()


async def test_an_existing_database_keeps_its_mode(tmp_path):
    """Made by the operator (or restored from a backup): their choice is left alone."""
    path = tmp_path / "kept.db"
    path.touch(mode=0o640)
    os.chmod(path, 0o640)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        assert mode(path) == 0o640
    finally:
        await engine.dispose()


def test_the_console_ballot_secret_is_private(tmp_path, monkeypatch):
    from bot.assembly import crypto

    monkeypatch.chdir(tmp_path)
    assert not crypto.DEV_SECRET_FILE.exists()
    secret = crypto.development_secret(create=True)
    assert secret and len(secret) >= 32
    assert mode(crypto.DEV_SECRET_FILE) == 0o600
    assert mode(crypto.DEV_SECRET_FILE.parent) == 0o700
