"""An SQL-backed :class:`telegram.ext.BasePersistence` (no pickle files).

Conversation states, ``user_data`` and ``chat_data`` are stored as JSON in the bot's own
database. Inside an update the application hands the pending writes to
:meth:`SQLPersistence.write_pending` so they commit in the same transaction as the
update's domain changes; outside an update (jobs, shutdown) they are written at once.
Killing the bot therefore never loses a conversation step that the user saw answered.

**The database is the truth, read for every update.** Several instances may serve one bot
behind one webhook, and any of them may get any update of any user. PTB keeps
conversations, ``user_data`` and ``chat_data`` in memory, loaded once at start-up; an
instance would then carry on from what *it* last saw of a user, not from what another
instance saved since. So :meth:`SQLPersistence.load_for_update`, the first thing in an
update's transaction, reads that update's own state — the user's ``user_data``, the chat's
``chat_data`` and the user's state in every persistent conversation — in one query and
puts it in PTB's memory before any handler looks (nothing is loaded at start-up when
``preload`` is off). In memory it is only a copy for the update in hand.

Two updates of one chat on two instances must not interleave: both would read the same
state, and the second commit would undo the first (a wizard step lost, a confirmation
pressed twice taking effect twice). On PostgreSQL the update's transaction therefore
first takes transaction-scoped advisory locks on its chat and its user
(``pg_advisory_xact_lock``, released by the commit or rollback; the same key on every
instance, taken in ascending order so two locks never deadlock), and only then reads. On
SQLite the update's transaction already begins holding the database's write lock
(``BEGIN IMMEDIATE``, see :func:`bot.core.db.begin_for_writing`), which serialises updates
more coarsely to the same effect.

**Each update writes only its own state.** On PostgreSQL one process runs the transactions
of updates of different chats at the same time (:class:`bot.app.MaeulApplication`). PTB's
own ``update_persistence`` writes *every* user, chat and conversation marked as changed —
in one update's transaction it would also write another update's half-done state, which
that update might still roll back. So inside an update :meth:`SQLPersistence.stage_update`
queues only what this update loaded (its user, its chat, its conversation keys), and what
it queued, wrote and loaded is kept per update (:class:`_UpdateWork`, a context variable
set by :meth:`SQLPersistence.begin_update`), not per process.

PTB marks the user and chat of *every* update as changed; most updates (browsing, a
question) change nothing. A row is therefore written only when its JSON differs from what
the database holds (as loaded, or as last committed), so such updates write nothing; an
empty ``user_data`` or ``chat_data`` is no row at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar, Token
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import bindparam, delete, literal, select, union_all
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute
from telegram import Update
from telegram.ext import Application, BasePersistence, ConversationHandler, PersistenceInput
from telegram.ext._handlers.conversationhandler import PendingState
from telegram.ext._utils.trackingdict import TrackingDict
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.core.clock import Clock
from bot.core.db import upsert
from bot.core.scope import current_scope
from models.base import UTCDateTime
from models.persistence import PtbBotData, PtbChatData, PtbConversation, PtbUserData

JsonDict = dict[Any, Any]

_Write = tuple[str, object, object]  # (kind, key, payload); payload None = delete


@dataclass
class _UpdateWork:
    """What one update's transaction has loaded, queued and written (see the module's
    docstring); outside any update, the persistence's own instance (jobs, shutdown)."""

    pending: dict[tuple[str, object], object] = field(default_factory=dict)
    staged: dict[tuple[str, object], str | None] = field(default_factory=dict)
    """Written in the open transaction; becomes ``_stored`` once it commits."""
    loaded: list[tuple[str, object]] = field(default_factory=list)
    """The keys the update loaded: its user, its chat, its (handler, key) conversations."""


_work: ContextVar[_UpdateWork | None] = ContextVar("maeul_persistence_work", default=None)


def _check_json(kind: str, value: object) -> None:
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{kind} must hold JSON-serialisable values only (domain state belongs in tables): "
            f"{exc}"
        ) from exc


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def conversation_key(key: ConversationKey) -> str:
    """A conversation's key as stored in ``ptb_conversations.key``."""
    return json.dumps(list(key) if isinstance(key, tuple) else [key])


def conversation_key_back(raw: str) -> ConversationKey:
    """The key :func:`conversation_key` stored."""
    return tuple(json.loads(raw))


