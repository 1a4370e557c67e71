"""Record vectors for semantic matching: an on-disk cache and an in-memory index.

* :class:`VectorCache` — an SQLite file of vectors keyed by the model's id and the hash of
  each passage's text. A warm start reads vectors instead of encoding; editing one grant
  changes only its passages' hashes, so only they are encoded again. Several bot
  instances may share the file (SQLite locks it); it is created private (0700 directory,
  0600 file).

  Instances that start together on the same KB do not each encode it: before a batch an
  encoder *claims* its passages in the file (:meth:`VectorCache.claim`), skips those another
  encoder holds and takes what another has written meanwhile. A claim lapses after
  :data:`CLAIM_SECONDS`, and at once when its process is gone (same host, pid not alive),
  so a process killed mid-batch holds nothing for its restart. Encoding is
  ~25–60 ms a passage on one thread, by machine; a 1,000-grant KB (~20,000 passages) is minutes,
  which three webhook processes would otherwise spend three times at each start.
* :class:`SemanticIndex` — the passages of one KB snapshot, their vectors as they become
  available, and per-record cosine scores. Missing vectors are encoded in a background
  thread (:meth:`start`) while the engine answers lexically for the records not encoded
  yet, or all at once (:meth:`encode_all`, for the command line and the tests).
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.qa.embedding import Embedder, Vectors

log = logging.getLogger(__name__)

CACHE_FILE = "qa-vectors.sqlite3"
_BATCH = 16  # passages encoded between two cache writes
_WINDOW = 256  # passages looked at in the cache for one claim
CLAIM_SECONDS = 60.0  # a batch takes a second or two; a dead encoder's claim lapses then
_CLAIM_WAIT = 0.1  # seconds between two looks at passages another encoder holds


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/maeul`` (``~/.cache/maeul``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "maeul"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(owner: str) -> bool:
    """Whether a claim's process may still be encoding: another host's always (until the
    claim lapses); this host's while its pid is alive."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, another user's
        return True
    return True


def _readable(rows: Iterable[tuple[str, int, bytes]]) -> dict[str, Vectors]:
    """The vectors of (hash, dim, blob) rows, by hash; a blob not of its size is left out."""
    found: dict[str, Vectors] = {}
    for hash_, dim, blob in rows:
        vector = np.frombuffer(blob, dtype=np.float32)
        if vector.shape == (dim,):
            found[hash_] = vector
    return found


