"""Shared fixtures: databases (SQLite and PostgreSQL), runtime, clock.

Tests that take the ``db_url`` / ``engine`` / ``runtime`` fixtures run twice: on SQLite and
on PostgreSQL at 127.0.0.1:5432 (database ``test``; override with TEST_POSTGRES_URL). Each
PostgreSQL test gets its own schema (a migrated one, for the ``engine`` fixture, is reused
from an earlier test once it is as good as new: see ``_SchemaPool``). Where PostgreSQL is
absent those runs are skipped with the reason shown, unless REQUIRE_POSTGRES=1, where they
fail.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core import migrate
from bot.core.clock import ManualClock
from bot.core.config import Settings
from bot.core.db import create_engine, make_sessionmaker
from bot.core.runtime import Runtime
from tests.shared_sql_cache import _shared_compiled_sql  # noqa: F401 (engines share compiled SQL)

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
SEOUL = ZoneInfo("Asia/Seoul")
# A fixed instant for tests: Sunday 22 November 2026, 10:00 in Seoul.
TEST_NOW = datetime(2026, 11, 22, 10, 0, tzinfo=SEOUL)

_pg_status: tuple[bool, str] | None = None


async def postgres_available() -> tuple[bool, str]:
    global _pg_status
    if _pg_status is None:
        import asyncpg

        url = make_url(PG_URL)
        try:
            conn = await asyncpg.connect(
                host=url.host,
                port=url.port or 5432,
                user=url.username,
                database=url.database,
                timeout=3,
            )
            await conn.close()
            _pg_status = (True, "")
        except Exception as exc:  # any failure means "not available here"
            _pg_status = (False, f"PostgreSQL not available at {url.host}:{url.port}: {exc!r}")
    return _pg_status


async def need_postgres() -> None:
    ok, reason = await postgres_available()
    if not ok:
        if REQUIRE_POSTGRES:
            pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:
    """A fresh, empty database URL (SQLite file, or a new PostgreSQL schema).

    For a test that takes the ``engine`` fixture (which migrates it) the PostgreSQL schema
    comes migrated already, as good as new, from the pool (``_SchemaPool``)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'maeul.db'}"
        return
    await need_postgres()
    if "engine" in request.fixturenames and not getattr(request.module, "FRESH_SCHEMA", False):
        pooled = await _SchemaPool.take()
        if pooled is not None:
            try:
                yield f"{PG_URL}?schema={pooled}"
            finally:
                await _SchemaPool.give_back(pooled)
            return
    import asyncpg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = make_url(PG_URL)
    conn = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, database=url.database
    )
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    await conn.close()
    try:
        yield f"{PG_URL}?schema={schema}"
    finally:
        conn = await asyncpg.connect(
            host=url.host, port=url.port or 5432, user=url.username, database=url.database
        )
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()


def engine_for(url: str) -> AsyncEngine:
    """An engine for a URL from ``db_url`` (the PostgreSQL schema becomes the search path)."""
    parsed = make_url(url)
    schema = parsed.query.get("schema")
    if schema:
        clean = parsed.difference_update_query(["schema"]).render_as_string(hide_password=False)
        return create_engine(clean, connect_args={"server_settings": {"search_path": str(schema)}})
    return create_engine(url)


class _Templates:
    """Migrated databases to copy from, made once per test process.

    Running the migrations for every test cost about a second each (more than a thousand
    tests, each on SQLite and PostgreSQL). The ``engine`` fixture's database is exactly what
    ``migrate.upgrade`` makes — the migrations run once, on a template — and is then copied:
    the SQLite file as a file; the PostgreSQL schema as its DDL (``pg_dump --schema-only``
    of the template schema) replayed into the test's own schema. tests/test_migrations.py
    still runs every migration up, down and up on both databases.
    """

    sqlite: Path | None = None
    postgres_sql: str | None = None
    SCHEMA = "__maeul_template_schema__"


async def _sqlite_template() -> Path:
    if _Templates.sqlite is None:
        path = Path(tempfile.mkdtemp(prefix="maeul-template-")) / "template.db"
        eng = create_engine(f"sqlite+aiosqlite:///{path}")
        await migrate.upgrade(eng)
        await eng.dispose()
        assert not path.with_name(path.name + "-wal").exists(), "the template's WAL is open"
        _Templates.sqlite = path
    return _Templates.sqlite


