"""SQLite through aiosqlite with one trip to its thread per statement.

aiosqlite runs each sqlite3 call on a thread of its own; every call is a trip there and back
(a queue put, the worker's GIL hand-off, ``call_soon_threadsafe``, the event loop waking up):
about 0.1 ms of the bot's one busy thread. SQLAlchemy's adapter makes four trips for every
statement (``cursor()``, ``execute``, ``fetchall``, ``close``), three for the ``BEGIN
IMMEDIATE`` every update starts with, and one more when a connection goes back to the pool
(a ``rollback`` after the commit). Measured on the 2-core machine, a one-row SELECT cost
0.5 ms through SQLAlchemy against 0.2 ms for the single trip itself, and trips were the
largest single item of an update's CPU on SQLite (bench/README.md).

Here a statement is one trip: the worker thread creates the sqlite3 cursor, executes,
fetches every row, notes ``description``, ``rowcount`` and ``lastrowid`` and closes it; the
adapter then serves them from memory — which is what SQLAlchemy's own adapter does with the
rows anyway (it buffers them all). ``commit`` and ``rollback`` skip the trip when sqlite3
says no transaction is open (they do nothing then). Nothing else changes: the same sqlite3
connection, the same SQL, the same errors (raised on the trip, translated by SQLAlchemy as
before), the same ``execute_mutex`` keeping one statement at a time on a connection.

It uses aiosqlite's ``Connection._execute`` (run a function on the worker thread) and
``_conn`` (its sqlite3 connection), the two things aiosqlite's own cursor is made of. If an
aiosqlite release lacks them, :func:`module` returns ``None`` and the engine uses
SQLAlchemy's adapter unchanged.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_


def _run(
    conn: sqlite3.Connection, operation: str, parameters: Any
) -> tuple[Any, list[Any], int, int | None]:
    """On aiosqlite's thread: the whole statement, its rows and what the cursor says."""
    cursor = conn.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _run_many(conn: sqlite3.Connection, operation: str, seq: Any) -> int:
    cursor = conn.cursor()
    try:
        cursor.executemany(operation, seq)
        return cursor.rowcount
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose statement is one trip to the worker thread (see the module)."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: Any) -> None:  # no trip for a cursor of our own
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int | None:  # type: ignore[override]
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            connection = self._connection
            description, rows, rowcount, lastrowid = await connection._execute(
                _run, connection._conn, operation, parameters
            )
            self._description, self._rowcount, self._lastrowid = description, rowcount, lastrowid
            self._rows = collections.deque(rows)
            return None

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            connection = self._connection
            self._rowcount = await connection._execute(
                _run_many, connection._conn, operation, seq_of_parameters
            )
            self._description, self._lastrowid = None, None
            self._rows.clear()
            return None


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor

    def _open(self) -> bool:
        """Whether sqlite3 has a transaction open (read without a trip: nothing else runs
        on this connection while SQLAlchemy commits or rolls it back)."""
        connection = self._connection._connection
        return connection is not None and connection.in_transaction

    def rollback(self) -> None:
        if self._open():
            super().rollback()

    def commit(self) -> None:
        if self._open():
            super().commit()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        thread = getattr(connection, "_thread", None)
        if thread is not None:
            thread.daemon = True  # as SQLAlchemy's adapter does
        return OneTripConnection(self, await_(connection))


def module() -> OneTripDBAPI | None:
    """The DBAPI module to give ``create_async_engine(module=…)`` for ``sqlite+aiosqlite``;
    ``None`` if this aiosqlite lacks what it needs (then SQLAlchemy's own is used)."""
    if not all(hasattr(aiosqlite.Connection, name) for name in ("_execute", "_conn")):
        return None
    return OneTripDBAPI(aiosqlite, sqlite3)