LOCK_SPACE = 0x4D61 << 48
"""XORed into a chat or user id to make its advisory-lock key (Telegram ids fit in 52 bits,
so the keys stay apart from small lock numbers other code may use)."""


def lock_keys(update: Update) -> list[int]:
    """The advisory-lock keys of an update: its chat and its user (one key in a private
    chat, where they are the same id), in ascending order."""
    ids = set()
    if update.effective_chat is not None:
        ids.add(update.effective_chat.id)
    if update.effective_user is not None:
        ids.add(update.effective_user.id)
    return sorted(LOCK_SPACE ^ i for i in ids)


_LOCKS = {
    1: sql("SELECT pg_advisory_xact_lock(:a)"),
    # the select list is evaluated left to right: the keys are locked in ascending order
    2: sql("SELECT pg_advisory_xact_lock(:a), pg_advisory_xact_lock(:b)"),
}
"""The lock statements, built once (an update has one key or two, :func:`lock_keys`)."""

_CLAIM = (
    "WITH claimed AS (INSERT INTO handled_updates (update_id, handled_at)"
    " VALUES (:update_id, :now) ON CONFLICT DO NOTHING RETURNING update_id) "
)
_NOW = bindparam("now", type_=UTCDateTime())
_CLAIMS = {
    n: sql(_CLAIM + "SELECT " + (calls or "1") + " FROM claimed").bindparams(_NOW)
    for n, calls in (
        (0, ""),
        (1, "pg_advisory_xact_lock(:a)"),
        (2, "pg_advisory_xact_lock(:a), pg_advisory_xact_lock(:b)"),
    )
}
"""PostgreSQL: record an update as handled and, when it is new, take its locks."""
_CLAIM_SQLITE = sql(
    "INSERT INTO handled_updates (update_id, handled_at) VALUES (:update_id, :now)"
    " ON CONFLICT DO NOTHING"
).bindparams(_NOW)

UNDER_WAY = timedelta(seconds=2)
"""A step's mark younger than this may belong to a question being delivered by another
instance this moment (its person's update reached this one): it is left alone."""
UNCONFIRMED_NOTE = "unconfirmed_step"
""":attr:`bot.core.scope.UpdateScope.notes` key: a step of this person was ended because its
question never reached them (:meth:`SQLPersistence._end_unconfirmed`)."""

_USERS, _CHATS, _CONVS = (m.__table__.c for m in (PtbUserData, PtbChatData, PtbConversation))
_NO_MARK = literal(None, type_=_CONVS.unconfirmed_at.type)
_LOAD = union_all(
    select(
        literal("user").label("kind"),
        literal("").label("name"),
        literal("").label("key"),
        _USERS.data.label("data"),
        _USERS.updated_at.label("at"),
        _NO_MARK.label("unconfirmed_at"),
    ).where(_USERS.user_id == bindparam("user_id")),
    select(
        literal("chat"), literal(""), literal(""), _CHATS.data, _CHATS.updated_at, _NO_MARK
    ).where(_CHATS.chat_id == bindparam("chat_id")),
    select(
        literal("conv"),
        _CONVS.name,
        _CONVS.key,
        _CONVS.state,
        _CONVS.updated_at,
        _CONVS.unconfirmed_at,
    ).where(
        _CONVS.name.in_(bindparam("names", expanding=True)),
        _CONVS.key.in_(bindparam("keys", expanding=True)),
    ),
)
"""An update's user_data, chat_data and conversation states: one statement, built once."""


def _utc(at: datetime) -> datetime:
    """A stored time as aware UTC (SQLite hands some back naive)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def persistent_conversations(
    app: Application,  # type: ignore[type-arg]
) -> list[ConversationHandler]:  # type: ignore[type-arg]
    """The application's persistent, named conversations, nested ones included."""
    found: list[ConversationHandler] = []  # type: ignore[type-arg]
    todo = [h for group in app.handlers.values() for h in group]
    while todo:
        handler = todo.pop()
        if isinstance(handler, ConversationHandler):
            if handler.persistent and handler.name:
                found.append(handler)
            todo.extend(handler._child_conversations)
    return found


def _untracked(states: Any) -> dict[Any, Any]:
    """The plain dict under PTB's TrackingDict: changed here, nothing is marked as written."""
    return cast(dict[Any, Any], getattr(states, "data", states))


