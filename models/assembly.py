"""General-assembly votes (주민총회): settings, ballot items, voting codes, the poll book, ballots.

The domain logic and the secrecy argument are in :mod:`bot.assembly`; this module only
declares the tables. What a dump of them shows, table by table:

* ``assembly_votes`` – one row per assembly that can be voted on (from the knowledge base or
  created by staff): the definition frozen when voting opens, the per-assembly settings, an
  order-independent keyed accumulator over the ballots and, after the close, the online tally.
* ``assembly_vote_items`` – the ballot's agenda items.
* ``voting_codes`` – single-use codes, stored only as a keyed hash (HMAC), with their state.
* ``assembly_voters`` – the poll book: who is registered for which assembly and whether they
  have voted. It holds identities but never a choice and never a pointer to a ballot.
* ``ballots`` – a random 63-bit id, a keyed lookup value for the voter's tracker, the
  AES-GCM-sealed choices (fixed length per assembly) and a superseded flag. No voter, no
  code, no timestamp, no sequence number. ``current_tag`` (a keyed hash of the voter) exists
  only so that a re-vote can replace the voter's ballot; it is cleared at the tally, when
  the ballot box is also rewritten so that no physical order keeps the cast order.

Times that could tie a person to a vote (reviewed for issue 9 §3):

* ``ballots`` — none, and no order after the tally (see above).
* ``assembly_voters.joined_at`` — when the account redeemed its code (or joined an open
  vote): the registration, not the ballot. ``voted`` is set by the cast, so on PostgreSQL
  the poll-book row is rewritten then (its ``ctid`` / ``xmin`` date the cast): who voted in
  which order is visible, as the poll book is anyway; it cannot be matched with the ballots
  (sealed while open, rewritten at the tally).
* ``voting_codes.created_at`` — the batch's time, nothing about the holder.
* ``users.last_seen_at`` and the persistence rows' ``updated_at`` (not ours) — every update
  sets them, a cast included: they tell when someone last acted, never what; no ballot has
  a time to match them with.
* ``audit_log`` — staff actions only: creating, configuring, codes batches, on-site marks and
  totals. Redeeming a code, casting and ``/verify`` write no audit row.
* ``qa_unanswered`` — residents' free text: the day only and random ids (``models/qa.py``),
  since its timestamp matched ``users.last_seen_at`` to the millisecond.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, one_of
from models.kb import ID_LENGTH

HASH_LENGTH = 64
"""Hex SHA-256 / HMAC-SHA-256."""

BallotId = BigInteger().with_variant(Integer(), "sqlite")
"""``INTEGER PRIMARY KEY`` on SQLite: the random id is the rowid, so the B-tree's key order
is random there. The bytes are not: within a page, cells are stored in insertion order and
freed space is reused in order — which is why the tally rewrites the ballot box
(:func:`bot.assembly.service._rewrite_ballot_box`)."""


class VoteMethod(enum.StrEnum):
    APPROVE_REJECT = "approve_reject"
    CHOOSE_UP_TO = "choose_up_to"


class VoteMode(enum.StrEnum):
    CODES = "codes"  # a single-use code from the dong office binds one account
    OPEN = "open"  # non-binding sympathy vote: one vote per Telegram account


class CodeStatus(enum.StrEnum):
    ISSUED = "issued"
    REDEEMED = "redeemed"  # bound to a Telegram account (see assembly_voters)
    ONSITE = "onsite"  # its holder voted on paper at the on-site assembly


class AssemblyVote(Base):
    """The vote of one assembly: definition, settings, integrity state, stored tally."""

    __tablename__ = "assembly_votes"
    __table_args__ = (
        CheckConstraint(one_of("method", VoteMethod), name="method"),
        CheckConstraint(one_of("mode", VoteMode), name="mode"),
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("ballots_cast >= 0", name="ballots_cast"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    """A short number, used in callback data."""
    assembly_id: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True)
    """The public id: the knowledge base's, or the one staff gave."""
    kb_assembly_id: Mapped[str | None] = mapped_column(ForeignKey("kb_assemblies.id"))
    dong_id: Mapped[str] = mapped_column(ForeignKey("kb_dongs.id"), index=True)
    title: Mapped[dict[str, str]]
    eligibility: Mapped[dict[str, str]]
    method: Mapped[str] = mapped_column(String(20))
    max_choices: Mapped[int | None]
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    mode: Mapped[str] = mapped_column(
        String(10), default=VoteMode.CODES.value, server_default=VoteMode.CODES.value
    )
    revoting: Mapped[bool] = mapped_column(default=True, server_default=true())
    eligible_population: Mapped[int | None]
    quorum_percent: Mapped[int | None]
    overrides: Mapped[list[str]]
    """Fields staff set: a knowledge-base re-import no longer changes them."""
    item_ids: Mapped[list[str] | None]
    """The ballot's items in order, fixed when voting opens (None before)."""
    frozen_at: Mapped[datetime | None]
    ballots_cast: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    """Ballot records written, re-votes included."""
    accumulator: Mapped[str] = mapped_column(String(HASH_LENGTH))
    """Sum modulo 2**256 of a keyed hash of every ballot record (hex)."""
    accumulator_tag: Mapped[str | None] = mapped_column(String(HASH_LENGTH))
    """HMAC over the accumulator and the ballot counts."""
    tallied_at: Mapped[datetime | None]
    online_tally: Mapped[dict[str, Any] | None]
    onsite_totals: Mapped[dict[str, Any] | None]
    onsite_totals_voters: Mapped[int | None]
    """On-site voters marked when the paper totals were entered: codes marked later are
    paper ballots the totals leave out (the results are provisional again). None on totals
    entered before this was recorded (migration 0014): taken as complete, as they were."""
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime]


