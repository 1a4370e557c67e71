"""Issue 9 §3: after the tally, nothing physical keeps the cast order of the ballots.

30 ballots are cast one transaction each, in a known order. After the close and the tally
the ballot box is read the ways a later copy would show it — PostgreSQL ``ctid`` order (what
``pg_dump`` writes) and its transaction ids (``xmin``); SQLite ``rowid`` order and where each
ballot's bytes lie in the database file (after a checkpoint, as a copy of ``maeul.db``
holds them) — and none of those orders follows the cast order. The tally and the audit still
verify, and trackers still verify.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot import assembly as A
from models import Ballot
from tests import test_assembly_support as support
from tests.test_assembly_support import keyring_fixture, seeded_fixture  # noqa: F401  (fixtures)

# where the rows lie is the point: a new PostgreSQL schema, not an emptied one (conftest)
FRESH_SCHEMA = True

BALLOTS = 30
HANBIT = "hanbit1-2027"
MAX_TAU = 0.6
"""|Kendall tau| of a random order of 30 exceeds 0.6 with probability about 2e-6; cast order
itself scores 1.0."""


def kendall_tau(order: list[int]) -> float:
    """Rank correlation of ``order`` (cast indices read in some physical order) with 0..n-1."""
    n = len(order)
    concordant = sum(1 if order[i] < order[j] else -1 for i in range(n) for j in range(i + 1, n))
    return concordant / (n * (n - 1) / 2)


async def cast_in_known_order(seeded, clock, keyring) -> tuple[list[int], dict[int, str]]:
    """Ballot ids in cast order, and each counted ballot's choices."""
    rng = random.Random(9)
    clock.set(support.DURING)
    await support.register_voters(seeded, clock, keyring, HANBIT, range(80_000, 80_000 + BALLOTS))
    ids: list[int] = []
    choices_of: dict[int, str] = {}
    for n in range(BALLOTS):
        choices = "".join(rng.choice("yna") for _ in range(7))
        receipt = await support.cast_a_minute_later(
            seeded, clock, keyring, HANBIT, 80_000 + n, choices
        )
        lookup = keyring.tracker_lookup(receipt.tracker)
        async with seeded() as s:
            ballot_id = (
                await s.execute(select(Ballot.id).where(Ballot.lookup == lookup))
            ).scalar_one()
        ids.append(ballot_id)
        choices_of[ballot_id] = choices
    return ids, choices_of


def read_file(path: Path) -> tuple[bytes, int]:
    """The database file's bytes, and the size of its write-ahead log."""
    wal = Path(f"{path}-wal")
    return path.read_bytes(), wal.stat().st_size if wal.exists() else 0


async def physical_orders(engine, cast_ids: list[int]) -> dict[str, list[int]]:
    """Cast indices of the ballots, read in each physical order a copy would show."""
    index = {ballot_id: n for n, ballot_id in enumerate(cast_ids)}
    orders: dict[str, list[int]] = {}
    async with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = (await conn.execute(text("SELECT id FROM ballots ORDER BY ctid"))).all()
            orders["ctid"] = [index[r[0]] for r in rows]
            rows = (
                await conn.execute(text("SELECT id FROM ballots ORDER BY xmin::text::bigint, ctid"))
            ).all()
            orders["xmin"] = [index[r[0]] for r in rows]
            sealed = {}
        else:
            rows = (await conn.execute(text("SELECT id FROM ballots ORDER BY rowid"))).all()
            orders["rowid"] = [index[r[0]] for r in rows]
            rows = (await conn.execute(text("SELECT id, sealed FROM ballots"))).all()
            sealed = {r[0]: bytes(r[1]) for r in rows}
    if sealed:  # a checkpoint (outside any transaction) moves the WAL into the file
        path = make_url(str(engine.url)).database or ""
        with closing(sqlite3.connect(path, isolation_level=None)) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if sealed:  # where the bytes lie in the file itself
        data, wal_size = read_file(Path(make_url(str(engine.url)).database or ""))
        assert wal_size == 0
        positions = {ballot_id: data.find(blob) for ballot_id, blob in sealed.items()}
        assert all(p >= 0 for p in positions.values())
        stale = [i for i, blob in sealed.items() if data.count(blob) != 1]
        orders["stale copies"] = [len(stale)]
        orders["file"] = [index[i] for i in sorted(positions, key=positions.__getitem__)]
    return orders


async def test_after_the_tally_no_physical_order_follows_the_cast_order(
    seeded, clock, keyring, engine
):
    cast_ids, choices_of = await cast_in_known_order(seeded, clock, keyring)
    before = await physical_orders(engine, cast_ids)
    if engine.dialect.name == "postgresql":  # the problem this solves
        assert before["ctid"] == list(range(BALLOTS))
        assert kendall_tau(before["xmin"]) == 1.0

    clock.set(support.AFTER)
    async with seeded() as s:
        vote = await support.vote_for(s, HANBIT, clock.now())
        tally = await A.finalize(s, keyring, vote, clock.now())
        await s.commit()
    assert tally["ballots"] == BALLOTS

    after = await physical_orders(engine, cast_ids)
    assert set(after) == set(before)
    rank = {ballot_id: r for r, ballot_id in enumerate(sorted(cast_ids))}
    id_rank = [rank[ballot_id] for ballot_id in cast_ids]  # cast index → rank of its id
    if "stale copies" in after:  # deleted rows were overwritten, not left behind in order
        assert after.pop("stale copies") == [0]
        before.pop("stale copies")
    for name, order in after.items():
        assert sorted(order) == list(range(BALLOTS)), name  # every ballot is still there
        # laid out by the random ids (drawn at the cast, so unrelated to its order)...
        neighbours = sum(abs(id_rank[a] - id_rank[b]) == 1 for a, b in itertools.pairwise(order))
        assert neighbours >= BALLOTS - 3, (name, order)
        # ...and not by the cast
        assert order != list(range(BALLOTS)), name
        assert abs(kendall_tau(order)) < MAX_TAU, (name, kendall_tau(order), order)

    async with seeded() as s:
        vote = await support.vote_for(s, HANBIT, clock.now())
        report = await A.audit(s, keyring, vote)
        assert report.ok, report.problems
        assert report.counted == BALLOTS
        assert sorted(report.opened) == sorted(choices_of.values())
        assert vote.online_tally == tally
        again = await A.finalize(s, keyring, vote, clock.now())  # idempotent
        assert again == tally