def forget_state(
    handler: ConversationHandler,  # type: ignore[type-arg]
    key: ConversationKey,
    state: object,
) -> None:
    """Drop this instance's copy of ``key``'s state in ``handler`` when it is still
    ``state`` — after the stored row was deleted outside the update's persistence (so
    nothing is marked to be written)."""
    memory = _untracked(handler._conversations)
    if memory.get(key) == state:
        memory.pop(key, None)


async def rewrite_value(
    session: AsyncSession,
    model: type[PtbUserData] | type[PtbChatData],
    id_: int,
    key: str,
    old: object,
    new: object,
    memory: dict[str, Any] | None,
    now: datetime,
) -> bool:
    """Outside an update's persistence (after its commit: an undelivered message undone),
    ``key`` of one user's or chat's data becomes ``new`` (``None``: dropped) — in its stored
    row, locked, and in this instance's copy ``memory`` — unless it is no longer ``old``
    (changed since: the newer value stands). Returns whether it was still ``old``. An empty
    data is no row, as the persistence writes it. The caller commits."""
    row: PtbUserData | PtbChatData | None = await session.get(model, id_, with_for_update=True)
    if row is None or not isinstance(row.data, dict) or row.data.get(key) != old:
        return False
    data = {k: v for k, v in row.data.items() if k != key}
    if new is not None:
        data[key] = new
    if data:
        row.data = data
        row.updated_at = now
    else:
        await session.delete(row)
    if memory is not None and memory.get(key) == old:
        if new is None:
            memory.pop(key, None)
        else:
            memory[key] = new
    return True