async def _postgres_template_sql() -> str | None:
    """The migrated schema's DDL (with a placeholder for the schema), or None without
    pg_dump (then every test migrates its own schema)."""
    if _Templates.postgres_sql is None:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            return None
        import asyncpg

        url = make_url(PG_URL)
        schema = f"tpl_{uuid.uuid4().hex[:12]}"
        connect = {"host": url.host, "port": url.port or 5432, "user": url.username}
        conn = await asyncpg.connect(database=url.database, **connect)
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            eng = engine_for(f"{PG_URL}?schema={schema}")
            await migrate.upgrade(eng)
            await eng.dispose()
            revision = await conn.fetchval(f'SELECT version_num FROM "{schema}".alembic_version')
            dump = subprocess.run(
                [pg_dump, "-h", str(url.host), "-p", str(url.port or 5432),
                 "-U", str(url.username), "-d", str(url.database), "--schema-only",
                 "--no-owner", "--no-privileges", "-n", schema],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
        finally:
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await conn.close()
        lines = [
            line for line in dump.splitlines()
            if not line.startswith(("CREATE SCHEMA", "\\", "--"))
        ]  # fmt: skip
        sql = "\n".join(lines).replace(f"{schema}.", f"{_Templates.SCHEMA}.")
        assert schema not in sql, "the template schema's name is left in its DDL"
        _Templates.postgres_sql = (
            f"{sql}\nINSERT INTO {_Templates.SCHEMA}.alembic_version VALUES ('{revision}');\n"
        )
    return _Templates.postgres_sql


async def migrated(db_url: str) -> None:
    """Make the empty database at ``db_url`` what ``migrate.upgrade`` would make of it."""
    parsed = make_url(db_url)
    if parsed.get_backend_name() == "sqlite":
        shutil.copyfile(await _sqlite_template(), str(parsed.database))
        return
    schema = parsed.query.get("schema")
    if schema in _SchemaPool.lent:
        return  # migrated already
    sql = await _postgres_template_sql()
    if sql is None or not schema:
        eng = engine_for(db_url)
        await migrate.upgrade(eng)
        await eng.dispose()
        return
    import asyncpg

    conn = await asyncpg.connect(
        host=parsed.host, port=parsed.port or 5432, user=parsed.username,
        database=parsed.database,
    )  # fmt: skip
    try:
        await conn.execute(sql.replace(_Templates.SCHEMA, f'"{schema}"'))
    finally:
        await conn.close()


def _pg_connect_args() -> dict:
    url = make_url(PG_URL)
    return {
        "host": url.host, "port": url.port or 5432, "user": url.username,
        "database": url.database,
    }  # fmt: skip


# The objects in a schema (``{s}``, its quoted name), found through the catalogs' indexes:
# a scan of pg_class, swollen by every schema the tests made and dropped, takes longer
# than all the rest.
_OBJECTS = """
SELECT objid FROM pg_depend
WHERE refclassid = 'pg_namespace'::regclass AND refobjid = '{s}'::regnamespace
"""
# What a test could change in a schema that migrations make (a table of its own, a column,
# a constraint, a downgrade): the relations with their kinds and column counts, the
# columns, the constraints, the revision.
_SHAPE = """
SELECT format('%s|%s|%s|%s|%s',
  (SELECT count(*) FROM ({objects}) o),
  (SELECT md5(string_agg(format('%s %s %s', relname, relkind, relnatts), ',' ORDER BY relname))
   FROM pg_class WHERE oid IN ({objects})),
  (SELECT count(*) FROM pg_attribute
   WHERE attrelid IN ({objects}) AND attnum > 0 AND NOT attisdropped),
  (SELECT count(*) FROM pg_constraint WHERE conrelid IN ({objects})),
  (SELECT string_agg(version_num, ',') FROM {s}.alembic_version))
"""


def _shape(quoted: str) -> str:
    return _SHAPE.format(s=quoted, objects=_OBJECTS.format(s=quoted))


class _SchemaPool:
    """Migrated PostgreSQL schemas of this test process, handed to one test at a time.

    Replaying the migrated DDL into a new schema and dropping it again cost about 0.3 s a
    test; emptying a used schema costs a few milliseconds. After a test, a schema whose
    shape (``_SHAPE``: relations, columns, constraints, the migration revision) is still
    the migrated one is emptied — the rows of every table that has ever held one (any
    table with a page on disk) deleted, every sequence started again — and lent again.
    Anything else (the test changed the schema, or left a transaction holding a lock) and
    the schema is dropped. The emptied tables keep their dead rows' pages until the
    autovacuum, so a test module about where rows lie physically (``ctid``) sets
    ``FRESH_SCHEMA = True`` and gets a new schema every time.
    """

    free: ClassVar[list[str]] = []
    lent: ClassVar[set[str]] = set()
    shape: ClassVar[str | None] = None

    @classmethod
    async def take(cls) -> str | None:
        """A clean migrated schema, or None where schemas cannot be copied (no pg_dump)."""
        if cls.free:
            schema = cls.free.pop()
        else:
            sql = await _postgres_template_sql()
            if sql is None:
                return None
            import asyncpg

            schema = f"t_{uuid.uuid4().hex[:12]}"
            conn = await asyncpg.connect(**_pg_connect_args())
            try:
                await conn.execute(f'CREATE SCHEMA "{schema}"')
                await conn.execute(sql.replace(_Templates.SCHEMA, f'"{schema}"'))
                if cls.shape is None:
                    cls.shape = await conn.fetchval(_shape(f'"{schema}"'))
            finally:
                await conn.close()
        cls.lent.add(schema)
        return schema

    @classmethod
    async def give_back(cls, schema: str) -> None:
        import asyncpg

        cls.lent.discard(schema)
        conn = await asyncpg.connect(**_pg_connect_args())
        try:
            try:
                await conn.execute("SET lock_timeout = '3s'")
                if await cls._reset(conn, schema):
                    cls.free.append(schema)
                    return
            except asyncpg.PostgresError:
                await conn.execute("ROLLBACK; RESET lock_timeout")
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()

    @classmethod
    async def _reset(cls, conn, schema: str) -> bool:
        quoted = f'"{schema}"'
        objects = _OBJECTS.format(s=quoted)
        row = await conn.fetchrow(
            f"SELECT ({_shape(quoted)}) AS shape, ARRAY("
            f"SELECT relname FROM pg_class WHERE oid IN ({objects})"
            " AND relkind = 'r' AND relname <> 'alembic_version'"
            " AND pg_relation_size(oid) > 0) AS used"
        )
        if row["shape"] != cls.shape:
            return False
        # DELETE, not TRUNCATE (a new file for every table and index: as slow as a new
        # schema); without the foreign keys' triggers, so that the order does not matter
        deletes = "".join(f'DELETE FROM {quoted}."{name}";' for name in row["used"])
        await conn.execute(
            f"BEGIN; SET LOCAL session_replication_role = replica; {deletes}"
            " SELECT setval(seqrelid, seqstart, false) FROM pg_sequence"
            f" WHERE seqrelid IN ({objects}) AND pg_sequence_last_value(seqrelid) IS NOT NULL;"
            " COMMIT;"
        )
        return True

    @classmethod
    async def drop_all(cls) -> None:
        if not cls.free:
            return
        import asyncpg

        conn = await asyncpg.connect(**_pg_connect_args())
        try:
            for schema in cls.free:
                await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            cls.free.clear()
            await conn.close()


@pytest.fixture(scope="session", autouse=True)
def _one_ssl_context() -> Iterator[None]:
    """Every httpx client (the bot's two, a test's own) loads the CA certificates anew: about
    0.1 s each, which no test here needs (the emulator speaks plain HTTP). In the test
    process they share the one verifying context instead."""
    try:
        from httpx._transports import default as transports
    except ImportError:  # pragma: no cover - another httpx
        yield
        return
    create = getattr(transports, "create_ssl_context", None)
    if create is None:  # pragma: no cover
        yield
        return
    shared: dict[bool, Any] = {}

    def cached(verify: Any = True, cert: Any = None, trust_env: bool = True) -> Any:
        if verify is not True or cert is not None:
            return create(verify=verify, cert=cert, trust_env=trust_env)
        if trust_env not in shared:
            shared[trust_env] = create(verify=True, cert=None, trust_env=trust_env)
        return shared[trust_env]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transports, "create_ssl_context", cached)
        yield


