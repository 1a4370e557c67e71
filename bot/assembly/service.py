"""Online general-assembly votes (주민총회): eligibility, secret ballots, tally, audit.

Nothing here knows about Telegram. Refusals a voter or staff member should read are raised
as :class:`Refused` with an English msgid (translated by the caller); they are raised before
anything is written, or after undoing this function's own writes, so that the caller's
transaction can be committed as it is.

Secrecy: why the ballot box looks the way it does
--------------------------------------------------
The threat is someone holding a full dump of the database (a backup, a leaked copy, an
over-curious administrator) but not the server's ``BALLOT_SECRET``. Such a person knows the
poll book (``assembly_voters``: who registered and who voted) and, through tables that are
not ours, *when* each voter last acted (``users.last_seen_at``, the conversation and
``user_data`` rows' ``updated_at``, the physical position of updated rows). So the ballots
must not reveal *when* they were cast, in any column or in any ordering:

* Ballot rows carry no voter, no code, no timestamp, no sequence: ids are random 63-bit
  numbers. On SQLite the id is the rowid, so the B-tree's *key* order is random — but not
  the bytes: inside a page each new cell is stored below the previous ones, and freed
  space is reused in order, so a copy of the file shows the cells of a page in cast order.
* While voting is open, physical order cannot be made random on PostgreSQL either: MVCC
  writes every inserted *or updated* tuple where free space is, so ``ctid`` order (the
  order ``pg_dump`` writes) follows write order, and ``xmin`` is the cast's transaction id
  — pre-allocated slots "updated in place" would still be rewritten in cast order
  (``tests/test_assembly_secrecy.py`` demonstrates it).
  Therefore the choices are **sealed**: AES-256-GCM with a per-assembly key derived from the
  secret, a random nonce, a fixed plaintext length per assembly, and associated data that
  binds the sealed bytes to the ballot's id, assembly and lookup value. A dump taken during
  the vote shows, in cast order, rows that say nothing about their content. Only the tally
  after the close — totals — is ever stored in the clear, and the list of opened ballots
  the audit exports is sorted by content.
* At the tally the ballot box is **rewritten** (:func:`_rewrite_ballot_box`): every ballot
  of the vote is deleted and inserted again in the order of its random id, in the tally's
  one transaction, so a dump or copy taken afterwards keeps no cast order — not in
  ``ctid``, ``xmin``, rowid or the bytes of a page (``tests/test_trust_ballot_order.py``).
* The re-vote link is ``current_tag = HMAC(assembly, user)``: opaque without the secret,
  set only on the voter's counted ballot, and cleared for every ballot at the tally.
* The tracker a voter receives is stored only as ``HMAC(tracker)`` (and inside the seal), so
  a tracker shown to someone else cannot be looked up in a dump either.
* Drafts live only in the buttons' callback data (the voter's chat), never in the database;
  the poll book holds only a random review nonce, so a double tap casts once.
* Voting codes are stored as ``HMAC(code)``: a dump shows neither used nor unused codes.

Someone who has the secret *and* a dump can link voters to choices (they can open the seals
and read physical order, or recompute tags): the secret must live only in the bot's
environment, and must be backed up like the database — without it the ballots of a vote
that has not been tallied cannot be opened.

Integrity without revealing order
---------------------------------
A hash chain in cast order would itself record the cast order. Instead every assembly keeps
an order-independent accumulator, updated in the cast transaction under the assembly's row
lock: the sum modulo 2**256 of a *keyed* hash of every ballot record (id, lookup, sealed
bytes, superseded flag), plus an HMAC tag over that sum and the ballot counts. Because the
element hash is keyed, someone who can write to the database can neither recompute it after
deleting, adding or re-flagging a ballot, nor search for a set of changes that cancels out.
:func:`audit` recomputes everything from the stored rows: each seal, each tracker lookup,
the accumulator and its tag, the counts against the poll book, and the stored tally.

Concurrency
-----------
A cast first updates the assembly row (``ballots_cast + 1`` where the vote is still open and
not tallied), which serialises the casts of one assembly and the close on PostgreSQL and
takes the write lock on SQLite. It then consumes the voter's review nonce with a
conditional UPDATE: of 50 simultaneous presses of one Cast button exactly one matches; the
others undo their own increment and are refused. ``UNIQUE (vote_id, current_tag)`` keeps one
counted ballot per voter even if that logic were bypassed.
"""

from __future__ import annotations

import csv
import enum
import io
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.assembly.crypto import (
    CODE_LENGTH,
    TRACKER_LENGTH,
    Keyring,
    SealError,
    normalize,
    random_string,
)
from bot.core import audit as audit_log
from bot.core import statements
from bot.core.i18n import N_
from bot.core.turnout import TurnoutFigures
from models.assembly import (
    AssemblyVote,
    AssemblyVoteItem,
    Ballot,
    CodeStatus,
    VoteMethod,
    VoteMode,
    Voter,
    VotingCode,
)
from models.kb import ID_LENGTH, Assembly, Dong
from models.user import User

MODULUS = 2**256
ZERO = "0" * 64
MAX_ITEMS = 40
"""Items per ballot: the draft travels in callback data (64 bytes)."""
MAX_CODES_PER_BATCH = 20_000
REMINDER_BEFORE_CLOSE = timedelta(hours=24)
REMINDER_AFTER_JOINING = timedelta(hours=1)
"""A code redeemed late: the reminder waits this long (not while the ballot is being filled in)."""
APPROVE = "yna"  # yes, no, abstain
UNANSWERED = "-"
CHOSEN, NOT_CHOSEN = "1", "0"
KB_FIELDS = (
    "dong_id",
    "title",
    "eligibility",
    "method",
    "max_choices",
    "opens_at",
    "closes_at",
    "quorum_percent",
)
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class Status(enum.StrEnum):
    DRAFT = "draft"  # before the window: items and settings can change
    OPEN = "open"
    CLOSED = "closed"