class SQLPersistence(BasePersistence[JsonDict, JsonDict, JsonDict]):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        store_data: PersistenceInput | None = None,
        *,
        preload: bool = True,
        idle: timedelta | None = None,
    ) -> None:
        """``preload=False``: PTB's start-up load reads nothing (every update reads its own
        state, :meth:`load_for_update`); the ``get_*`` methods still read everything when
        ``preload`` is on (a single process, the tests).

        ``idle``: a conversation whose state has not changed for this long is read as
        ended. A resident who walked away from a step-by-step dialogue would otherwise be
        told "please answer with the buttons above" for every question, days later, until
        they found /cancel. Its row stays until the conversation is started again or the
        retention purge removes it."""
        super().__init__(
            store_data=store_data
            or PersistenceInput(
                bot_data=False, chat_data=True, user_data=True, callback_data=False
            ),
            update_interval=60,
        )
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._outside = _UpdateWork()
        self._stored: dict[tuple[str, object], str | None] = {}
        """The JSON of each row as the database holds it (loaded or committed). Two
        updates that share a key never have their transactions open at once (the advisory
        locks on PostgreSQL, one transaction at a time on SQLite), so one map serves all."""
        self.preload = preload
        self.idle = idle
        self._conversations_shape: tuple[int, ...] | None = None
        self._conversations_found: list[ConversationHandler] = []  # type: ignore[type-arg]

    @property
    def _w(self) -> _UpdateWork:
        """The open update's work (:meth:`begin_update`), else the one outside updates."""
        return _work.get() or self._outside

    def begin_update(self) -> Token[_UpdateWork | None]:
        """Start an update's own work; :meth:`end_update` with the token when it is done.
        Tasks the update starts (PTB gathers the persistence calls) share it."""
        return _work.set(_UpdateWork())

    def end_update(self, token: Token[_UpdateWork | None]) -> None:
        _work.reset(token)

    # --- reading (at start-up, when preloading) ----------------------------------------
    async def _load_all(self, model: Any, key_attr: str, kind: str) -> dict[int, JsonDict]:
        if not self.preload:
            return {}
        async with self._sessionmaker() as session:
            rows = (await session.execute(select(model))).scalars().all()
            loaded = {getattr(r, key_attr): dict(r.data) for r in rows}
        for key, data in loaded.items():
            self._stored[(kind, key)] = _canonical(data)
        return loaded

    async def get_user_data(self) -> dict[int, JsonDict]:
        return await self._load_all(PtbUserData, "user_id", "user")

    async def get_chat_data(self) -> dict[int, JsonDict]:
        return await self._load_all(PtbChatData, "chat_id", "chat")

    async def _get_blob(self, blob_id: str) -> JsonDict | None:
        async with self._sessionmaker() as session:
            row = await session.get(PtbBotData, blob_id)
            return dict(row.data) if row is not None else None

    async def get_bot_data(self) -> JsonDict:
        return await self._get_blob("bot_data") or {}

    async def get_callback_data(self) -> CDCData | None:
        blob = await self._get_blob("callback_data")
        if blob is None:
            return None
        return (blob["queue"], blob["map"])

    async def get_conversations(self, name: str) -> ConversationDict:
        if not self.preload:
            return {}
        async with self._sessionmaker() as session:
            rows = (
                await session.execute(select(PtbConversation).where(PtbConversation.name == name))
            ).scalars()
            found = {r.key: r.state["s"] for r in rows}
        for key, state in found.items():
            self._stored[("conv", (name, key))] = _canonical(state)
        return {conversation_key_back(key): state for key, state in found.items()}

    # --- reading (every update) --------------------------------------------------------
    async def lock_for_update(self, session: AsyncSession, update: Update) -> None:
        """PostgreSQL: hold the update's chat and user until ``session``'s transaction ends
        (a no-op elsewhere). Take it before anything else of the update is read."""
        if session.bind is None or session.bind.dialect.name != "postgresql":
            return
        keys = lock_keys(update)
        if keys:
            connection = await session.connection()
            await connection.execute(_LOCKS[len(keys)], dict(zip("ab", keys, strict=False)))

    async def claim_update(self, session: AsyncSession, update: Update) -> bool:
        """Record the update as handled in ``session``'s transaction; False when it is
        recorded already (handled by this or another instance: a webhook's redelivery).

        Telegram answered with no 200 sends an update again — behind a load balancer to
        any instance — so an instance killed after its commit but before its answer left
        would have the update handled twice (a command answered twice). The id is inserted
        into ``handled_updates`` (its primary key) in the update's own transaction: it is
        recorded exactly when what the update did is. A second delivery while the first is
        still in its transaction waits at the insert for that transaction's end (the
        primary key) and is then skipped, or handled if the first was rolled back.

        On PostgreSQL the insert also takes the update's advisory locks (see
        :meth:`lock_for_update`) in the same statement — one round trip, the locks only
        when the update is new, and always after the insert, so two deliveries of one
        update never wait for each other in opposite orders. Call it first in the
        transaction, then :meth:`load_for_update` with ``locked=True``.

        Only with ``UPDATE_DEDUP`` on (webhook, several instances): the local console and
        the tests start update ids at 1 (or 0) on every run, and a recorded id would make
        the next run's updates disappear for a day.
        """
        params = {"update_id": update.update_id, "now": self._clock.utcnow()}
        if session.bind is None or session.bind.dialect.name != "postgresql":
            connection = await session.connection()
            result = await connection.execute(_CLAIM_SQLITE, params)
            return bool(result.rowcount)
        keys = lock_keys(update)
        params.update(zip("ab", keys, strict=False))
        connection = await session.connection()
        return (await connection.execute(_CLAIMS[len(keys)], params)).first() is not None

    def _conversations(
        self,
        app: Application,  # type: ignore[type-arg]
    ) -> list[ConversationHandler]:  # type: ignore[type-arg]
        """:func:`persistent_conversations`, found again only when handlers were added or
        removed (walking every handler of every group cost more than the query)."""
        shape = tuple(len(group) for group in app.handlers.values())
        if self._conversations_shape != shape:
            self._conversations_found = persistent_conversations(app)
            self._conversations_shape = shape
        return self._conversations_found

    async def load_for_update(
        self,
        session: AsyncSession,
        update: Update,
        app: Application,  # type: ignore[type-arg]
        *,
        locked: bool = False,
    ) -> None:
        """Lock the update's chat and user (PostgreSQL; ``locked``: the caller has), then
        read their state — user_data, chat_data, and their state in each persistent
        conversation — in one query, into PTB's memory, replacing whatever this instance
        held. Call it first in the update's transaction, before any handler runs.

        The query is one statement built once (:data:`_LOAD`): its parameters are the user,
        the chat, and the conversations' names and keys as two expanding lists, so
        SQLAlchemy compiles it once and PostgreSQL sees the same few SQL texts. The names ×
        keys it matches are a superset of the (name, key) pairs wanted (a per-message
        conversation has its own key); rows not wanted are ignored. The lock cannot share
        the read's statement: under READ COMMITTED a statement reads the snapshot taken
        when it *started*, so a read in the statement that waited for the lock would not
        see what the lock's previous holder committed meanwhile.
        """
        self._w.loaded = []
        chat_id = update.effective_chat.id if update.effective_chat is not None else None
        user_id = update.effective_user.id if update.effective_user is not None else None
        conversations: list[
            tuple[ConversationHandler, ConversationKey, str]  # type: ignore[type-arg]
        ] = []
        raws: dict[ConversationKey, str] = {}
        for handler in self._conversations(app):
            try:
                key = handler._get_key(update)
            except RuntimeError:  # no chat, user or message for this conversation's key
                continue
            raw = raws.get(key)
            if raw is None:
                raw = raws[key] = conversation_key(key)
            conversations.append((handler, key, raw))
        store = self.store_data
        want_user = store.user_data and user_id is not None
        want_chat = store.chat_data and chat_id is not None
        if not (want_user or want_chat or conversations):
            return  # nothing of this update is kept (a poll's state, a channel post …)
        if not locked:
            await self.lock_for_update(session, update)
        params = {
            "user_id": user_id if want_user else None,  # = NULL: no row
            "chat_id": chat_id if want_chat else None,
            "names": sorted({cast(str, h.name) for h, _k, _r in conversations}),
            "keys": sorted(set(raws.values())),
        }
        # Core on the session's connection: the ORM's execution path costs more than the read
        rows = (await (await session.connection()).execute(_LOAD, params)).all()
        found: dict[tuple[str, object], Any] = {}
        now = self._clock.utcnow()
        idle_since = now - self.idle if self.idle else None
        for kind, name, raw, data, at, unconfirmed_at in rows:
            if kind == "conv":
                if idle_since is not None and _utc(at) < idle_since:
                    continue  # left unfinished too long ago: ended (see ``idle``)
                if unconfirmed_at is not None and _utc(unconfirmed_at) < now - UNDER_WAY:
                    await self._end_unconfirmed(session, name, raw, unconfirmed_at)
                    continue
                found[("conv", (name, raw))] = data["s"]
            else:
                found[(kind, user_id if kind == "user" else chat_id)] = data
        if want_user:
            self._put_data(app._user_data, "user", cast(int, user_id), found.get(("user", user_id)))
        if want_chat:
            self._put_data(app._chat_data, "chat", cast(int, chat_id), found.get(("chat", chat_id)))
        for handler, key, raw in conversations:
            self._put_state(handler, key, raw, found.get(("conv", (handler.name, raw))))

    async def _end_unconfirmed(
        self, session: AsyncSession, name: str, raw: str, marked_at: datetime
    ) -> None:
        """A step whose question is not known to have reached the person: the process that
        committed the step died before it could send it (handlers.core.steps) — an update
        of the same chat is handled only once the previous one's replies have gone out, so
        a mark still set is no delivery under way. The step ends in this update's
        transaction (as if it were not stored: this update is read afresh, not as the
        answer to a question the person never saw), and :data:`UNCONFIRMED_NOTE` in the
        update's scope asks that the person be told (handlers.core.context_loader)."""
        await session.execute(
            delete(PtbConversation).where(
                PtbConversation.name == name,
                PtbConversation.key == raw,
                PtbConversation.unconfirmed_at == marked_at,
            )
        )
        scope = current_scope()
        if scope is not None:
            scope.notes[UNCONFIRMED_NOTE] = True

    def _put_data(self, memory: Any, kind: str, key: int, data: JsonDict | None) -> None:
        held = memory[key]  # PTB's defaultdict: the dict handlers will see, kept in place
        held.clear()
        if data:
            held.update(deepcopy(data))
            self._stored[(kind, key)] = _canonical(data)
        else:
            self._stored.pop((kind, key), None)
        self._w.loaded.append((kind, key))

    def _put_state(
        self,
        handler: ConversationHandler,  # type: ignore[type-arg]
        key: ConversationKey,
        raw: str,
        state: object | None,
    ) -> None:
        states = _untracked(handler._conversations)
        stored_key = ("conv", (handler.name, raw))
        if state is None or state == ConversationHandler.END:
            states.pop(key, None)
            self._stored.pop(stored_key, None)
        else:
            states[key] = state
            self._stored[stored_key] = _canonical(state)
        self._w.loaded.append(("conv", (handler, key)))

    @staticmethod
    def _marks(app: Application, kind: str) -> tuple[set[int], set[int]]:  # type: ignore[type-arg]
        """PTB's sets of ids whose user_data / chat_data is to be written, and dropped."""
        if kind == "user":
            return (
                app._user_ids_to_be_updated_in_persistence,
                app._user_ids_to_be_deleted_in_persistence,
            )
        return (
            app._chat_ids_to_be_updated_in_persistence,
            app._chat_ids_to_be_deleted_in_persistence,
        )

    async def stage_update(self, app: Application) -> None:  # type: ignore[type-arg]
        """Queue what the open update changed of its own state — its user_data, its
        chat_data, its state in each persistent conversation — and nothing else: PTB's
        ``update_persistence`` would write every change it has marked, another update's
        included (see the module's docstring). The marks taken here are cleared; others
        stay for their own update (or for PTB's timer, outside updates)."""
        for kind, key in self._w.loaded:
            if kind == "conv":
                handler, conv_key = cast(
                    tuple[ConversationHandler, ConversationKey],  # type: ignore[type-arg]
                    key,
                )
                tracked = cast(TrackingDict[ConversationKey, object], handler._conversations)
                if conv_key not in tracked._write_access_keys:
                    continue
                tracked._write_access_keys.discard(conv_key)
                state = tracked.get(conv_key, TrackingDict.DELETED)
                if isinstance(state, PendingState):  # a non-blocking step (PTB's rule)
                    state = state.resolve() if state.done() else state.old_state
                await self.update_conversation(
                    cast(str, handler.name),
                    conv_key,
                    None if state is TrackingDict.DELETED else state,
                )
                continue
            marked, dropped = self._marks(app, kind)
            ident = cast(int, key)
            user = kind == "user"
            if ident in dropped:
                dropped.discard(ident)
                marked.discard(ident)
                await (self.drop_user_data if user else self.drop_chat_data)(ident)
            elif ident in marked:
                marked.discard(ident)
                memory = app._user_data if user else app._chat_data
                await (self.update_user_data if user else self.update_chat_data)(
                    ident, memory[ident]
                )

    def discard_update(self, app: Application) -> None:  # type: ignore[type-arg]
        """The update's transaction was rolled back: forget the changes PTB marked for
        writing of the update's own state, and put that state in memory back as the
        database holds it (so nothing of the failed update is written later, by the next
        update or at shutdown). Other updates' marks are theirs and stay."""
        work = self._w
        work.pending.clear()
        work.staged.clear()
        for kind, key in work.loaded:
            if kind == "conv":
                handler, conv_key = cast(
                    tuple[ConversationHandler, ConversationKey],  # type: ignore[type-arg]
                    key,
                )
                cast(
                    TrackingDict[ConversationKey, object], handler._conversations
                )._write_access_keys.discard(conv_key)
                stored = self._stored.get(("conv", (handler.name, conversation_key(conv_key))))
                states = _untracked(handler._conversations)
                if stored is None:
                    states.pop(conv_key, None)
                else:
                    states[conv_key] = json.loads(stored)
            else:
                marked, dropped = self._marks(app, kind)
                marked.discard(cast(int, key))
                dropped.discard(cast(int, key))
                memory = app._user_data if kind == "user" else app._chat_data
                held = memory[cast(int, key)]
                held.clear()
                stored = self._stored.get((kind, key))
                if stored is not None:
                    held.update(json.loads(stored))
        work.loaded = []

    # --- writing ----------------------------------------------------------------------
    async def _queue(self, kind: str, key: object, payload: object) -> None:
        self._w.pending[(kind, key)] = payload
        if current_scope() is None:
            await self.flush()

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        _check_json("conversation state", new_state)
        await self._queue(
            "conv", (name, conversation_key(key)), None if new_state is None else new_state
        )

    async def update_user_data(self, user_id: int, data: JsonDict) -> None:
        _check_json("user_data", data)
        await self._queue("user", user_id, deepcopy(data))

    async def update_chat_data(self, chat_id: int, data: JsonDict) -> None:
        _check_json("chat_data", data)
        await self._queue("chat", chat_id, deepcopy(data))

    async def update_bot_data(self, data: JsonDict) -> None:
        _check_json("bot_data", data)
        await self._queue("blob", "bot_data", deepcopy(data))

    async def update_callback_data(self, data: CDCData) -> None:
        queue, mapping = data
        blob = {"queue": queue, "map": mapping}
        _check_json("callback_data", blob)
        await self._queue("blob", "callback_data", blob)

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._queue("chat", chat_id, None)

    async def drop_user_data(self, user_id: int) -> None:
        await self._queue("user", user_id, None)

    async def refresh_user_data(self, user_id: int, user_data: JsonDict) -> None:
        """The in-memory copy is authoritative while the bot runs."""

    async def refresh_chat_data(self, chat_id: int, chat_data: JsonDict) -> None:
        """The in-memory copy is authoritative while the bot runs."""

    async def refresh_bot_data(self, bot_data: JsonDict) -> None:
        """The in-memory copy is authoritative while the bot runs."""

    @property
    def has_pending(self) -> bool:
        return bool(self._w.pending)

    async def write_pending(self, session: AsyncSession) -> None:
        """Write every pending change with ``session``; the caller commits, then calls
        :meth:`committed` (or :meth:`rolled_back`)."""
        work = self._w
        pending, work.pending = work.pending, {}
        now = self._clock.utcnow()
        for (kind, key), payload in pending.items():
            if kind in ("user", "chat") and payload == {}:
                payload = None  # an empty user_data / chat_data is no row
            text = None if payload is None else _canonical(payload)
            if (kind, key) in self._stored and self._stored[(kind, key)] == text:
                continue  # the database holds exactly this already
            if (kind, key) not in self._stored and text is None:
                continue  # nothing to delete
            writer = _WRITERS[kind]
            await writer(session, key, payload, now)
            work.staged[(kind, key)] = text

    def committed(self) -> None:
        """The transaction that :meth:`write_pending` wrote in has committed."""
        work = self._w
        for key, text in work.staged.items():
            if text is None:
                self._stored.pop(key, None)
            else:
                self._stored[key] = text
        work.staged.clear()

    def rolled_back(self) -> None:
        """It was rolled back: what it wrote is not in the database."""
        self._w.staged.clear()

    async def flush(self) -> None:
        if not self._w.pending:
            return
        try:
            async with self._sessionmaker() as session, session.begin():
                await self.write_pending(session)
        except BaseException:
            self.rolled_back()
            raise
        self.committed()