@pytest.fixture(scope="session", autouse=True)
def _kept_question_vectors() -> Iterator[object]:
    """The model answers a question of the evaluation sets that are not blind with its kept
    vector (tests/qa/kb_vectors.py: two CPU-minutes of encoding a run); any other question
    it encodes as always."""
    from tests.qa.kb_vectors import keep_questions

    with pytest.MonkeyPatch.context() as patch:
        yield keep_questions(patch)


def pytest_sessionstart(session: pytest.Session) -> None:
    """The test KBs' vectors into the vector cache before any worker starts: on a machine
    that never ran the suite this saves 7–10 CPU-minutes of encoding (tests/qa/kb_vectors.py);
    and the suite's code compiled for the workers (tests/compile_ahead.py). Once, in the
    process that hands out the tests."""
    if hasattr(session.config, "workerinput"):  # an xdist worker
        return
    from tests.qa.kb_vectors import seed

    seed()
    if getattr(session.config.option, "numprocesses", None):  # workers to come: see there
        from tests.compile_ahead import compile_ahead

        compile_ahead(session.config)


def pytest_sessionfinish(session: pytest.Session) -> None:
    import asyncio

    asyncio.run(_SchemaPool.drop_all())


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated database (a copy of one migrated template: see ``_Templates``)."""
    await migrated(db_url)
    eng = engine_for(db_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def session(sessionmaker) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as s:
        yield s


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(TEST_NOW)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=db_url.split("?")[0] if "postgresql" in db_url else db_url,
        bot_token="123456:TEST",
        telegram_rate_limit=False,
        admin_ids=frozenset({900}),
    )


@pytest.fixture
async def runtime(
    settings: Settings, engine: AsyncEngine, clock: ManualClock
) -> AsyncIterator[Runtime]:
    rt = Runtime(
        settings=settings, clock=clock, engine=engine, sessionmaker=make_sessionmaker(engine)
    )
    yield rt


@pytest.fixture
async def bot(runtime: Runtime, request: pytest.FixtureRequest) -> AsyncIterator[object]:
    """The bot through the Bot API emulator, as most end-to-end tests want it: afterwards no
    Bot API call may have failed and no handler may have raised. The test module's
    ``BOT_NOW`` (an aware datetime), if it has one, is the clock's time when the bot starts;
    its ``BOT_OPTIONS``, if it has them, are :func:`tests.staff_helpers.clean_bot`'s options
    (``ballot_secret``, ``polling_errors``). A module that needs another bot (seeded data,
    Bot API errors on purpose) defines its own ``bot``."""
    from tests.staff_helpers import clean_bot  # it imports this module

    start = getattr(request.module, "BOT_NOW", None)
    if start is not None:
        runtime.clock.set(start)
    async with clean_bot(runtime, **getattr(request.module, "BOT_OPTIONS", {})) as under_test:
        yield under_test


@pytest.fixture(scope="module")
def demo() -> object:
    """The Q&A engine on the demo KB without the model: what the rule tests exercise."""
    from tests.kbdemo import lexical_engine

    return lexical_engine()


@pytest.fixture(scope="module")
def demo_with_model() -> object:
    """The Q&A engine on the demo KB with the model, as the bot builds it (the test is skipped
    where the model is not installed)."""
    from tests.qa_helpers import with_model

    return with_model()


@pytest.fixture(scope="module")
def engines() -> object:
    """The Q&A engine with the model on each district's KB (a folder of tests/qa), built once a
    module when a test first asks for it: ``engines("tenth")``."""
    from tests.qa_helpers import with_model

    return functools.cache(with_model)


@pytest.fixture(scope="module")
def warm_vectors() -> None:
    """The demo KB's vectors in the on-disk cache, before the module's first test. The bot
    encodes missing vectors in the background; with them all there, its answers do not
    depend on how far that got. A module takes it with
    ``pytestmark = pytest.mark.usefixtures("warm_vectors")``."""
    from bot.qa.service import build_engine
    from tests.kbdemo import demo_kb

    build_engine(demo_kb())