class Refused(Exception):
    """A clear, expected refusal. ``message`` is an English msgid with ``{}`` fields."""

    def __init__(self, reason: str, message: str, **params: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.params = params


# --- reading assemblies ----------------------------------------------------------------


def status(vote: AssemblyVote, now: datetime) -> Status:
    """Where ``now`` falls in the window: opens_at ≤ now < closes_at is open, to the second."""
    if vote.tallied_at is not None or now >= vote.closes_at:
        return Status.CLOSED
    if now < vote.opens_at:
        return Status.DRAFT
    return Status.OPEN


def title_of(vote: AssemblyVote | AssemblyVoteItem, lang: str) -> str:
    return _text(vote.title, lang)


def _text(value: dict[str, str] | None, lang: str) -> str:
    if not value:
        return ""
    return value.get(lang) or value.get("ko") or next(iter(value.values()), "")


def _kb_values(kb: Assembly) -> dict[str, Any]:
    return {
        "dong_id": kb.dong_id,
        "title": dict(kb.title),
        "eligibility": dict(kb.eligibility),
        "method": kb.method,
        "max_choices": kb.max_choices,
        "opens_at": kb.opens_at,
        "closes_at": kb.closes_at,
        "quorum_percent": kb.quorum_percent,
    }


async def _ensure_kb_rows(session: AsyncSession, now: datetime) -> None:
    """Give every knowledge-base assembly its voting row (defaults from the KB)."""
    known = set(
        (
            await session.execute(
                select(AssemblyVote.kb_assembly_id).where(AssemblyVote.kb_assembly_id.is_not(None))
            )
        ).scalars()
    )
    missing = (
        await session.execute(
            select(Assembly).where(Assembly.archived.is_(False), Assembly.id.not_in(known))
        )
    ).scalars()
    rows = [
        {
            "assembly_id": kb.id,
            "kb_assembly_id": kb.id,
            **_kb_values(kb),
            "mode": VoteMode.CODES.value,
            "revoting": True,
            "overrides": [],
            "ballots_cast": 0,
            "accumulator": ZERO,
            "created_at": now,
            "created_by": "kb",
            "updated_at": now,
        }
        for kb in missing
    ]
    if rows:
        insert = statements.insert_for(session)
        await session.execute(insert(AssemblyVote).values(rows).on_conflict_do_nothing())


async def _sync_from_kb(session: AsyncSession, vote: AssemblyVote, now: datetime) -> bool:
    """Before voting opens, follow the knowledge base. False if the KB withdrew it."""
    if vote.kb_assembly_id is None or vote.frozen_at is not None:
        return True
    kb = await session.get(Assembly, vote.kb_assembly_id)
    if kb is None or kb.archived:
        return False
    changed = False
    for name, value in _kb_values(kb).items():
        if name not in vote.overrides and getattr(vote, name) != value:
            setattr(vote, name, value)
            changed = True
    items = await _items_by_id(session, vote)
    live = [i for i in kb.items if not i.archived]
    for kb_item in live:
        values = {
            "position": kb_item.position,
            "title": dict(kb_item.title),
            "description": dict(kb_item.description),
            "budget_krw": kb_item.budget_krw,
            "category_id": kb_item.category_id,
            "proposed_by": dict(kb_item.proposed_by) if kb_item.proposed_by else None,
        }
        row = items.pop(kb_item.id, None)
        if row is None:
            session.add(
                AssemblyVoteItem(
                    vote_id=vote.id, item_id=kb_item.id, source="kb", proposal_id=None, **values
                )
            )
            changed = True
        elif row.source == "kb":
            for name, value in values.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
                    changed = True
    for row in items.values():
        if row.source == "kb":  # archived or removed from the KB
            await session.delete(row)
            changed = True
    if changed:
        vote.updated_at = now
        await session.flush()
    return True


async def _freeze(session: AsyncSession, vote: AssemblyVote, now: datetime) -> None:
    """Fix the ballot's items when voting opens (once, even with concurrent callers)."""
    item_ids = list(
        (
            await session.execute(
                select(AssemblyVoteItem.item_id)
                .where(AssemblyVoteItem.vote_id == vote.id)
                .order_by(AssemblyVoteItem.position, AssemblyVoteItem.item_id)
            )
        ).scalars()
    )
    await session.execute(
        update(AssemblyVote)
        .where(AssemblyVote.id == vote.id, AssemblyVote.frozen_at.is_(None))
        .values(frozen_at=now, item_ids=item_ids)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(vote)


async def _prepare(session: AsyncSession, vote: AssemblyVote, now: datetime) -> bool:
    if vote.frozen_at is None:
        if not await _sync_from_kb(session, vote, now):
            return False
        if status(vote, now) != Status.DRAFT:
            await _freeze(session, vote, now)
    return True


async def get_vote(session: AsyncSession, key: int | str, now: datetime) -> AssemblyVote | None:
    """An assembly by its number or public id, up to date with the KB until it opens."""
    if isinstance(key, int):
        vote = await session.get(AssemblyVote, key)
    else:
        vote = (
            await session.execute(select(AssemblyVote).where(AssemblyVote.assembly_id == key))
        ).scalar_one_or_none()
        if vote is None and await session.get(Assembly, key) is not None:
            await _ensure_kb_rows(session, now)
            vote = (
                await session.execute(select(AssemblyVote).where(AssemblyVote.assembly_id == key))
            ).scalar_one_or_none()
    if vote is None or not await _prepare(session, vote, now):
        return None
    return vote


async def list_votes(
    session: AsyncSession, now: datetime, dong_ids: Iterable[str] | None = None
) -> list[AssemblyVote]:
    """Every assembly (optionally of some dongs), soonest closing first."""
    await _ensure_kb_rows(session, now)
    query = select(AssemblyVote).order_by(AssemblyVote.closes_at, AssemblyVote.id)
    if dong_ids is not None:
        query = query.where(AssemblyVote.dong_id.in_(list(dong_ids)))
    votes = list((await session.execute(query)).scalars())
    return [v for v in votes if await _prepare(session, v, now)]


async def _items_by_id(session: AsyncSession, vote: AssemblyVote) -> dict[str, AssemblyVoteItem]:
    """The ballot's item rows, by item id."""
    return {
        i.item_id: i
        for i in (
            await session.execute(
                select(AssemblyVoteItem).where(AssemblyVoteItem.vote_id == vote.id)
            )
        ).scalars()
    }


async def items_of(session: AsyncSession, vote: AssemblyVote) -> list[AssemblyVoteItem]:
    """The ballot's items in ballot order (the frozen order once voting opened)."""
    rows = await _items_by_id(session, vote)
    if vote.item_ids is not None:
        return [rows[i] for i in vote.item_ids if i in rows]
    return sorted(rows.values(), key=lambda i: (i.position, i.item_id))


def ballot_size(vote: AssemblyVote) -> int:
    return len(vote.item_ids or [])


# --- staff: creating and configuring ---------------------------------------------------


@dataclass(frozen=True)
class NewItem:
    title: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    budget_krw: int | None = None
    item_id: str | None = None


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        raise Refused("naive", N_("Give the times with a time zone."))
    if closes_at <= opens_at:
        raise Refused("window", N_("The vote must close after it opens."))


def _check_method(method: str, max_choices: int | None) -> None:
    if method not in {m.value for m in VoteMethod}:
        raise Refused("method", N_("Unknown voting method {method}."), method=method)
    if method == VoteMethod.CHOOSE_UP_TO and (max_choices is None or max_choices < 1):
        raise Refused("max_choices", N_("Choose-up-to votes need a maximum number of choices."))


async def create_vote(
    session: AsyncSession,
    *,
    assembly_id: str,
    dong_id: str,
    title: dict[str, str],
    opens_at: datetime,
    closes_at: datetime,
    method: str,
    max_choices: int | None,
    items: Sequence[NewItem],
    actor: str,
    now: datetime,
    eligibility: dict[str, str] | None = None,
    mode: str = VoteMode.CODES.value,
    revoting: bool = True,
    eligible_population: int | None = None,
    quorum_percent: int | None = None,
    actor_telegram_id: int | None = None,
) -> AssemblyVote:
    """An assembly made by staff (not in the knowledge base)."""
    if not SLUG_RE.match(assembly_id) or len(assembly_id) > ID_LENGTH:
        raise Refused("slug", N_("The id may use lowercase letters, digits, '-' and '_'."))
    if not title.get("ko", "").strip():
        raise Refused("title", N_("The assembly needs a Korean title."))
    dong = await session.get(Dong, dong_id)
    if dong is None or dong.archived:
        raise Refused("dong", N_("Unknown dong {dong}."), dong=dong_id)
    _check_window(opens_at, closes_at)
    _check_method(method, max_choices)
    if method != VoteMethod.CHOOSE_UP_TO:
        max_choices = None
    if mode not in {m.value for m in VoteMode}:
        raise Refused("mode", N_("Unknown mode {mode}."), mode=mode)
    if len(items) > MAX_ITEMS:
        raise Refused("items", N_("A ballot can have at most {n} items."), n=MAX_ITEMS)
    if any(not item.title.get("ko", "").strip() for item in items):
        raise Refused("title", N_("Every item needs a Korean title."))
    _check_settings(eligible_population, quorum_percent)
    if not items:
        _check_not_empty_at_open(opens_at, now)
    taken = (
        await session.get(Assembly, assembly_id) is not None
        or (
            await session.execute(
                select(AssemblyVote.id).where(AssemblyVote.assembly_id == assembly_id)
            )
        ).first()
        is not None
    )
    if taken:
        raise Refused("exists", N_("An assembly with the id {id} already exists."), id=assembly_id)
    vote = AssemblyVote(
        assembly_id=assembly_id,
        kb_assembly_id=None,
        dong_id=dong_id,
        title=title,
        eligibility=eligibility or {},
        method=method,
        max_choices=max_choices,
        opens_at=opens_at,
        closes_at=closes_at,
        mode=mode,
        revoting=revoting,
        eligible_population=eligible_population,
        quorum_percent=quorum_percent,
        overrides=list(KB_FIELDS),
        ballots_cast=0,
        accumulator=ZERO,
        created_at=now,
        created_by=actor,
        updated_at=now,
    )
    session.add(vote)
    await session.flush()
    for item in items:
        await _add_item(session, vote, item, "staff", None)
    await record_action(
        session,
        vote,
        "assembly.create",
        actor=actor,
        now=now,
        actor_telegram_id=actor_telegram_id,
        details={"dong": dong_id, "method": method, "items": len(items)},
    )
    await _prepare(session, vote, now)
    return vote


def _check_settings(population: int | None, quorum: int | None) -> None:
    if population is not None and population < 1:
        raise Refused("population", N_("The eligible population must be a positive number."))
    if quorum is not None and not 0 <= quorum <= 100:
        raise Refused("quorum", N_("The quorum is a percentage between 0 and 100."))


def _check_not_empty_at_open(opens_at: datetime, now: datetime) -> None:
    """A ballot with no items must not open: once open, the ballot can no longer change,
    and every voter would be refused. Staff make an assembly with a start in the future,
    put its items on the ballot, then open it (at its start, or at once with "open now")."""
    if opens_at <= now:
        raise Refused(
            "empty_open",
            N_(
                "The start has passed, and the ballot has no items yet: voting cannot open "
                "with an empty ballot. Give a start in the future, put the items on the "
                "ballot, then open voting."
            ),
        )


def _require_draft(vote: AssemblyVote, now: datetime) -> None:
    if vote.frozen_at is not None or status(vote, now) != Status.DRAFT:
        raise Refused(
            "not_draft", N_("Voting has already opened; the ballot can no longer change.")
        )


async def _add_item(
    session: AsyncSession,
    vote: AssemblyVote,
    item: NewItem,
    source: str,
    proposal_id: int | None,
) -> AssemblyVoteItem:
    existing = list(
        (
            await session.execute(
                select(AssemblyVoteItem).where(AssemblyVoteItem.vote_id == vote.id)
            )
        ).scalars()
    )
    if len(existing) >= MAX_ITEMS:
        raise Refused("items", N_("A ballot can have at most {n} items."), n=MAX_ITEMS)
    if not item.title.get("ko", "").strip():
        raise Refused("title", N_("Every item needs a Korean title."))
    used = {i.item_id for i in existing}
    item_id = item.item_id or f"item-{len(existing) + 1}"
    while item_id in used:
        item_id = f"{item_id}-{secrets.randbelow(1000)}"
    if not SLUG_RE.match(item_id) or len(item_id) > ID_LENGTH:
        raise Refused("slug", N_("The id may use lowercase letters, digits, '-' and '_'."))
    row = AssemblyVoteItem(
        vote_id=vote.id,
        item_id=item_id,
        position=max([999, *(i.position for i in existing)]) + 1,
        title=item.title,
        description=item.description,
        budget_krw=item.budget_krw,
        category_id=None,
        proposed_by=None,
        source=source,
        proposal_id=proposal_id,
    )
    session.add(row)
    await session.flush()
    return row


async def add_item(
    session: AsyncSession,
    vote: AssemblyVote,
    item: NewItem,
    proposal: ProposalInfo | None = None,
    *,
    actor: str,
    now: datetime,
    actor_telegram_id: int | None = None,
) -> AssemblyVoteItem:
    """Add an item to the ballot (before opening): written by staff, or ``proposal``'s."""
    _require_draft(vote, now)
    if proposal is None:
        row = await _add_item(session, vote, item, "staff", None)
        details: dict[str, Any] = {"item": row.item_id}
    else:
        row = await _add_item(session, vote, item, "proposal", proposal.id)
        row.category_id = proposal.category_id
        details = {"item": row.item_id, "proposal": proposal.id}
    vote.updated_at = now
    await record_action(
        session,
        vote,
        "assembly.item.add",
        actor=actor,
        now=now,
        actor_telegram_id=actor_telegram_id,
        details=details,
    )
    return row


@dataclass(frozen=True)
class ProposalInfo:
    id: int
    title: str
    description: str
    category_id: str | None


async def accepted_proposals(session: AsyncSession, dong_id: str) -> list[ProposalInfo]:
    """Accepted agenda proposals of a dong (issue 4); [] where proposals do not exist."""
    try:
        from models.proposal import Proposal, ProposalStatus
    except ImportError:  # pragma: no cover - the proposals feature is not installed
        return []
    rows = await session.execute(
        select(Proposal)
        .where(Proposal.dong_id == dong_id, Proposal.status == ProposalStatus.ACCEPTED.value)
        .order_by(Proposal.id)
    )
    return [ProposalInfo(p.id, p.title, p.description, p.category_id) for p in rows.scalars()]


async def addable_proposals(session: AsyncSession, vote: AssemblyVote) -> list[ProposalInfo]:
    """Accepted proposals of the assembly's dong not on its ballot yet."""
    on_ballot = set(
        (
            await session.execute(
                select(AssemblyVoteItem.proposal_id).where(
                    AssemblyVoteItem.vote_id == vote.id, AssemblyVoteItem.proposal_id.is_not(None)
                )
            )
        ).scalars()
    )
    return [p for p in await accepted_proposals(session, vote.dong_id) if p.id not in on_ballot]


async def add_proposal(
    session: AsyncSession,
    vote: AssemblyVote,
    proposal_id: int,
    *,
    actor: str,
    now: datetime,
    actor_telegram_id: int | None = None,
) -> AssemblyVoteItem:
    """Put an accepted proposal of the assembly's dong on the ballot (before opening)."""
    _require_draft(vote, now)
    proposal = next(
        (p for p in await addable_proposals(session, vote) if p.id == proposal_id), None
    )
    if proposal is None:
        raise Refused(
            "proposal",
            N_("Proposal {id} is not an accepted proposal of this dong, or is on the ballot."),
            id=proposal_id,
        )
    return await add_item(
        session,
        vote,
        NewItem(
            title={"ko": proposal.title},
            description={"ko": proposal.description},
            item_id=f"proposal-{proposal.id}",
        ),
        actor=actor,
        now=now,
        actor_telegram_id=actor_telegram_id,
        proposal=proposal,
    )


async def configure(
    session: AsyncSession,
    vote: AssemblyVote,
    *,
    actor: str,
    now: datetime,
    actor_telegram_id: int | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """Change settings: ``mode``, ``revoting``, ``eligible_population``, ``quorum_percent``,
    ``opens_at``, ``closes_at``. Returns what changed. Mode, re-voting and the window can
    only change before voting opens (the close can still be moved while it is open);
    population and quorum until the close."""
    allowed = {"mode", "revoting", "eligible_population", "quorum_percent", "opens_at", "closes_at"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}")
    state = status(vote, now)
    if state == Status.CLOSED:
        raise Refused("closed", N_("This vote has closed; its settings can no longer change."))
    restart = False  # an empty ballot that opened, nobody voted: it goes back to preparation
    if state == Status.OPEN and set(changes) & {"mode", "revoting", "opens_at"}:
        restart = "opens_at" in changes and await opened_empty(session, vote)
        if not restart:
            raise Refused(
                "not_draft", N_("Voting has already opened; the ballot can no longer change.")
            )
    if "mode" in changes and changes["mode"] not in {m.value for m in VoteMode}:
        raise Refused("mode", N_("Unknown mode {mode}."), mode=changes["mode"])
    _check_settings(changes.get("eligible_population"), changes.get("quorum_percent"))
    opens_at = changes.get("opens_at", vote.opens_at)
    closes_at = changes.get("closes_at", vote.closes_at)
    _check_window(opens_at, closes_at)
    if "opens_at" in changes and (  # (a restart has no items: opened_empty said so)
        restart or (state == Status.DRAFT and not await items_of(session, vote))
    ):
        _check_not_empty_at_open(opens_at, now)
    if "closes_at" in changes and state == Status.OPEN and closes_at < now:
        raise Refused("window", N_("The vote must close after it opens."))
    done: dict[str, Any] = {}
    for name, value in changes.items():
        if getattr(vote, name) != value:
            setattr(vote, name, value)
            done[name] = value.isoformat() if isinstance(value, datetime) else value
            if name in KB_FIELDS and name not in vote.overrides:
                vote.overrides = [*vote.overrides, name]
    if restart:
        vote.frozen_at, vote.item_ids = None, None  # nothing was fixed: no item, no voter
        done["back_to_preparation"] = True
    if done:
        vote.updated_at = now
        await session.flush()
        await record_action(
            session,
            vote,
            "assembly.configure",
            actor=actor,
            now=now,
            actor_telegram_id=actor_telegram_id,
            details=done,
        )
        await _prepare(session, vote, now)
    return done


async def opened_empty(session: AsyncSession, vote: AssemblyVote) -> bool:
    """The vote opened with an empty ballot (its start passed before any item was put on
    it: a knowledge-base assembly, or one whose start came before its items) and nobody
    has voted, online or on site. Nothing about it is fixed yet, so :func:`configure` may
    give it a new start: it goes back to preparation, its items can be added, and it opens
    again at that start. Once anything is on the ballot or anyone has voted, no."""
    if (
        vote.tallied_at is not None
        or vote.ballots_cast
        or vote.item_ids
        or await items_of(session, vote)
    ):
        return False
    return (await turnout(session, vote)).voters == 0


async def open_now(
    session: AsyncSession,
    vote: AssemblyVote,
    *,
    actor: str,
    now: datetime,
    actor_telegram_id: int | None = None,
) -> None:
    """Open voting early (staff)."""
    _require_draft(vote, now)
    if not await items_of(session, vote):
        raise Refused("no_items", N_("The ballot has no items yet."))
    if vote.method == VoteMethod.CHOOSE_UP_TO and vote.max_choices is None:
        raise Refused("max_choices", N_("Choose-up-to votes need a maximum number of choices."))
    await configure(
        session,
        vote,
        actor=actor,
        now=now,
        actor_telegram_id=actor_telegram_id,
        opens_at=now.replace(microsecond=0),
    )


async def close_now(
    session: AsyncSession,
    vote: AssemblyVote,
    *,
    actor: str,
    now: datetime,
    actor_telegram_id: int | None = None,
) -> None:
    """Close voting early (staff); the window ends at ``now`` exactly.

    Not rounded: rounding down put the close before ``now`` (refused as a close in the past),
    rounding up would leave the vote open for up to a second after staff were told "closed".
    Only a vote opened within the last microsecond keeps its minimal one-microsecond window.
    """
    if status(vote, now) != Status.OPEN:
        raise Refused("not_open", N_("This vote is not open."))
    closes = max(now, vote.opens_at + timedelta(microseconds=1))
    await configure(
        session, vote, actor=actor, now=now, actor_telegram_id=actor_telegram_id, closes_at=closes
    )


# --- voting codes ----------------------------------------------------------------------


async def issue_codes(
    session: AsyncSession,
    keyring: Keyring,
    vote: AssemblyVote,
    count: int,
    *,
    actor: str,
    now: datetime,
    actor_telegram_id: int | None = None,
) -> list[str]:
    """Make ``count`` new single-use codes. The plain codes exist only in the return value."""
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise Refused("count", N_("Make between 1 and {n} codes at a time."), n=MAX_CODES_PER_BATCH)
    if vote.mode != VoteMode.CODES:
        raise Refused("mode_open", N_("This vote is in open mode: it needs no codes."))
    if status(vote, now) == Status.CLOSED:
        raise Refused("closed", N_("This vote has closed."))
    batch = (
        await session.execute(
            select(func.coalesce(func.max(VotingCode.batch), 0)).where(
                VotingCode.vote_id == vote.id
            )
        )
    ).scalar_one() + 1
    codes: dict[str, str] = {}
    while len(codes) < count:
        code = random_string(CODE_LENGTH)
        codes[keyring.code_hash(code)] = code
    rows = [
        {
            "code_hash": h,
            "vote_id": vote.id,
            "batch": batch,
            "status": CodeStatus.ISSUED.value,
            "created_at": now,
        }
        for h in codes
    ]
    for start in range(0, len(rows), 1000):
        await session.execute(insert(VotingCode), rows[start : start + 1000])
    await record_action(
        session,
        vote,
        "assembly.codes",
        actor=actor,
        now=now,
        actor_telegram_id=actor_telegram_id,
        details={"count": count, "batch": batch},
    )
    return list(codes.values())


@dataclass(frozen=True)
class Redemption:
    vote: AssemblyVote
    voter: Voter
    already: bool  # this account had redeemed this code before


def normalize_code(raw: str) -> str:
    code = normalize(raw, CODE_LENGTH)
    if code is None:
        raise Refused(
            "malformed_code",
            N_(
                "That is not a voting code. Codes have 12 letters and digits, "
                "like ABCD-EFGH-JKMN (there is no 0, 1, O, I or L)."
            ),
        )
    return code


async def voter_for(session: AsyncSession, vote: AssemblyVote, user: User) -> Voter | None:
    return (
        await session.execute(
            select(Voter)
            .where(Voter.vote_id == vote.id, Voter.user_id == user.id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def redeem_code(
    session: AsyncSession, keyring: Keyring, user: User, raw: str, now: datetime
) -> Redemption:
    """Bind this account to the code's assembly. A code works once."""
    code = normalize_code(raw)
    code_hash = keyring.code_hash(code)
    row = await session.get(VotingCode, code_hash, populate_existing=True)
    if row is None:
        raise Refused(
            "unknown_code",
            N_("I don't know this voting code. Please check it, or ask the dong office."),
        )
    vote = await get_vote(session, row.vote_id, now)
    if vote is None:
        raise Refused(
            "unknown_code",
            N_("I don't know this voting code. Please check it, or ask the dong office."),
        )
    if status(vote, now) == Status.CLOSED:
        raise Refused(
            "expired_code", N_("This code was for “{title}”, which has closed."), title=vote.title
        )
    if row.status == CodeStatus.ONSITE:
        raise Refused("code_onsite", N_("This code was used to vote at the on-site assembly."))
    voter = await voter_for(session, vote, user)
    if voter is not None:
        if voter.code_hash == code_hash:
            return Redemption(vote, voter, already=True)
        raise Refused(
            "already_registered",
            N_(
                "You are already registered for “{title}”. One person, one vote: "
                "please give this code back to the dong office."
            ),
            title=vote.title,
        )
    if row.status != CodeStatus.ISSUED:
        raise Refused("used_code", N_("This voting code has already been used."))
    inserted = await _insert_voter(session, vote, user, code_hash, now)
    # none inserted: a concurrent redemption of this code or by this account
    if statements.rowcount(inserted) != 1:
        raise Refused("used_code", N_("This voting code has already been used."))
    flipped = await session.execute(
        update(VotingCode)
        .where(VotingCode.code_hash == code_hash, VotingCode.status == CodeStatus.ISSUED.value)
        .values(status=CodeStatus.REDEEMED.value)
    )
    if statements.rowcount(flipped) != 1:  # marked on site meanwhile: undo our own insert
        await session.execute(
            delete(Voter).where(
                Voter.vote_id == vote.id, Voter.user_id == user.id, Voter.code_hash == code_hash
            )
        )
        raise Refused("used_code", N_("This voting code has already been used."))
    voter = await voter_for(session, vote, user)
    assert voter is not None
    return Redemption(vote, voter, already=False)


async def _insert_voter(
    session: AsyncSession, vote: AssemblyVote, user: User, code_hash: str | None, now: datetime
) -> Any:
    """Register ``user`` for ``vote`` unless already registered (then nothing is written)."""
    return await session.execute(
        statements.insert_for(session)(Voter)
        .values(
            vote_id=vote.id,
            user_id=user.id,
            code_hash=code_hash,
            voted=False,
            onsite=False,
            reminded=False,
            joined_at=now,
        )
        .on_conflict_do_nothing()
    )


async def join_open(session: AsyncSession, vote: AssemblyVote, user: User, now: datetime) -> Voter:
    """In ``open`` mode, register this account (once)."""
    if vote.mode != VoteMode.OPEN:
        raise Refused(
            "not_registered", N_("You need a voting code from the dong office for this vote.")
        )
    await _insert_voter(session, vote, user, None, now)
    voter = await voter_for(session, vote, user)
    assert voter is not None
    return voter


# --- choices and casting ---------------------------------------------------------------


def empty_choices(vote: AssemblyVote) -> str:
    blank = UNANSWERED if vote.method == VoteMethod.APPROVE_REJECT else NOT_CHOSEN
    return blank * ballot_size(vote)


def check_draft(vote: AssemblyVote, draft: str) -> None:
    """A draft (possibly incomplete) fits this assembly's ballot."""
    if len(draft) != ballot_size(vote):
        raise Refused("stale", N_("This ballot does not match the vote any more."))
    if vote.method == VoteMethod.APPROVE_REJECT:
        if not set(draft) <= set(APPROVE + UNANSWERED):
            raise Refused("stale", N_("This ballot does not match the vote any more."))
    else:
        if not set(draft) <= {CHOSEN, NOT_CHOSEN}:
            raise Refused("stale", N_("This ballot does not match the vote any more."))
        if draft.count(CHOSEN) > (vote.max_choices or 0):
            raise Refused(
                "too_many", N_("You can choose at most {n} items."), n=vote.max_choices or 0
            )


def check_complete(vote: AssemblyVote, choices: str) -> None:
    check_draft(vote, choices)
    if not choices:
        raise Refused("no_items", N_("The ballot has no items yet."))
    if vote.method == VoteMethod.APPROVE_REJECT and UNANSWERED in choices:
        raise Refused("incomplete", N_("Please answer every item before casting your vote."))
    if vote.method == VoteMethod.CHOOSE_UP_TO and CHOSEN not in choices:
        raise Refused("incomplete", N_("Please choose at least one item."))


def _require_open(vote: AssemblyVote, now: datetime) -> None:
    state = status(vote, now)
    if state == Status.DRAFT:
        raise Refused("not_open_yet", N_("Voting opens at {opens}."), opens=vote.opens_at)
    if state == Status.CLOSED:
        raise Refused("closed", N_("Voting closed at {closes}."), closes=vote.closes_at)


def _voter_refusal(vote: AssemblyVote, voter: Voter | None) -> Refused:
    if voter is None:
        if vote.mode == VoteMode.CODES:
            return Refused(
                "not_registered", N_("You need a voting code from the dong office for this vote.")
            )
        return Refused("stale", N_("This ballot does not match the vote any more."))
    if voter.onsite:
        return Refused(
            "onsite",
            N_("Your code was used at the on-site assembly, so you cannot also vote online."),
        )
    if voter.voted and not vote.revoting:
        return Refused(
            "already_voted", N_("You have already voted. This vote does not allow changing a vote.")
        )
    if voter.voted and voter.review_nonce is None:
        return Refused("already_cast", N_("Your vote has already been counted."))
    return Refused("stale", N_("This button is no longer valid. Please open the ballot again."))


async def may_vote(session: AsyncSession, vote: AssemblyVote, user: User, now: datetime) -> Voter:
    """The voter's row if they may fill in a ballot now; :class:`Refused` otherwise."""
    _require_open(vote, now)
    if not ballot_size(vote):
        raise Refused("no_items", N_("The ballot has no items yet."))
    voter = await voter_for(session, vote, user)
    if voter is None and vote.mode == VoteMode.OPEN:
        voter = await join_open(session, vote, user, now)
    if voter is None or voter.onsite or (voter.voted and not vote.revoting):
        raise _voter_refusal(vote, voter)
    return voter


async def prepare_review(
    session: AsyncSession, vote: AssemblyVote, user: User, choices: str, now: datetime
) -> str:
    """Check a complete ballot and issue the nonce its Cast button carries."""
    _require_open(vote, now)
    check_complete(vote, choices)
    voter = await may_vote(session, vote, user, now)
    nonce = secrets.token_hex(4)
    voter.review_nonce = nonce
    await session.flush()
    return nonce


@dataclass(frozen=True)
class Receipt:
    tracker: str
    replaced: bool  # an earlier ballot of this voter no longer counts


def _new_ballot_id() -> int:
    return secrets.randbits(63) or 1


async def cast(
    session: AsyncSession,
    keyring: Keyring,
    vote: AssemblyVote,
    user: User,
    choices: str,
    nonce: str,
    now: datetime,
) -> Receipt:
    """Cast a ballot. Exactly one of any number of simultaneous casts with one review nonce
    counts; on re-voting the voter's previous ballot is superseded."""
    _require_open(vote, now)
    check_complete(vote, choices)
    # 1. lock the assembly (serialises casts and the close) while it is open
    locked = await session.execute(
        update(AssemblyVote)
        .where(
            AssemblyVote.id == vote.id,
            AssemblyVote.tallied_at.is_(None),
            AssemblyVote.opens_at <= now,
            AssemblyVote.closes_at > now,
        )
        .values(ballots_cast=AssemblyVote.ballots_cast + 1)
        .execution_options(synchronize_session=False)
    )
    if statements.rowcount(locked) != 1:
        raise Refused("closed", N_("Voting closed at {closes}."), closes=vote.closes_at)
    # 2. consume the review nonce: one winner among double taps and parallel casts
    conditions = [
        Voter.vote_id == vote.id,
        Voter.user_id == user.id,
        Voter.review_nonce == nonce,
        Voter.onsite.is_(False),
    ]
    if not vote.revoting:
        conditions.append(Voter.voted.is_(False))
    consumed = await session.execute(
        update(Voter)
        .where(*conditions)
        .values(voted=True, review_nonce=None)
        .execution_options(synchronize_session=False)
    )
    if statements.rowcount(consumed) != 1:
        await session.execute(
            update(AssemblyVote)
            .where(AssemblyVote.id == vote.id)
            .values(ballots_cast=AssemblyVote.ballots_cast - 1)
            .execution_options(synchronize_session=False)
        )
        raise _voter_refusal(vote, await voter_for(session, vote, user))
    state, total = (
        await session.execute(
            select(AssemblyVote.accumulator, AssemblyVote.ballots_cast).where(
                AssemblyVote.id == vote.id
            )
        )
    ).one()
    acc = int(state, 16)
    tag = keyring.voter_tag(vote.assembly_id, user.id)
    # 3. supersede the previous ballot (re-vote)
    previous = (
        await session.execute(
            select(Ballot).where(Ballot.vote_id == vote.id, Ballot.current_tag == tag)
        )
    ).scalar_one_or_none()
    if previous is not None:
        acc -= keyring.element(
            vote.assembly_id, previous.id, previous.lookup, previous.sealed, False
        )
        acc += keyring.element(
            vote.assembly_id, previous.id, previous.lookup, previous.sealed, True
        )
        await session.execute(
            update(Ballot)
            .where(Ballot.id == previous.id)
            .values(superseded=True, current_tag=None)
            .execution_options(synchronize_session=False)
        )
    # 4. the new ballot: random id, sealed content, no time
    tracker = random_string(TRACKER_LENGTH)
    lookup = keyring.tracker_lookup(tracker)
    ballot_id = _new_ballot_id()
    sealed = keyring.seal(vote.assembly_id, ballot_id, lookup, tracker, choices)
    await session.execute(
        insert(Ballot).values(
            id=ballot_id,
            vote_id=vote.id,
            lookup=lookup,
            current_tag=tag,
            sealed=sealed,
            superseded=False,
        )
    )
    acc = (acc + keyring.element(vote.assembly_id, ballot_id, lookup, sealed, False)) % MODULUS
    # 5. the accumulator and its tag
    acc_hex = f"{acc:064x}"
    await session.execute(
        update(AssemblyVote)
        .where(AssemblyVote.id == vote.id)
        .values(
            accumulator=acc_hex,
            accumulator_tag=keyring.accumulator_tag(vote.assembly_id, acc_hex, total),
        )
        .execution_options(synchronize_session=False)
    )
    return Receipt(tracker=tracker, replaced=previous is not None)


# --- trackers, turnout -----------------------------------------------------------------


class TrackerStatus(enum.StrEnum):
    COUNTED = "counted"
    SUPERSEDED = "superseded"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verification:
    status: TrackerStatus
    vote: AssemblyVote | None


def normalize_tracker(raw: str) -> str | None:
    return normalize(raw, TRACKER_LENGTH)


async def verify_tracker(session: AsyncSession, keyring: Keyring, raw: str) -> Verification:
    tracker = normalize_tracker(raw)
    if tracker is None:
        return Verification(TrackerStatus.UNKNOWN, None)
    ballot = (
        await session.execute(
            select(Ballot).where(Ballot.lookup == keyring.tracker_lookup(tracker))
        )
    ).scalar_one_or_none()
    if ballot is None:
        return Verification(TrackerStatus.UNKNOWN, None)
    vote = await session.get(AssemblyVote, ballot.vote_id)
    state = TrackerStatus.SUPERSEDED if ballot.superseded else TrackerStatus.COUNTED
    return Verification(state, vote)


@dataclass(frozen=True)
class Turnout(TurnoutFigures):
    online_voters: int  # voted online (their last ballot counts)
    registered: int  # accounts bound to the assembly (codes redeemed, or open-mode joins)
    onsite_voters: int  # codes marked as used at the on-site assembly
    codes_issued: int
    eligible_population: int | None


async def turnout(session: AsyncSession, vote: AssemblyVote) -> Turnout:
    voters = (
        await session.execute(
            select(func.count(), func.count().filter(Voter.voted.is_(True))).where(
                Voter.vote_id == vote.id
            )
        )
    ).one()
    codes = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(VotingCode.status == CodeStatus.ONSITE.value),
            ).where(VotingCode.vote_id == vote.id)
        )
    ).one()
    return Turnout(
        online_voters=voters[1],
        registered=voters[0],
        onsite_voters=codes[1],
        codes_issued=codes[0],
        eligible_population=vote.eligible_population,
    )


# --- the close: tally ------------------------------------------------------------------


def _count(vote: AssemblyVote, choices_list: Iterable[str]) -> dict[str, Any]:
    items = list(vote.item_ids or [])
    if vote.method == VoteMethod.APPROVE_REJECT:
        counts = [[0, 0, 0] for _ in items]
        index = {"y": 0, "n": 1, "a": 2}
        n = 0
        for choices in choices_list:
            n += 1
            for i, c in enumerate(choices):
                counts[i][index[c]] += 1
        return {
            "ballots": n,
            "items": {
                item: {"yes": c[0], "no": c[1], "abstain": c[2]}
                for item, c in zip(items, counts, strict=True)
            },
        }
    votes = [0] * len(items)
    n = 0
    for choices in choices_list:
        n += 1
        for i, c in enumerate(choices):
            if c == CHOSEN:
                votes[i] += 1
    return {
        "ballots": n,
        "items": {item: {"votes": v} for item, v in zip(items, votes, strict=True)},
    }


async def _open_current(
    session: AsyncSession, keyring: Keyring, vote: AssemblyVote, problems: list[str] | None
) -> list[str]:
    """The choices of every counted ballot (problems noted, or raised)."""
    out: list[str] = []
    result = await session.stream(
        select(Ballot.id, Ballot.lookup, Ballot.sealed).where(
            Ballot.vote_id == vote.id, Ballot.superseded.is_(False)
        )
    )
    async for part in result.partitions(5000):
        for ballot_id, lookup, sealed in part:
            try:
                _tracker, choices = keyring.open(vote.assembly_id, ballot_id, lookup, sealed)
                check_complete(vote, choices)
            except (SealError, Refused, UnicodeDecodeError):
                if problems is None:
                    raise
                problems.append(f"ballot {ballot_id}: its sealed content fails authentication")
                continue
            out.append(choices)
    return out


async def finalize(
    session: AsyncSession, keyring: Keyring, vote: AssemblyVote, now: datetime
) -> dict[str, Any]:
    """After the close: count the online ballots once, store the tally, forget the
    voter-to-ballot tags and any pending review."""
    if vote.tallied_at is not None and vote.online_tally is not None:
        return vote.online_tally
    if status(vote, now) != Status.CLOSED:
        raise Refused(
            "not_closed",
            N_("Results are shown after the vote closes at {closes}."),
            closes=vote.closes_at,
        )
    claimed = await session.execute(
        update(AssemblyVote)
        .where(AssemblyVote.id == vote.id, AssemblyVote.tallied_at.is_(None))
        .values(tallied_at=now)
        .execution_options(synchronize_session=False)
    )
    if statements.rowcount(claimed) != 1:  # tallied by someone else meanwhile
        await session.refresh(vote)
        assert vote.online_tally is not None
        return vote.online_tally
    problems: list[str] = []
    tally = _count(vote, await _open_current(session, keyring, vote, problems))
    tally["invalid"] = len(problems)
    await _rewrite_ballot_box(session, vote)
    await session.execute(
        update(Voter)
        .where(Voter.vote_id == vote.id, Voter.review_nonce.is_not(None))
        .values(review_nonce=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(AssemblyVote)
        .where(AssemblyVote.id == vote.id)
        .values(online_tally=tally)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(vote)
    return tally


async def _rewrite_ballot_box(session: AsyncSession, vote: AssemblyVote) -> None:
    """Write the closed vote's ballots anew, in the order of their random ids, without the
    voter tags: no later copy keeps the cast order.

    While voting is open, a ballot row sits where its cast put it: PostgreSQL appends every
    new tuple to the heap (``ctid`` order, which ``pg_dump`` writes, is cast order) and
    stamps it with the cast's transaction id (``xmin``); SQLite's rowid is the random id, but
    inside each page a new cell is stored below the previous ones, so the bytes of a page are
    in cast order too. Deleting the rows and inserting them again in id order — ids are
    random, drawn at the cast, so this order is independent of the cast order — gives every
    row a new position and the one transaction id of the tally. Deleted bytes: SQLite
    overwrites them (``secure_delete``, :mod:`bot.core.db`); PostgreSQL keeps the dead tuples
    until (auto)vacuum reclaims them: they are invisible to a dump, but a copy of the data
    directory taken before that would still hold them (sealed, as ever).
    """
    rows = (
        await session.execute(
            select(Ballot.id, Ballot.lookup, Ballot.sealed, Ballot.superseded)
            .where(Ballot.vote_id == vote.id)
            .order_by(Ballot.id)
        )
    ).all()
    await session.execute(
        delete(Ballot).where(Ballot.vote_id == vote.id).execution_options(synchronize_session=False)
    )
    fresh = [
        {
            "id": ballot_id,
            "vote_id": vote.id,
            "lookup": lookup,
            "current_tag": None,
            "sealed": sealed,
            "superseded": superseded,
        }
        for ballot_id, lookup, sealed, superseded in rows
    ]
    for start in range(0, len(fresh), 1000):  # in order: one multi-row INSERT per batch
        await session.execute(insert(Ballot).values(fresh[start : start + 1000]))


async def finalize_closed(session: AsyncSession, keyring: Keyring, now: datetime) -> list[str]:
    """Tally every vote whose window has ended (and forget its voter tags): run
    periodically, so that the link needed for re-voting does not outlive the vote even if
    nobody asks for the results. Returns the assemblies tallied."""
    due = (
        await session.execute(
            select(AssemblyVote).where(
                AssemblyVote.tallied_at.is_(None),
                AssemblyVote.closes_at <= now,
                AssemblyVote.frozen_at.is_not(None),
            )
        )
    ).scalars()
    done = []
    for vote in list(due):
        await finalize(session, keyring, vote, now)
        done.append(vote.assembly_id)
    return done


# --- on-site voting --------------------------------------------------------------------


@dataclass
class MarkReport:
    marked: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (code as typed, msgid)


async def mark_onsite(
    session: AsyncSession,
    keyring: Keyring,
    vote: AssemblyVote,
    raw_codes: Iterable[str],
    *,
    actor: str,
    now: datetime,
    actor_telegram_id: int | None = None,
) -> MarkReport:
    """Record that these codes' holders voted on paper at the site: their codes can no
    longer be redeemed, and an account bound to one can no longer vote online. A holder
    who already voted online is refused (they must not get a paper ballot)."""
    report = MarkReport()
    for raw in raw_codes:
        if not raw.strip():
            continue
        code = normalize(raw, CODE_LENGTH)
        if code is None:
            report.problems.append((raw, N_("not a voting code")))
            continue
        code_hash = keyring.code_hash(code)
        row = await session.get(VotingCode, code_hash, populate_existing=True)
        if row is None or row.vote_id != vote.id:
            report.problems.append((raw, N_("not a code of this assembly")))
            continue
        if row.status == CodeStatus.ONSITE:
            report.problems.append((raw, N_("already marked as voted on site")))
            continue
        blocked = await session.execute(
            update(Voter)
            .where(Voter.code_hash == code_hash, Voter.voted.is_(False))
            .values(onsite=True, review_nonce=None)
            .execution_options(synchronize_session=False)
        )
        if statements.rowcount(blocked) == 0:
            holder = (
                await session.execute(select(Voter.voted).where(Voter.code_hash == code_hash))
            ).scalar_one_or_none()
            if holder:
                report.problems.append((raw, N_("its holder has already voted online")))
                continue
        await session.execute(
            update(VotingCode)
            .where(VotingCode.code_hash == code_hash)
            .values(status=CodeStatus.ONSITE.value)
            .execution_options(synchronize_session=False)
        )
        report.marked += 1
    if report.marked:
        await record_action(
            session,
            vote,
            "assembly.onsite.mark",
            actor=actor,
            now=now,
            actor_telegram_id=actor_telegram_id,
            details={"marked": report.marked},
        )
    return report


def parse_onsite_csv(
    vote: AssemblyVote, items: Sequence[AssemblyVoteItem], text: str
) -> tuple[dict[str, dict[str, int]], list[str]]:
    """Paper totals per item: ``item,yes,no,abstain`` (approve/reject) or ``item,votes``
    (choose-up-to). An item is named by its id or its number on the ballot. Returns the
    totals and a list of problems (English, for the command line)."""
    approve = vote.method == VoteMethod.APPROVE_REJECT
    columns = ("yes", "no", "abstain") if approve else ("votes",)
    problems: list[str] = []
    totals: dict[str, dict[str, int]] = {}
    by_number = {str(n): i.item_id for n, i in enumerate(items, 1)}
    known = {i.item_id for i in items}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = [r for r in reader if any(cell.strip() for cell in r)]
    if not rows:
        return {}, ["the file is empty"]
    header = [c.strip().lower() for c in rows[0]]
    expected = ["item", *columns]
    if header != expected:
        problems.append(f"line 1: expected the header {','.join(expected)}")
        return {}, problems
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(expected):
            problems.append(f"line {line}: expected {len(expected)} columns")
            continue
        name = row[0].strip()
        item = name if name in known else by_number.get(name)
        if item is None:
            problems.append(f"line {line}: unknown item {name!r}")
            continue
        if item in totals:
            problems.append(f"line {line}: item {item} appears twice")
            continue
        values: dict[str, int] = {}
        for column, cell in zip(columns, row[1:], strict=True):
            cell = cell.strip().replace(",", "")
            if not cell.isdigit():
                problems.append(f"line {line}: {column} must be a whole number, not {cell!r}")
                break
            values[column] = int(cell)
        else:
            totals[item] = values
    missing = [i.item_id for i in items if i.item_id not in totals]
    if missing and not problems:
        problems.append("missing items: " + ", ".join(missing))
    return totals, problems


async def record_onsite_totals(
    session: AsyncSession,
    vote: AssemblyVote,
    totals: dict[str, dict[str, int]],
    *,
    actor: str,
    now: datetime,
    actor_telegram_id: int | None = None,
) -> None:
    """Store the paper totals (replacing earlier ones), after checking them against the
    number of codes marked as used on site."""
    if vote.frozen_at is None:
        raise Refused("not_open_yet", N_("Voting opens at {opens}."), opens=vote.opens_at)
    onsite = (await turnout(session, vote)).onsite_voters
    ballot = {row.item_id: (n, row) for n, row in enumerate(await items_of(session, vote), 1)}
    for item, values in totals.items():
        used = sum(values.values())
        if used > onsite:
            number, row = ballot.get(item, (0, None))
            raise Refused(  # the item as the ballot shows it (its id means nothing to staff)
                "onsite_totals",
                N_(  # counts in brackets: a refusal has no plural form ("1 votes")
                    "Item {number}, “{title}”, has more paper votes ({n}) than on-site voters "
                    "were marked ({voters}). Mark every on-site voter's code first."
                ),
                number=number,
                title=row.title if row is not None else {"ko": item},
                n=used,
                voters=onsite,
            )
    choices = sum(v.get("votes", 0) for v in totals.values())
    if choices > onsite * (vote.max_choices or 1):
        raise Refused(
            "onsite_totals",
            N_(  # counts in brackets: a refusal has no plural form ("1 voters")
                "The paper ballots have more choices in all ({n}) than the on-site voters "
                "({voters}) can make."
            ),
            n=choices,
            voters=onsite,
        )
    vote.onsite_totals = totals
    vote.onsite_totals_voters = onsite
    vote.updated_at = now
    await session.flush()
    await record_action(
        session,
        vote,
        "assembly.onsite.totals",
        actor=actor,
        now=now,
        actor_telegram_id=actor_telegram_id,
        details={"items": len(totals), "onsite_voters": onsite},
    )


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemResult:
    item: AssemblyVoteItem
    online: dict[str, int]
    onsite: dict[str, int]
    total: dict[str, int]
    cast: int  # ballots that answered this item (approve/reject) or all voters (choose)
    percent: dict[str, float]
    approved: bool | None  # approve/reject: majority; choose: among the top N
    rank: int | None = None
    tie: bool = False


@dataclass(frozen=True)
class Results:
    vote: AssemblyVote
    turnout: Turnout
    items: list[ItemResult]
    quorum_met: bool | None  # None: no quorum, or no eligible population to judge it
    invalid: int
    onsite_pending: int = 0  # on-site voters whose paper votes are not in the counts

    @property
    def binding(self) -> bool:
        return self.quorum_met is not False

    @property
    def provisional(self) -> bool:
        """The counts leave out the paper ballots of marked on-site voters: no item is
        decided (``approved`` is None) until their totals are entered."""
        return self.onsite_pending > 0


def onsite_pending(vote: AssemblyVote, turn: Turnout) -> int:
    """On-site voters marked whose paper ballots are not counted yet: all of them while no
    paper totals were entered, and those marked after the totals were (the totals are per
    item, not per voter: entering them again, with the late ballots, counts them)."""
    if vote.onsite_totals is None:
        return turn.onsite_voters
    if vote.onsite_totals_voters is None:  # entered before migration 0014 recorded it
        return 0
    return max(0, turn.onsite_voters - vote.onsite_totals_voters)


def _pct(n: int, of: int) -> float:
    return round(100.0 * n / of, 1) if of else 0.0


async def results(
    session: AsyncSession, keyring: Keyring, vote: AssemblyVote, now: datetime
) -> Results:
    """Per-item counts and percentages, online and on site merged, and the rule:
    approve/reject items pass with more yes than half the votes cast on them (abstentions
    count as cast: 과반수 찬성); choose-up-to items are ranked and the top ``max_choices``
    are selected (ties at the edge are all marked). Below the quorum (when set) the
    results are advisory. While on-site voters are marked but their paper totals are not
    entered, the results are provisional: counts and ranks only, nothing approved or
    selected (an online-only count would otherwise read as the final result). Only after
    the close."""
    tally = await finalize(session, keyring, vote, now)
    turn = await turnout(session, vote)
    pending = onsite_pending(vote, turn)
    onsite = vote.onsite_totals or {}
    approve = vote.method == VoteMethod.APPROVE_REJECT
    keys = ("yes", "no", "abstain") if approve else ("votes",)
    quorum_met: bool | None = None
    if vote.quorum_percent is not None and vote.eligible_population:
        quorum_met = turn.voters * 100 >= vote.quorum_percent * vote.eligible_population
    rows: list[ItemResult] = []
    for item in await items_of(session, vote):
        online = {k: int(tally["items"].get(item.item_id, {}).get(k, 0)) for k in keys}
        paper = {k: int(onsite.get(item.item_id, {}).get(k, 0)) for k in keys}
        total = {k: online[k] + paper[k] for k in keys}
        if approve:
            cast_n = sum(total.values())
            percent = {k: _pct(v, cast_n) for k, v in total.items()}
            approved = None if pending else quorum_met is not False and total["yes"] * 2 > cast_n
        else:
            cast_n = turn.voters
            percent = {"votes": _pct(total["votes"], cast_n)}
            approved = None
        rows.append(ItemResult(item, online, paper, total, cast_n, percent, approved))
    if not approve:
        limit = vote.max_choices or 0
        votes = sorted((r.total["votes"] for r in rows), reverse=True)
        edge = votes[limit - 1] if 0 < limit <= len(votes) else None
        boundary_tie = edge is not None and sum(1 for v in votes if v >= edge) > limit
        ranked: list[ItemResult] = []
        for row in rows:
            n = row.total["votes"]
            rank = 1 + sum(1 for v in votes if v > n)
            selected = None if pending else n > 0 and rank <= limit and quorum_met is not False
            tie = not pending and boundary_tie and n == edge
            ranked.append(
                ItemResult(
                    row.item,
                    row.online,
                    row.onsite,
                    row.total,
                    row.cast,
                    row.percent,
                    selected,
                    rank,
                    tie,
                )
            )
        rows = ranked
    return Results(vote, turn, rows, quorum_met, int(tally.get("invalid", 0)), pending)


# --- audit -----------------------------------------------------------------------------


@dataclass
class AuditReport:
    vote: AssemblyVote
    ballots: int = 0
    counted: int = 0
    superseded: int = 0
    problems: list[str] = field(default_factory=list)
    tally: dict[str, Any] | None = None
    opened: list[str] = field(default_factory=list)  # counted ballots' choices, sorted

    @property
    def ok(self) -> bool:
        return not self.problems


async def audit(session: AsyncSession, keyring: Keyring, vote: AssemblyVote) -> AuditReport:
    """Recompute everything from the stored rows and report any inconsistency.

    The audit first takes the assembly's lock (as a cast does), so that it reads one
    consistent state: casts wait for it, and it waits for casts in progress.
    """
    await session.execute(
        update(AssemblyVote)
        .where(AssemblyVote.id == vote.id)
        .values(ballots_cast=AssemblyVote.ballots_cast)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(vote)
    report = AuditReport(vote)
    acc = 0
    result = await session.stream(
        select(Ballot.id, Ballot.lookup, Ballot.sealed, Ballot.superseded).where(
            Ballot.vote_id == vote.id
        )
    )
    counted: list[str] = []
    async for part in result.partitions(5000):
        for ballot_id, lookup, sealed, superseded in part:
            report.ballots += 1
            acc += keyring.element(vote.assembly_id, ballot_id, lookup, sealed, superseded)
            try:
                tracker, choices = keyring.open(vote.assembly_id, ballot_id, lookup, sealed)
            except (SealError, UnicodeDecodeError):
                report.problems.append(
                    f"ballot {ballot_id}: its sealed content fails authentication "
                    "(modified, forged or moved)"
                )
                continue
            if keyring.tracker_lookup(tracker) != lookup:
                report.problems.append(f"ballot {ballot_id}: its tracker does not match")
            try:
                check_complete(vote, choices)
            except Refused:
                report.problems.append(f"ballot {ballot_id}: its choices are not valid")
                continue
            if superseded:
                report.superseded += 1
            else:
                report.counted += 1
                counted.append(choices)
    acc_hex = f"{acc % MODULUS:064x}"
    if acc_hex != vote.accumulator:
        report.problems.append(
            "the ballots differ from those recorded when they were cast "
            "(a ballot was added, removed, changed or re-flagged)"
        )
    expected_tag = keyring.accumulator_tag(vote.assembly_id, vote.accumulator, report.ballots)
    if report.ballots and vote.accumulator_tag != expected_tag:
        report.problems.append("the integrity record does not match the ballots")
    if not report.ballots and vote.accumulator != ZERO:
        report.problems.append("the integrity record does not match the ballots")
    if report.ballots != vote.ballots_cast:
        report.problems.append(
            f"{report.ballots} ballots are stored but {vote.ballots_cast} were cast"
        )
    voted = (
        await session.execute(
            select(func.count()).where(Voter.vote_id == vote.id, Voter.voted.is_(True))
        )
    ).scalar_one()
    if voted != report.counted:
        report.problems.append(
            f"the poll book shows {voted} online voters but {report.counted} ballots count"
        )
    dupes = (
        await session.execute(
            select(func.count()).select_from(
                select(Ballot.current_tag)
                .where(Ballot.vote_id == vote.id, Ballot.current_tag.is_not(None))
                .group_by(Ballot.current_tag)
                .having(func.count() > 1)
                .subquery()
            )
        )
    ).scalar_one()
    if dupes:
        report.problems.append(f"{dupes} voters have more than one counted ballot")
    if vote.item_ids is not None:
        report.tally = _count(vote, counted)
        report.tally["invalid"] = 0
        if vote.online_tally is not None:
            stored = {k: v for k, v in vote.online_tally.items() if k != "invalid"}
            fresh = {k: v for k, v in report.tally.items() if k != "invalid"}
            if stored != fresh:
                report.problems.append("the stored tally differs from the ballots")
    report.opened = sorted(counted)
    return report


async def record_action(
    session: AsyncSession,
    vote: AssemblyVote,
    action: str,
    *,
    actor: str,
    now: datetime,
    actor_telegram_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """One entry in the audit log about this assembly: every staff change to it, and staff
    taking the results (``assembly.results``) or running the audit (``assembly.audit``) from
    the bot: reading writes nothing else, but who looked at or carried away which figures,
    and what an audit found, belongs in the log too."""
    await audit_log.record(
        session,
        at=now,
        actor=actor,
        actor_telegram_id=actor_telegram_id,
        action=action,
        target_type="assembly",
        target_id=vote.assembly_id,
        details=details or {},
    )


# --- reminders -------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReminder:
    voter_id: int
    telegram_id: int
    language: str | None
    telegram_language: str | None
    vote_id: int
    title: dict[str, str]
    closes_at: datetime


async def due_nonvoter_reminders(session: AsyncSession, now: datetime) -> list[DueReminder]:
    """People who redeemed a code (an hour ago at least) but have not voted, in votes
    closing within 24 hours, not reminded yet."""
    rows = await session.execute(
        select(
            Voter.id,
            User.telegram_id,
            User.language,
            User.telegram_language,
            AssemblyVote.id,
            AssemblyVote.title,
            AssemblyVote.closes_at,
        )
        .join(User, User.id == Voter.user_id)
        .join(AssemblyVote, AssemblyVote.id == Voter.vote_id)
        .where(
            Voter.code_hash.is_not(None),
            Voter.voted.is_(False),
            Voter.onsite.is_(False),
            Voter.reminded.is_(False),
            Voter.joined_at <= now - REMINDER_AFTER_JOINING,
            User.active.is_(True),
            AssemblyVote.tallied_at.is_(None),
            AssemblyVote.opens_at <= now,
            AssemblyVote.closes_at > now,
            AssemblyVote.closes_at <= now + REMINDER_BEFORE_CLOSE,
        )
        .order_by(Voter.id)
    )
    return [DueReminder(*row) for row in rows.all()]


async def claim_reminder(session: AsyncSession, voter_id: int) -> bool:
    """Mark one reminder as sent; False if another process already did."""
    done = await session.execute(
        update(Voter)
        .where(and_(Voter.id == voter_id, Voter.reminded.is_(False)))
        .values(reminded=True)
        .execution_options(synchronize_session=False)
    )
    return statements.rowcount(done) == 1