class VectorCache:
    """Vectors by (model id, passage hash) in one SQLite file."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            os.chmod(directory, 0o700)
        except OSError:  # not ours (a shared cache directory): leave it as it is
            pass
        self.path = directory / CACHE_FILE
        if not self.path.exists():
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors ("
                " model TEXT NOT NULL, hash TEXT NOT NULL, dim INTEGER NOT NULL,"
                " vector BLOB NOT NULL, PRIMARY KEY (model, hash))"
            )
            # passages an encoder is encoding now, until when (time.time())
            try:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS claims ("
                    " model TEXT NOT NULL, hash TEXT NOT NULL, until REAL NOT NULL,"
                    " owner TEXT NOT NULL, PRIMARY KEY (model, hash))"
                )
                self.shared = True
            except sqlite3.Error:  # a read-only file of an earlier version: read it, alone
                self.shared = False

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        wanted = list(dict.fromkeys(hashes))
        with self._lock, self._connect() as db:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                marks = ",".join("?" * len(part))
                rows = db.execute(
                    f"SELECT hash, dim, vector FROM vectors WHERE model = ? AND hash IN ({marks})",
                    [model, *part],
                )
                found.update(_readable(rows))
        return found

    def put_many(self, model: str, items: dict[str, Vectors]) -> None:
        if not items:
            return
        rows = [
            (model, h, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
            for h, v in items.items()
        ]
        with self._lock, self._connect() as db:
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)
            db.executemany(
                "DELETE FROM claims WHERE model = ? AND hash = ?", [(model, h) for h in items]
            )
            db.execute("COMMIT")

    def claim(
        self, model: str, hashes: Sequence[str], most: int, seconds: float = CLAIM_SECONDS
    ) -> tuple[list[str], dict[str, Vectors]]:
        """Of ``hashes`` (in order): up to ``most`` that nobody has encoded or holds, now
        held by the caller for ``seconds``; and the vectors the file has already (one it
        cannot read counts as missing). The rest another encoder holds. One write
        transaction, so two encoders never claim the same passage."""
        wanted = list(dict.fromkeys(hashes))
        if not wanted:
            return [], {}
        now = time.time()
        marks = ",".join("?" * len(wanted))
        with self._lock, self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM claims WHERE until <= ?", (now,))  # lapsed ones
                found = _readable(
                    db.execute(
                        f"SELECT hash, dim, vector FROM vectors WHERE model = ?"
                        f" AND hash IN ({marks})",
                        [model, *wanted],
                    )
                )
                owners = dict(
                    db.execute(
                        f"SELECT hash, owner FROM claims WHERE model = ? AND until > ?"
                        f" AND hash IN ({marks})",
                        [model, now, *wanted],
                    )
                )
                alive = {owner: _alive(owner) for owner in set(owners.values())}
                held = {h for h, owner in owners.items() if alive[owner]}
                mine = [h for h in wanted if h not in found and h not in held][:most]
                me = _owner()
                db.executemany(
                    "INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?)",
                    [(model, h, now + seconds, me) for h in mine],
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return mine, found


class SemanticIndex:
    """Passages of each record (doc), their vectors, and cosine scores per record."""

    def __init__(
        self,
        embedder: Embedder,
        passages: Sequence[Sequence[str]],
        cache: VectorCache | None = None,
    ) -> None:
        self.embedder = embedder
        self.cache = cache
        self.model_id = embedder.model_id
        texts: list[str] = []
        owner: list[int] = []
        for doc, doc_passages in enumerate(passages):
            for text in doc_passages:
                texts.append(text)
                owner.append(doc)
        self.docs = len(passages)
        self.texts = texts
        self.hashes = [text_hash(t) for t in texts]
        self._rows_of: dict[str, list[int]] = {}  # a text's rows (records may share one)
        for row, hash_ in enumerate(self.hashes):
            self._rows_of.setdefault(hash_, []).append(row)
        self._first = np.zeros(len(texts), dtype=bool)  # the first row of each text
        self._first[[rows[0] for rows in self._rows_of.values()]] = True
        self.owner = np.asarray(owner, dtype=np.int64)
        self._dim = 0
        self._matrix: npt.NDArray[np.float32] | None = None
        self._done = np.zeros(len(texts), dtype=bool)
        self._missing_per_doc = np.bincount(self.owner, minlength=self.docs).astype(np.int64)
        # where each record's passages start, when every record has some (the usual case)
        self._starts: npt.NDArray[np.int64] | None = None
        if self.docs and bool((self._missing_per_doc > 0).all()):
            self._starts = np.concatenate(([0], np.cumsum(self._missing_per_doc)[:-1]))
        self._ready_docs = np.zeros(self.docs, dtype=bool)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._then: SemanticIndex | None = None
        self._write_lock = threading.Lock()
        self.loaded_from_cache = 0
        self.encoded = 0
        if cache is not None and texts:
            started = time.perf_counter()
            self.loaded_from_cache = self._store_hashes(
                cache.get_many(self.model_id, list(self._rows_of))
            )
            log.info(
                "Q&A vectors: %d of %d passages from the cache in %.2f s",
                self.loaded_from_cache, len(texts), time.perf_counter() - started,
            )  # fmt: skip

    # --- state ----------------------------------------------------------------------
    @property
    def complete(self) -> bool:
        return bool(self._done.all())

    @property
    def pending(self) -> int:
        return int((~self._done).sum())

    def ready(self, doc: int) -> bool:
        return bool(self._ready_docs[doc])

    def _store(self, rows: Sequence[int], vectors: Vectors) -> None:
        with self._write_lock:
            if self._matrix is None:
                self._dim = int(vectors.shape[1])
                # zeros are not resident until written: a large KB fills it as it encodes
                self._matrix = np.zeros((len(self.texts), self._dim), dtype=np.float32)
            for row, vector in zip(rows, vectors, strict=True):
                self._matrix[row] = vector
            index = np.asarray(rows, dtype=np.int64)
            fresh = index[~self._done[index]]
            self._done[fresh] = True
            np.subtract.at(self._missing_per_doc, self.owner[fresh], 1)
            self._ready_docs = self._missing_per_doc == 0

    # --- encoding -------------------------------------------------------------------
    def encode_missing(self, limit: int | None = None) -> int:
        """Encode up to ``limit`` missing passages (all by default); returns how many.

        With a cache, passages another encoder holds are left to it and read from the file
        once written (see the module's docstring); a passage's text is encoded once even
        where several records share it."""
        count = 0
        shared = self.cache is not None and self.cache.shared
        while not self._stop.is_set() and (limit is None or count < limit):
            todo = np.flatnonzero(~self._done & self._first)  # one row a distinct text
            if not len(todo):
                break
            most = _BATCH if limit is None else min(_BATCH, limit - count)
            claimed = self._claim(todo, most) if shared else None
            shared = claimed is not None
            if claimed is None:  # no cache, or it failed: encode the next batch
                hashes = [self.hashes[int(i)] for i in todo[:most]]
            else:
                hashes, read = claimed
                if not hashes:  # read what others wrote, or wait for what they hold
                    if not read:
                        self._stop.wait(_CLAIM_WAIT)
                    continue
            texts = [self.texts[self._rows_of[h][0]] for h in hashes]
            fresh = dict(zip(hashes, self.embedder.encode_passages(texts), strict=True))
            self._store_hashes(fresh)
            if self.cache is not None:
                try:
                    self.cache.put_many(self.model_id, fresh)
                except sqlite3.Error as exc:  # a read-only or full disk: keep answering
                    log.warning("Q&A vector cache not written: %s", exc)
            count += len(hashes)
            self.encoded += len(hashes)
        return count

    def _claim(self, todo: npt.NDArray[np.int64], most: int) -> tuple[list[str], bool] | None:
        """Passages (hashes) of the rows ``todo`` this encoder now holds, and whether it
        took into the index any that another encoder has written; ([], False) when others
        hold all the rest; None when the cache cannot be used (this encoder goes on alone)."""
        cache = self.cache
        assert cache is not None
        try:
            for start in range(0, len(todo), _WINDOW):
                window = [self.hashes[int(i)] for i in todo[start : start + _WINDOW]]
                mine, found = cache.claim(self.model_id, window, most)
                self._store_hashes(found)
                if mine or found:
                    return mine, bool(found)
        except sqlite3.Error as exc:  # e.g. read-only: go on alone, without asking again
            log.warning("Q&A vector cache not shared (%s): this process encodes alone", exc)
            return None
        return [], False

    def _store_hashes(self, vectors: dict[str, Vectors]) -> int:
        """Store vectors by passage hash, into every row with that text; how many rows."""
        rows = [row for h in vectors for row in self._rows_of[h]]
        if rows:
            self._store(rows, np.stack([vectors[self.hashes[i]] for i in rows]))
        return len(rows)

    def encode_all(self) -> None:
        self.encode_missing()

    def start(
        self, on_done: Callable[[], None] | None = None, then: SemanticIndex | None = None
    ) -> None:
        """Encode what is missing in a daemon thread (answers go on meanwhile); ``then``:
        another index to complete in the same thread afterwards (one encoder at a time),
        stopped with this one."""
        if self._thread is not None or (self.complete and (then is None or then.complete)):
            return
        self._then = then

        def run() -> None:
            started = time.perf_counter()
            try:
                self.encode_missing()
                if then is not None and not self._stop.is_set():
                    then.encode_missing()
            except Exception:  # the engine keeps answering lexically
                log.exception("Q&A vectors: background encoding failed")
                return
            log.info(
                "Q&A vectors: %d passages encoded in %.1f s",
                self.encoded + (then.encoded if then is not None else 0),
                time.perf_counter() - started,
            )  # fmt: skip
            if on_done is not None:
                on_done()

        self._thread = threading.Thread(target=run, name="qa-vectors", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._then is not None:
            self._then.stop()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.complete

    # --- scoring --------------------------------------------------------------------
    def scores(self, query: Vectors) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        """The best cosine of each record's passages, and which records have vectors."""
        matrix = self._matrix
        ready = self._ready_docs
        best = np.zeros(self.docs, dtype=np.float32)
        if matrix is None or not ready.any():
            return best, np.zeros(self.docs, dtype=bool)
        sims = matrix @ query
        if self._starts is not None:  # every record has passages, in order: one pass
            best = np.maximum.reduceat(sims, self._starts).astype(np.float32)
        else:
            np.maximum.at(best, self.owner, sims)
        return best, ready


__all__ = ["SemanticIndex", "VectorCache", "default_cache_dir", "text_hash"]