async def _write_data(
    session: AsyncSession,
    id_column: InstrumentedAttribute[int],
    key: object,
    payload: object,
    now: Any,
) -> None:
    """One user's or chat's data, in the table of ``id_column`` (its key): the row is
    deleted when PTB dropped the data (``None``), else written."""
    model, name = cast(type[Any], id_column.class_), id_column.key
    if payload is None:
        await session.execute(delete(model).where(id_column == key))
    else:
        row = {name: key, "data": payload, "updated_at": now}
        await upsert(session, model, [row], [name])


async def _write_user(session: AsyncSession, key: object, payload: object, now: Any) -> None:
    await _write_data(session, PtbUserData.user_id, key, payload, now)


async def _write_chat(session: AsyncSession, key: object, payload: object, now: Any) -> None:
    await _write_data(session, PtbChatData.chat_id, key, payload, now)


async def _write_blob(session: AsyncSession, key: object, payload: object, now: Any) -> None:
    row = {"id": key, "data": payload, "updated_at": now}
    await upsert(session, PtbBotData, [row], ["id"])


async def _write_conv(session: AsyncSession, key: object, payload: object, now: Any) -> None:
    name, conv_key = cast(tuple[str, str], key)
    if payload is None:
        await session.execute(
            delete(PtbConversation).where(
                PtbConversation.name == name, PtbConversation.key == conv_key
            )
        )
    else:
        row = {"name": name, "key": conv_key, "state": {"s": payload}, "updated_at": now}
        await upsert(
            session,
            PtbConversation,
            [row],
            ["name", "key"],
        )


_WRITERS: dict[str, Callable[[AsyncSession, object, object, Any], Any]] = {
    "user": _write_user,
    "chat": _write_chat,
    "blob": _write_blob,
    "conv": _write_conv,
}
