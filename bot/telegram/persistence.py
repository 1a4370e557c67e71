"""An SQL-backed :class:`telegram.ext.BasePersistence` (no pickle files).

Conversation states, ``user_data`` and ``chat_data`` are stored as JSON in the bot's own
database. Inside an update the application hands the pending writes to
:meth:`SQLPersistence.write_pending` so they commit in the same transaction as the
update's domain changes; outside an update (jobs, shutdown) they are written at once.
Killing the bot therefore never loses a conversation step that the user saw answered.

PTB marks the user and chat of *every* update as changed; most updates (browsing, a
question) change nothing. A row is therefore written only when its JSON differs from what
the database holds (as loaded, or as last committed), so such updates write nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from copy import deepcopy
from typing import Any, cast

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.core.clock import Clock
from bot.core.db import upsert
from bot.core.scope import current_scope
from models.persistence import PtbBotData, PtbChatData, PtbConversation, PtbUserData

JsonDict = dict[Any, Any]

_Write = tuple[str, object, object]  # (kind, key, payload); payload None = delete


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


def _conv_key(key: ConversationKey) -> str:
    return json.dumps(list(key) if isinstance(key, tuple) else [key])


def _conv_key_back(raw: str) -> ConversationKey:
    return tuple(json.loads(raw))


class SQLPersistence(BasePersistence[JsonDict, JsonDict, JsonDict]):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        store_data: PersistenceInput | None = None,
    ) -> None:
        super().__init__(
            store_data=store_data
            or PersistenceInput(
                bot_data=False, chat_data=True, user_data=True, callback_data=False
            ),
            update_interval=60,
        )
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._pending: dict[tuple[str, object], object] = {}
        self._stored: dict[tuple[str, object], str | None] = {}
        """The JSON of each row as the database holds it (loaded or committed)."""
        self._staged: dict[tuple[str, object], str | None] = {}
        """Written in the open transaction; becomes :attr:`_stored` once it commits."""

    # --- reading (once, at start-up) -------------------------------------------------
    async def _load_all(self, model: Any, key_attr: str, kind: str) -> dict[int, JsonDict]:
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
        async with self._sessionmaker() as session:
            rows = (
                await session.execute(select(PtbConversation).where(PtbConversation.name == name))
            ).scalars()
            found = {r.key: r.state["s"] for r in rows}
        for key, state in found.items():
            self._stored[("conv", (name, key))] = _canonical(state)
        return {_conv_key_back(key): state for key, state in found.items()}

    # --- writing ----------------------------------------------------------------------
    async def _queue(self, kind: str, key: object, payload: object) -> None:
        self._pending[(kind, key)] = payload
        if current_scope() is None:
            await self.flush()

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        _check_json("conversation state", new_state)
        await self._queue("conv", (name, _conv_key(key)), None if new_state is None else new_state)

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
        return bool(self._pending)

    async def write_pending(self, session: AsyncSession) -> None:
        """Write every pending change with ``session``; the caller commits, then calls
        :meth:`committed` (or :meth:`rolled_back`)."""
        pending, self._pending = self._pending, {}
        now = self._clock.utcnow()
        for (kind, key), payload in pending.items():
            text = None if payload is None else _canonical(payload)
            if (kind, key) in self._stored and self._stored[(kind, key)] == text:
                continue  # the database holds exactly this already
            if (kind, key) not in self._stored and text is None:
                continue  # nothing to delete
            writer = _WRITERS[kind]
            await writer(session, key, payload, now)
            self._staged[(kind, key)] = text

    def committed(self) -> None:
        """The transaction that :meth:`write_pending` wrote in has committed."""
        for key, text in self._staged.items():
            if text is None:
                self._stored.pop(key, None)
            else:
                self._stored[key] = text
        self._staged.clear()

    def rolled_back(self) -> None:
        """It was rolled back: what it wrote is not in the database."""
        self._staged.clear()

    async def flush(self) -> None:
        if not self._pending:
            return
        try:
            async with self._sessionmaker() as session, session.begin():
                await self.write_pending(session)
        except BaseException:
            self.rolled_back()
            raise
        self.committed()


async def _write_user(session: AsyncSession, key: object, payload: object, now: Any) -> None:
    if payload is None:
        await session.execute(delete(PtbUserData).where(PtbUserData.user_id == key))
    else:
        row = {"user_id": key, "data": payload, "updated_at": now}
        await upsert(session, PtbUserData, [row], ["user_id"])


async def _write_chat(session: AsyncSession, key: object, payload: object, now: Any) -> None:
    if payload is None:
        await session.execute(delete(PtbChatData).where(PtbChatData.chat_id == key))
    else:
        row = {"chat_id": key, "data": payload, "updated_at": now}
        await upsert(session, PtbChatData, [row], ["chat_id"])


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
