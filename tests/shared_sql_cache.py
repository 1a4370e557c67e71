"""One compiled-SQL cache for the engines a test process makes, by what their dialect is.

SQLAlchemy keeps the SQL it compiled from a statement in a cache of the engine's (and, for
the ORM's flushes, of the mapper's), keyed by the engine's dialect *object*. Every test
makes its own engine (its own SQLite file, its own PostgreSQL schema), so every test
compiled again every statement it ran. Sharing it took a fifth to a quarter off the CPU time
of the end-to-end test files (tests/test_faults_staff_flows_e2e.py in one process: 62 ->
48 CPU-seconds).

Here those caches key by what the dialect is instead of which object it is: its class, its
driver's class and every setting it holds (the server version, the parameter style, the
default schema — a PostgreSQL test's own schema —, the isolation level …). An engine then
reuses what an earlier engine of exactly the same kind compiled: the same SQL text, bound
and run on its own connection. A dialect with a setting this cannot describe (a JSON
serializer of its own, say), or one not yet connected (its server version unknown), keys
by itself, as SQLAlchemy does.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import util
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Mapper

_PLAIN = (str, int, float, bool, type(None))
# Built from the settings below (deterministic), or the driver (described by its class).
_DERIVED = frozenset(
    {"identifier_preparer", "type_compiler", "type_compiler_instance", "_type_memos",
     "dbapi", "loaded_dbapi", "_ischema"}
)  # fmt: skip

_ITSELF = object()
_kinds: weakref.WeakKeyDictionary[Dialect, object] = weakref.WeakKeyDictionary()


def _plain(value: Any) -> bool:
    return isinstance(value, _PLAIN) or (
        isinstance(value, tuple) and all(isinstance(v, _PLAIN) for v in value)
    )


def kind(dialect: Dialect) -> object:
    """What ``dialect`` is, as a hashable key; the dialect itself where that is unsure."""
    known = _kinds.get(dialect)
    if known is not None:
        return dialect if known is _ITSELF else known
    settings = vars(dialect)
    if "server_version_info" not in settings:  # not connected yet: its settings may change
        return dialect
    described = []
    for name, value in sorted(settings.items()):
        if name in _DERIVED:
            continue
        if not _plain(value):
            _kinds[dialect] = _ITSELF
            return dialect
        described.append((name, value))
    found = (type(dialect), type(getattr(dialect, "dbapi", None)), tuple(described))
    _kinds[dialect] = found
    return found


class SharedCompiledCache:
    """A compiled cache (``get``, ``[]``, ``in``, ``clear``) whose keys' dialect is its kind."""

    def __init__(self, size: int) -> None:
        self._lru: util.LRUCache[Any, Any] = util.LRUCache(size)

    @staticmethod
    def _key(key: tuple[Any, ...]) -> tuple[Any, ...]:
        return (kind(key[0]), *key[1:])

    def get(self, key: tuple[Any, ...], default: Any = None) -> Any:
        return self._lru.get(self._key(key), default)

    def __getitem__(self, key: tuple[Any, ...]) -> Any:
        return self._lru[self._key(key)]

    def __setitem__(self, key: tuple[Any, ...], value: Any) -> None:
        self._lru[self._key(key)] = value

    def __contains__(self, key: tuple[Any, ...]) -> bool:
        return self._key(key) in self._lru

    def __len__(self) -> int:
        return len(self._lru)

    def clear(self) -> None:
        self._lru.clear()


@pytest.fixture(scope="session", autouse=True)
def _shared_compiled_sql() -> Iterator[None]:
    """Every engine made in this test process (the fixtures', a test's own, a CLI command's
    run in-process) and every mapper's flush statements share compiled SQL by dialect kind."""
    engines = SharedCompiledCache(5000)

    # Engine.__init__ sets ``_compiled_cache`` to a new LRU cache (None without caching):
    # a property in its place keeps the shared one instead, where the attribute would be
    # (an engine made before, or used after, this fixture has its own or keeps the shared).
    def cache_of(self: Engine) -> Any:
        return self.__dict__["_compiled_cache"]

    def set_cache(self: Engine, value: Any) -> None:
        self.__dict__["_compiled_cache"] = None if value is None else engines

    def mapper_cache(self: Mapper[Any]) -> SharedCompiledCache:
        return SharedCompiledCache(self._compiled_cache_size * 4)

    mapper_cache.__name__ = "_compiled_cache"
    from models.base import Base

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Engine, "_compiled_cache", property(cache_of, set_cache), raising=False)
        patch.setattr(Mapper, "_compiled_cache", util.HasMemoized.memoized_attribute(mapper_cache))
        for mapper in Base.registry.mappers:  # any computed already
            mapper.__dict__.pop("_compiled_cache", None)
        yield
        for mapper in Base.registry.mappers:
            mapper.__dict__.pop("_compiled_cache", None)