class AssemblyVoteItem(Base):
    """One agenda item on the ballot."""

    __tablename__ = "assembly_vote_items"

    vote_id: Mapped[int] = mapped_column(ForeignKey("assembly_votes.id"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int]
    title: Mapped[dict[str, str]]
    description: Mapped[dict[str, str]]
    budget_krw: Mapped[int | None] = mapped_column(BigInteger)
    category_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    proposed_by: Mapped[dict[str, str] | None]
    source: Mapped[str] = mapped_column(String(10))
    """``kb``, ``proposal`` or ``staff``."""
    proposal_id: Mapped[int | None]


class VotingCode(Base):
    """A single-use voting code, known only by its keyed hash."""

    __tablename__ = "voting_codes"
    __table_args__ = (CheckConstraint(one_of("status", CodeStatus), name="status"),)

    code_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("assembly_votes.id"), index=True)
    batch: Mapped[int]
    status: Mapped[str] = mapped_column(
        String(10), default=CodeStatus.ISSUED.value, server_default=CodeStatus.ISSUED.value
    )
    created_at: Mapped[datetime]


class Voter(Base):
    """The poll book: one row per registered voter of an assembly. Never a choice."""

    __tablename__ = "assembly_voters"
    __table_args__ = (UniqueConstraint("vote_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("assembly_votes.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str | None] = mapped_column(ForeignKey("voting_codes.code_hash"), unique=True)
    """None in ``open`` mode."""
    voted: Mapped[bool] = mapped_column(default=False, server_default=false())
    onsite: Mapped[bool] = mapped_column(default=False, server_default=false())
    """The code was used at the on-site assembly: no online vote."""
    reminded: Mapped[bool] = mapped_column(default=False, server_default=false())
    review_nonce: Mapped[str | None] = mapped_column(String(16))
    """Set when the review screen is shown; one cast consumes it (double taps count once)."""
    joined_at: Mapped[datetime]


class Ballot(Base):
    """One sealed ballot. Holds no identity, no time and no order."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("vote_id", "current_tag"),)

    id: Mapped[int] = mapped_column(BallotId, primary_key=True, autoincrement=False)
    vote_id: Mapped[int] = mapped_column(ForeignKey("assembly_votes.id"), index=True)
    lookup: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    """HMAC of the voter's tracker code."""
    current_tag: Mapped[str | None] = mapped_column(String(HASH_LENGTH))
    """HMAC of (assembly, voter) while this is the voter's counted ballot and the vote is
    open; None once superseded or closed."""
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    superseded: Mapped[bool] = mapped_column(default=False, server_default=false())


__all__ = [
    "AssemblyVote",
    "AssemblyVoteItem",
    "Ballot",
    "CodeStatus",
    "VoteMethod",
    "VoteMode",
    "Voter",
    "VotingCode",
]
