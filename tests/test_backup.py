"""tools/backup.sh and tools/restore.sh: back up, wipe, restore — the tally and the audit of
an assembly still verify (PostgreSQL, the production database; and SQLite).

The assembly is run as staff run it (``maeul assembly …``, in-process) with ballots cast
through the service; the scripts run as real processes (pg_dump / pg_restore).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.kb.records import demo_kb_path
from tests.cli_helpers import in_db, invoke, set_cli_env
from tests.conftest import PG_URL, need_postgres

ROOT = Path(__file__).resolve().parent.parent
BACKUP = ROOT / "tools" / "backup.sh"
RESTORE = ROOT / "tools" / "restore.sh"


def script(path: Path, *args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": url}
    return subprocess.run(
        ["bash", str(path), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def run_assembly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str) -> tuple[str, str]:
    """An assembly voted and tallied on ``url``; returns (results CSV, audit output)."""
    from tests import test_assembly_cli as cli
    from tests.test_assembly_support import AFTER

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr(cli, "in_db", lambda _tmp, work: in_db(url, work))
    assert invoke("kb", "import", str(demo_kb_path())).exit_code == 0
    assert invoke("assembly", "set", "hanbit1-2027", "--population", "100").exit_code == 0
    made = cli.issue_codes("hanbit1-2027", 4, "c.csv")
    assert made.exit_code == 0, made.output
    codes = [r["code"] for r in csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text()))]
    cli.vote_with_codes(tmp_path, codes[:3], ["yyyyyyy", "nnnnnnn", "yaaaaaa"])
    monkeypatch.setenv("MAEUL_NOW", AFTER.isoformat())
    results = invoke("assembly", "results", "hanbit1-2027", "--format", "csv")
    assert results.exit_code == 0, results.output
    audit = invoke("assembly", "audit", "hanbit1-2027")
    assert audit.exit_code == 0, audit.output
    assert "3 ballots stored, 3 counted" in audit.stdout and "OK:" in audit.stdout
    return results.stdout, audit.stdout


def after_restore(url: str) -> tuple[str, str, int]:

    results = invoke("assembly", "results", "hanbit1-2027", "--format", "csv")
    audit = invoke("assembly", "audit", "hanbit1-2027")
    return results.stdout, audit.stdout, audit.exit_code


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests import test_assembly_cli as cli
    from tests.test_assembly_support import DURING

    set_cli_env(monkeypatch, tmp_path, db=None, now=DURING.isoformat(), ballot_secret=cli.SECRET)


@pytest.fixture
def pg_database() -> str:
    """A new, empty PostgreSQL database (dropped afterwards)."""
    asyncio.run(need_postgres())
    import asyncpg

    name = f"maeul_backup_{uuid.uuid4().hex[:10]}"
    base = make_url(PG_URL)

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(
            host=base.host, port=base.port or 5432, user=base.username, database=base.database
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_postgres_backup_wipe_restore_and_the_audit_verifies(
    env: None, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg_database
    results, audit = run_assembly(monkeypatch, tmp_path, url)

    made = script(BACKUP, url=url, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    dump = Path(made.stdout.strip())
    if not dump.is_absolute():
        dump = tmp_path / dump
    assert dump.name.startswith("maeul-") and dump.suffix == ".dump"
    assert dump.stat().st_size > 0 and (dump.stat().st_mode & 0o077) == 0  # owner only
    assert not list(tmp_path.glob("*.partial"))

    # wipe: every table gone
    async def wipe(session):  # type: ignore[no-untyped-def]
        from sqlalchemy import text

        await session.execute(text("DROP SCHEMA public CASCADE"))
        await session.execute(text("CREATE SCHEMA public"))

    in_db(url, wipe)
    _, gone, code = after_restore(url)
    assert code != 0 and "OK:" not in gone

    refused = script(RESTORE, str(dump), url=url, cwd=tmp_path)  # no --yes, no terminal
    assert refused.returncode == 2 and "--yes" in refused.stderr
    restored = script(RESTORE, str(dump), "--yes", url=url, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    again_results, again_audit, code = after_restore(url)
    assert code == 0, again_audit
    assert again_results == results
    assert again_audit == audit and "OK:" in again_audit

    # restoring over a database that still has data replaces it (pg_restore --clean)
    restored = script(RESTORE, str(dump), "--yes", url=url, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert after_restore(url)[1] == audit


def test_sqlite_backup_and_restore(
    env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'maeul.db'}"
    results, audit = run_assembly(monkeypatch, tmp_path, url)
    out = tmp_path / "backups" / "copy.sqlite3"
    out.parent.mkdir()
    made = script(BACKUP, str(out), url=url, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    (tmp_path / "maeul.db").write_bytes(b"")  # wiped
    assert after_restore(url)[2] != 0
    restored = script(RESTORE, str(out), "--yes", url=url, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    again_results, again_audit, code = after_restore(url)
    assert code == 0 and again_results == results and again_audit == audit


@pytest.mark.parametrize("path", [BACKUP, RESTORE])
def test_the_database_is_found_in_the_environment_or_dot_env(path: Path, tmp_path: Path) -> None:
    """Both scripts take DATABASE_URL, else the last DATABASE_URL= line of ./.env (quotes
    dropped), else refuse."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    backup = tmp_path / "old.sqlite3"
    backup.write_bytes(b"")
    args = [] if path == BACKUP else [str(backup), "--yes"]

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(path), *args], env=env, cwd=tmp_path, capture_output=True, text=True
        )

    unset = run()
    assert unset.returncode == 2 and "DATABASE_URL is not set" in unset.stderr
    (tmp_path / ".env").write_text(
        'DATABASE_URL=sqlite+aiosqlite:///first.db\nDATABASE_URL="sqlite+aiosqlite:///m.db"\n'
    )
    found = run()
    if path == BACKUP:
        assert found.returncode == 1 and "no SQLite database at m.db" in found.stderr
    else:
        assert found.returncode == 0 and "into m.db" in found.stdout
        assert (tmp_path / "m.db").exists()
