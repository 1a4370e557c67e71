"""Emulator state and behaviour, independent of HTTP.

:class:`EmulatorCore` holds every emulated bot (one per token), its chats, messages, update
queue and event log, implements the Bot API methods (:meth:`EmulatorCore.call_api`) and
the *user side* (users sending messages, pressing buttons, …).  The HTTP server in
:mod:`bot.emulator.server` is a thin layer on top of it.

All methods must be called from the thread running the event loop; the user-side methods
are synchronous (they only queue updates) and safe to call between awaits.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import json
import re
import shutil
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.emulator.files import FileRecord, FileStore, image_info
from bot.emulator.markup import (
    EntityParseError,
    FormattedText,
    format_text,
    normalize,
    to_api_entities,
    utf16_len,
)
from bot.emulator.webhook import Webhook, parse_secret, parse_urls

__all__ = [
    "DEFAULT_ALLOWED_UPDATES",
    "TOKEN_RE",
    "ApiCallError",
    "ApiError",
    "Chat",
    "ChatLike",
    "EmulatorCore",
    "EmulatorError",
    "Event",
    "Upload",
    "User",
    "UserLike",
]

JSON = dict[str, Any]
T = TypeVar("T")

TOKEN_RE = re.compile(r"(\d{1,20}):([A-Za-z0-9_-]+)")

ALL_UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
#: What a bot receives when it never set ``allowed_updates`` (or set it to ``[]``).
DEFAULT_ALLOWED_UPDATES = frozenset(ALL_UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
UPLOAD_LIMIT = 50 * 1024 * 1024
PHOTO_LIMIT = 10 * 1024 * 1024
DOWNLOAD_LIMIT = 20 * 1024 * 1024
# wait_for_events: the quiet window once the bot under test says it has settled.
SETTLED_QUIET = 0.02

_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
_SCOPE_TYPES = frozenset(
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators",
        "chat", "chat_administrators", "chat_member",
    }
)  # fmt: skip

# Real Bot API methods the emulator does not implement: answered with a clear 400 rather
# than Telegram's 404 (which PTB would turn into InvalidToken).
_UNIMPLEMENTED = frozenset(
    m.lower()
    for m in """
    forwardMessages copyMessages sendAudio sendVideo sendAnimation sendVoice sendVideoNote
    sendPaidMedia sendMediaGroup sendLocation sendVenue sendContact sendPoll sendChecklist
    sendDice sendMessageDraft setMessageReaction getUserProfilePhotos setUserEmojiStatus
    banChatMember unbanChatMember restrictChatMember promoteChatMember
    setChatAdministratorCustomTitle banChatSenderChat unbanChatSenderChat setChatPermissions
    exportChatInviteLink createChatInviteLink editChatInviteLink revokeChatInviteLink
    approveChatJoinRequest declineChatJoinRequest setChatPhoto deleteChatPhoto setChatTitle
    setChatDescription setChatStickerSet deleteChatStickerSet createForumTopic editForumTopic
    closeForumTopic reopenForumTopic deleteForumTopic getUserChatBoosts getBusinessConnection
    setMyDefaultAdministratorRights getMyDefaultAdministratorRights editMessageMedia
    editMessageLiveLocation stopMessageLiveLocation stopPoll getStickerSet
    getCustomEmojiStickers uploadStickerFile createNewStickerSet addStickerToSet
    answerInlineQuery answerWebAppQuery savePreparedInlineMessage sendInvoice
    createInvoiceLink answerShippingQuery answerPreCheckoutQuery getStarTransactions
    refundStarPayment sendGame setGameScore getGameHighScores getAvailableGifts sendGift
    """.split()
)

# ---------------------------------------------------------------- parameter coercion

_JSON_KEYS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "commands", "scope",
        "allowed_updates", "link_preview_options", "reply_parameters", "media",
        "menu_button", "message_ids", "results", "options", "permissions", "reaction",
        "rights", "explanation_entities", "question_entities", "text_entities",
    }
)  # fmt: skip
_INT_KEYS = frozenset(
    {
        "message_id", "user_id", "offset", "limit", "timeout", "reply_to_message_id",
        "message_thread_id", "cache_time", "duration", "width", "height", "until_date",
        "max_connections", "video_start_timestamp",
    }
)  # fmt: skip
_BOOL_KEYS = frozenset(
    {
        "disable_notification", "protect_content", "show_alert", "drop_pending_updates",
        "disable_web_page_preview", "allow_sending_without_reply", "has_spoiler",
        "disable_content_type_detection", "only_if_banned", "revoke_messages", "for_channels",
        "allow_paid_broadcast", "show_caption_above_media", "is_big",
    }
)  # fmt: skip
_FLOAT_KEYS = frozenset({"timeout"})
_CHAT_ID_KEYS = frozenset({"chat_id", "from_chat_id", "sender_chat_id"})
_INT_RE = re.compile(r"-?\d{1,20}")
_FLOAT_RE = re.compile(r"-?\d{1,20}(?:\.\d*)?")


def _json_error(key: str) -> str:
    if key == "reply_markup":
        return "can't parse reply keyboard markup JSON object"
    if key in ("entities", "caption_entities"):
        return "can't parse entities JSON object"
    return f"can't parse {key} JSON object"


def coerce_params(raw: Mapping[str, Any]) -> JSON:
    """Turn raw request values (strings from forms/query strings) into typed values.

    PTB sends form fields whose non-string values are JSON-encoded
    (``chat_id="123"``, ``reply_markup='{"inline_keyboard": ...}'``,
    ``disable_notification="true"``).  Already-typed values (JSON bodies, in-process calls)
    pass through unchanged.  Raises :class:`ApiError` on undecodable JSON / integers.
    """
    out: JSON = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in _JSON_KEYS:
                if not value.strip():
                    continue  # an empty field counts as absent
                try:
                    value = json.loads(value)
                except ValueError as exc:
                    raise ApiError.bad(_json_error(key)) from exc
            elif key in _INT_KEYS:
                stripped = value.strip()
                if not stripped:
                    continue
                if key in _FLOAT_KEYS and _FLOAT_RE.fullmatch(stripped):
                    value = float(stripped) if "." in stripped else int(stripped)
                elif _INT_RE.fullmatch(stripped):
                    value = int(stripped)
                else:
                    raise ApiError.bad(f"invalid {key} specified")
            elif key in _CHAT_ID_KEYS:
                stripped = value.strip()
                if _INT_RE.fullmatch(stripped):
                    value = int(stripped)
            elif key in _BOOL_KEYS:
                value = value.strip().lower() in ("true", "1", "yes")
        out[key] = value
    return out


# ---------------------------------------------------------------- public value types


class ApiError(Exception):
    """A Bot API error response (``{"ok": false, "error_code": ..., ...}``)."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    @classmethod
    def bad(cls, text: str) -> ApiError:
        return cls(400, f"Bad Request: {text}")

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class EmulatorError(Exception):
    """Misuse of the user-side API (e.g. pressing a button that is not on the message)."""


@dataclass(frozen=True)
class User:
    """A (human) Telegram user driving the bot."""

    id: int
    first_name: str
    language_code: str | None = "ko"
    username: str | None = None
    last_name: str | None = None

    def __post_init__(self) -> None:
        if self.id <= 0:
            raise ValueError("user ids are positive")

    def to_dict(self) -> JSON:
        d: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            d["last_name"] = self.last_name
        if self.username:
            d["username"] = self.username
        if self.language_code:
            d["language_code"] = self.language_code
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> User:
        return cls(
            id=int(d["id"]),
            first_name=str(d.get("first_name") or f"User {d['id']}"),
            language_code=d.get("language_code", "ko"),
            username=d.get("username"),
            last_name=d.get("last_name"),
        )


@dataclass(frozen=True)
class Chat:
    """A chat: ``private`` (id = the user's id), ``group`` / ``supergroup`` (negative id)."""

    id: int
    type: str = "private"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    def __post_init__(self) -> None:
        if self.type not in ("private", "group", "supergroup"):
            raise ValueError(f"unsupported chat type {self.type!r}")
        if self.type == "private" and self.id <= 0:
            raise ValueError("private chat ids are positive (the user's id)")
        if self.type != "private" and self.id >= 0:
            raise ValueError("group chat ids are negative")

    @classmethod
    def private(cls, user: User) -> Chat:
        return cls(
            id=user.id,
            type="private",
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )

    @classmethod
    def group(
        cls, id: int, title: str, *, supergroup: bool = False, username: str | None = None
    ) -> Chat:
        return cls(
            id=id, type="supergroup" if supergroup else "group", title=title, username=username
        )

    def to_dict(self) -> JSON:
        d: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                d[key] = value
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Chat:
        return cls(
            id=int(d["id"]),
            type=str(d.get("type", "private")),
            title=d.get("title"),
            username=d.get("username"),
            first_name=d.get("first_name"),
            last_name=d.get("last_name"),
        )


UserLike = User | Mapping[str, Any]
ChatLike = Chat | Mapping[str, Any] | int | None


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class Event:
    """Something the bot did that a user would see.

    ``kind`` is one of ``"message"`` (any new message: text, document, photo, sticker,
    copy, forward), ``"edit"`` (text / caption / reply markup edited), ``"delete"``,
    ``"callback_answer"`` (``params`` has ``text`` / ``show_alert``), ``"chat_action"``,
    ``"pin"``, ``"unpin"`` and ``"leave"``.  ``message`` is a snapshot of the message
    right after the action (for ``delete``: as it was before deletion; for
    ``callback_answer``: the message whose button was pressed), ``params`` the
    (coerced) request parameters without uploaded bytes.
    """

    seq: int
    chat_id: int
    kind: str
    method: str
    message: JSON | None
    params: JSON
    time: float
    mono: float

    @property
    def text(self) -> str | None:
        """Message text or caption; for callback answers the answer text."""
        if self.kind == "callback_answer":
            value = self.params.get("text")
            return str(value) if value is not None else None
        if self.message is None:
            return None
        value = self.message.get("text", self.message.get("caption"))
        return str(value) if value is not None else None

    @property
    def message_id(self) -> int | None:
        return int(self.message["message_id"]) if self.message else None

    @property
    def reply_markup(self) -> JSON | None:
        return self.message.get("reply_markup") if self.message else None

    def to_dict(self) -> JSON:
        return {
            "seq": self.seq,
            "chat_id": self.chat_id,
            "kind": self.kind,
            "method": self.method,
            "message": self.message,
            "params": self.params,
            "time": self.time,
        }


@dataclass(frozen=True)
class ApiCallError:
    """A Bot API call of the bot that failed (kept for assertions in tests)."""

    method: str
    params: JSON
    error_code: int
    description: str
    time: float


# ---------------------------------------------------------------- internals


class _Signal:
    """Broadcast wake-up: ``await wait(timeout)`` returns when ``fire()`` is called."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def fire(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait(self, delay: float | None) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(fut)
        try:
            await asyncio.wait((fut,), timeout=delay)
        finally:
            self._waiters.discard(fut)
            if not fut.done():
                fut.cancel()


def _clone(obj: T) -> T:
    """Deep copy of JSON-like data (dicts, lists, scalars)."""
    if isinstance(obj, dict):
        return {k: _clone(v) for k, v in obj.items()}  # type: ignore[return-value]
    if isinstance(obj, list):
        return [_clone(v) for v in obj]  # type: ignore[return-value]
    return obj


def _button_rows(rows: Any, field: str, parse: Callable[[Any], JSON]) -> list[list[JSON]]:
    """A keyboard's rows (``field``: how Telegram names it in the error) with each button
    read by ``parse``, which raises on a bad one; empty rows are left out."""
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ApiError.bad(f"{field} must be an Array of Arrays")
    parsed = ([parse(button) for button in row] for row in rows)
    return [row for row in parsed if row]


def _reply_button(button: Any) -> JSON:
    """A reply keyboard's button: a bare string is its text."""
    if isinstance(button, str):
        return {"text": button}
    if isinstance(button, dict) and isinstance(button.get("text"), str):
        return _clone(button)
    raise ApiError.bad('can\'t parse keyboard button: Field "text" must be of type String')


def _public_params(p: Mapping[str, Any]) -> JSON:
    return {k: _clone(v) for k, v in p.items() if not isinstance(v, Upload | bytes)}


@dataclass
class _Callback:
    id: str
    chat_id: int
    message_id: int
    user_id: int
    created: float
    answered: bool = False


@dataclass
class _ChatState:
    chat: JSON
    type: str
    messages: dict[int, JSON] = field(default_factory=dict)
    next_message_id: int = 1
    bot_status: str = "member"  # member | administrator | left | kicked
    members: dict[int, str] = field(default_factory=dict)
    blocked: bool = False
    reply_keyboard: JSON | None = None
    pinned: list[int] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    last_user_seq: int = 0
    menu_button: JSON | None = None

    @property
    def id(self) -> int:
        return int(self.chat["id"])


@dataclass
class _Failure:
    code: int
    description: str
    retry_after: int | None
    stall: float = 0.0
    """Seconds to hold the request before failing it (a hung connection)."""
    until: asyncio.Event | None = None
    """Set by the test to end the hold early (the stall is then its longest)."""


async def _hold(failure: _Failure) -> None:
    if failure.until is None:
        await asyncio.sleep(failure.stall)
        return
    try:
        await asyncio.wait_for(failure.until.wait(), failure.stall)
    except TimeoutError:
        pass


@dataclass
class _BotState:
    token: str
    id: int
    username: str
    first_name: str
    can_read_all_group_messages: bool = False
    updates: deque[JSON] = field(default_factory=deque)
    next_update_id: int = 1
    allowed_updates: frozenset[str] | None = None
    poll_generation: int = 0
    signal: _Signal = field(default_factory=_Signal)
    webhook: Webhook | None = None  # set by setWebhook (bot/emulator/webhook.py)
    # Set by a test harness (``BotApiEmulator.set_settled``): true while the bot has
    # processed every update it was given and sends nothing on its own.
    settled: Callable[[], bool] | None = None
    events: list[Event] = field(default_factory=list)
    chats: dict[int, _ChatState] = field(default_factory=dict)
    users: dict[int, JSON] = field(default_factory=dict)
    blocked_by: set[int] = field(default_factory=set)
    callbacks: dict[str, _Callback] = field(default_factory=dict)
    callback_counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    commands: dict[tuple[str, int, int, str], list[JSON]] = field(default_factory=dict)
    default_menu_button: JSON | None = None
    descriptions: dict[str, str] = field(default_factory=dict)
    short_descriptions: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    failures: dict[str, deque[_Failure]] = field(default_factory=dict)
    errors: list[ApiCallError] = field(default_factory=list)
    call_counts: Counter[str] = field(default_factory=Counter)
    last_user_seq: int = 0

    def user_dict(self) -> JSON:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def me(self) -> JSON:
        return {
            **self.user_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


def _member_dict(user: JSON, status: str) -> JSON:
    d: JSON = {"user": user, "status": status}
    if status == "creator":
        d["is_anonymous"] = False
    elif status == "administrator":
        d.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
        )
    elif status == "kicked":
        d["until_date"] = 0
    return d


Handler = Callable[[_BotState, JSON, Mapping[str, Upload]], Any]


# ---------------------------------------------------------------- the core


class EmulatorCore:
    """All emulator state and behaviour; see :class:`bot.emulator.BotApiEmulator`.

    Args:
        files_dir: where uploaded bytes are stored (default: a temporary directory that is
            removed by :meth:`close_files`).
        strict_html: reject a bare ``&`` in HTML parse mode (see :mod:`bot.emulator.markup`).
        auto_register: any well-formed token is a new bot on first use.  If ``False`` only
            :meth:`register_bot` tokens work; others get ``401 Unauthorized``.
        callback_query_ttl: seconds after which an unanswered callback query can no longer
            be answered (``None``: never expires).
        latency: seconds every Bot API call except ``getUpdates`` waits before it is
            executed and answered, like Telegram's round trip (typically 0.05–0.1);
            calls wait side by side, so concurrent calls overlap as they do on Telegram.
    """

    def __init__(
        self,
        files_dir: str | Path | None = None,
        *,
        strict_html: bool = True,
        auto_register: bool = True,
        callback_query_ttl: float | None = None,
        latency: float = 0.0,
    ) -> None:
        if latency < 0:
            raise ValueError(f"latency must be >= 0, not {latency!r}")
        self._owns_files_dir = files_dir is None
        root = (
            Path(files_dir)
            if files_dir is not None
            else Path(tempfile.mkdtemp(prefix="maeul-emulator-"))
        )
        root.mkdir(parents=True, exist_ok=True)
        self.files = FileStore(root)
        self.strict_html = strict_html
        self.auto_register = auto_register
        self.callback_query_ttl = callback_query_ttl
        self.latency = latency
        self._bots: dict[str, _BotState] = {}
        self._changed = _Signal()
        self._closing = False
        self.webhook_routes: dict[str, list[str]] = {}  # see route_webhook
        self._handlers: dict[str, Handler] = {
            "getme": self._get_me,
            "logout": self._ok_true,
            "close": self._ok_true,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setwebhook": self._set_webhook,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "deletemessages": self._delete_messages,
            "answercallbackquery": self._answer_callback_query,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "sendsticker": self._send_sticker,
            "sendchataction": self._send_chat_action,
            "getfile": self._get_file,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setchatmenubutton": self._set_chat_menu_button,
            "getchatmenubutton": self._get_chat_menu_button,
            "setmydescription": self._set_my_description,
            "getmydescription": self._get_my_description,
            "setmyshortdescription": self._set_my_short_description,
            "getmyshortdescription": self._get_my_short_description,
            "setmyname": self._set_my_name,
            "getmyname": self._get_my_name,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "getchatadministrators": self._get_chat_administrators,
            "getchatmembercount": self._get_chat_member_count,
            "leavechat": self._leave_chat,
            "copymessage": self._copy_message,
            "forwardmessage": self._forward_message,
            "pinchatmessage": self._pin_chat_message,
            "unpinchatmessage": self._unpin_chat_message,
            "unpinallchatmessages": self._unpin_all_chat_messages,
        }

    # ------------------------------------------------------------ bots

    def register_bot(
        self,
        token: str,
        username: str = "maeul_bot",
        first_name: str = "Maeul",
        *,
        can_read_all_group_messages: bool = False,
    ) -> JSON:
        """Create (or rename) the bot behind ``token``; returns its ``getMe`` result.

        ``can_read_all_group_messages=False`` (Telegram's default "privacy mode") means
        that in groups where the bot is not an administrator it only receives commands,
        replies to its own messages and service messages.
        """
        m = TOKEN_RE.fullmatch(token)
        if not m:
            raise ValueError(f"malformed bot token {token!r} (expected <digits>:<secret>)")
        bot = self._bots.get(token)
        if bot is None:
            bot = _BotState(token=token, id=int(m.group(1)), username=username,
                            first_name=first_name)  # fmt: skip
            self._bots[token] = bot
        bot.username = username
        bot.first_name = first_name
        bot.can_read_all_group_messages = can_read_all_group_messages
        return bot.me()

    def _bot(self, token: str) -> _BotState:
        """Bot for the user-side API (auto-registers well-formed tokens)."""
        bot = self._bots.get(token)
        if bot is not None:
            return bot
        if not TOKEN_RE.fullmatch(token):
            raise EmulatorError(f"malformed bot token {token!r}")
        self.register_bot(token)
        return self._bots[token]

    def _bot_for_api(self, token: str) -> _BotState:
        m = TOKEN_RE.fullmatch(token)
        if not m:
            raise ApiError(404, "Not Found")
        bot = self._bots.get(token)
        if bot is not None:
            return bot
        bot_id = int(m.group(1))
        if not self.auto_register or any(b.id == bot_id for b in self._bots.values()):
            raise ApiError(401, "Unauthorized")
        self.register_bot(token)
        return self._bots[token]

    def bot_user(self, token: str) -> JSON:
        """The bot's ``User`` object (as it appears in ``from`` of its messages)."""
        return self._bot(token).user_dict()

    # ------------------------------------------------------------ Bot API entry point

    async def call_api(
        self,
        token: str,
        method: str,
        params: Mapping[str, Any] | None = None,
        files: Mapping[str, Upload] | None = None,
    ) -> Any:
        """Execute one Bot API call and return its ``result``; raises :class:`ApiError`."""
        bot = self._bot_for_api(token)
        name = method.lower()
        handler = self._handlers.get(name)
        if handler is None and name != "getupdates":
            if name in _UNIMPLEMENTED:
                raise ApiError.bad(f"method {method} is not implemented by the emulator")
            raise ApiError(404, "Not Found")
        bot.call_counts[name] += 1
        p: JSON = {}
        try:
            p = coerce_params(params or {})
            if self.latency and handler is not None:  # getUpdates is a long poll anyway
                self._changed.fire()  # a call in flight is visible to wait_for
                await asyncio.sleep(self.latency)
            held = self._take_stall(bot, name)
            if held is not None:  # this call takes the stall: the next calls go through
                self._changed.fire()
                await _hold(held)
                raise ApiError(held.code, held.description, retry_after=held.retry_after)
            self._maybe_fail(bot, name)
            if handler is None:
                return await self._get_updates(bot, p)
            result = handler(bot, p, files or {})
            if asyncio.iscoroutine(result):  # the webhook methods
                result = await result
            return result
        except ApiError as exc:
            bot.errors.append(
                ApiCallError(method, _public_params(p), exc.code, exc.description, time.time())
            )
            raise
        finally:
            self._changed.fire()

    def _take_stall(self, bot: _BotState, name: str) -> _Failure | None:
        """The stall waiting at the head of ``name``'s failures, taken off the queue (the
        call that takes it is the one held), else None."""
        queue = bot.failures.get(name)
        return queue.popleft() if queue and queue[0].stall else None

    def _maybe_fail(self, bot: _BotState, name: str) -> None:
        for key in (name, "*"):
            if key == "*" and name in ("getupdates", "getme"):
                continue
            queue = bot.failures.get(key)
            if queue:
                f = queue.popleft()
                raise ApiError(f.code, f.description, retry_after=f.retry_after)

    # ------------------------------------------------------------ fault injection

    def fail_next(
        self,
        token: str,
        method: str,
        times: int = 1,
        *,
        error_code: int = 429,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (``"*"``: any method except
        getUpdates/getMe).  ``error_code=429`` → ``Too Many Requests: retry after N`` with
        ``parameters.retry_after`` (PTB raises ``RetryAfter``); 5xx → server errors
        (PTB raises ``NetworkError``); any other code with ``description``."""
        bot = self._bot(token)
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            elif error_code == 500:
                description = "Internal Server Error"
            elif error_code == 502:
                description = "Bad Gateway"
            elif error_code == 403:
                description = "Forbidden: bot was blocked by the user"
            else:
                description = "Bad Request: injected failure"
        queue = bot.failures.setdefault(method.lower() if method != "*" else "*", deque())
        for _ in range(times):
            queue.append(
                _Failure(error_code, description, retry_after if error_code == 429 else None)
            )

    def stall_next(
        self, token: str, method: str, seconds: float, *, until: asyncio.Event | None = None
    ) -> None:
        """Hold the next call of ``method`` for ``seconds`` (or until the test sets
        ``until``, if sooner), then fail it with 502 without carrying it out: a request that
        hangs (the bot is stuck waiting for it — kill it then) and never takes effect."""
        queue = self._bot(token).failures.setdefault(method.lower(), deque())
        queue.append(_Failure(502, "Bad Gateway", None, stall=seconds, until=until))

    def clear_failures(self, token: str) -> None:
        self._bot(token).failures.clear()

    def set_blocked(self, token: str, user_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sends to that private chat get
        ``403 Forbidden: bot was blocked by the user``; the bot receives a
        ``my_chat_member`` update (``kicked`` / ``member``) if the chat exists."""
        bot = self._bot(token)
        if blocked:
            bot.blocked_by.add(user_id)
        else:
            bot.blocked_by.discard(user_id)
        chat = bot.chats.get(user_id)
        if chat is None or chat.blocked == blocked:
            return
        chat.blocked = blocked
        user = bot.users.get(user_id, {"id": user_id, "is_bot": False, "first_name": "User"})
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        self._bot_member_changed(bot, chat.chat, user, old, new)

    # ------------------------------------------------------------ updates / polling

    def _bot_member_changed(self, bot: _BotState, chat: JSON, by: JSON, old: str, new: str) -> JSON:
        """Queue the ``my_chat_member`` update: ``by`` changed the bot's status in ``chat``
        from ``old`` to ``new``. Returns the update's payload."""
        update: JSON = {
            "chat": chat,
            "from": by,
            "date": int(time.time()),
            "old_chat_member": _member_dict(bot.user_dict(), old),
            "new_chat_member": _member_dict(bot.user_dict(), new),
        }
        self._enqueue(bot, "my_chat_member", update)
        return update

    def _enqueue(self, bot: _BotState, kind: str, payload: JSON) -> int | None:
        allowed = bot.allowed_updates or DEFAULT_ALLOWED_UPDATES
        if kind not in allowed:
            return None
        update_id = bot.next_update_id
        bot.next_update_id += 1
        bot.updates.append({"update_id": update_id, kind: _clone(payload)})
        bot.signal.fire()
        self._changed.fire()
        return update_id

    def _confirm(self, bot: _BotState, offset: int | None) -> None:
        q = bot.updates
        if offset is None or offset == 0:
            return
        if offset > 0:
            while q and q[0]["update_id"] < offset:
                q.popleft()
        else:
            while len(q) > -offset:
                q.popleft()

    async def _get_updates(self, bot: _BotState, p: JSON) -> list[JSON]:
        offset = p.get("offset")
        limit = p.get("limit")
        limit = 100 if not isinstance(limit, int) or limit <= 0 else min(limit, 100)
        raw_timeout = p.get("timeout")
        timeout = float(raw_timeout) if isinstance(raw_timeout, int | float) else 0.0
        timeout = max(0.0, timeout)
        allowed = p.get("allowed_updates")
        if bot.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        bot.poll_generation += 1
        generation = bot.poll_generation
        bot.signal.fire()  # terminates an older long poll with 409
        if isinstance(allowed, list):
            bot.allowed_updates = frozenset(str(a) for a in allowed) or None
        self._confirm(bot, offset if isinstance(offset, int) else None)
        deadline = time.monotonic() + timeout
        while True:
            if bot.poll_generation != generation:
                raise ApiError(409, CONFLICT)
            if bot.updates or self._closing:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await bot.signal.wait(remaining)
        return [_clone(u) for u in itertools.islice(bot.updates, limit)]

    def _get_me(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        return bot.me()

    def _ok_true(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        return True

    async def _delete_webhook(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        hook, bot.webhook = bot.webhook, None
        if hook is not None:
            await hook.close()
        if p.get("drop_pending_updates"):
            bot.updates.clear()
        return True

    def _get_webhook_info(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        if bot.webhook is not None:
            return bot.webhook.info(bot.allowed_updates)
        return {"url": "", "has_custom_certificate": False,
                "pending_update_count": len(bot.updates)}  # fmt: skip

    async def _set_webhook(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        """Telegram's setWebhook; a URL registered with :meth:`route_webhook` (or a list
        of URLs) is delivered to round-robin (see :mod:`bot.emulator.webhook`)."""
        raw = p.get("url")
        if not raw:
            return await self._delete_webhook(bot, p, files)
        try:
            urls = parse_urls(raw)
            secret = parse_secret(p.get("secret_token"))
        except ValueError as exc:
            raise ApiError.bad(str(exc)) from None
        if not urls:
            return await self._delete_webhook(bot, p, files)
        public = urls[0] if isinstance(raw, str) and len(urls) == 1 else " ".join(urls)
        targets = self.webhook_routes.get(public, urls)
        max_connections = p.get("max_connections")
        hook = Webhook(
            targets,
            public_url=public,
            secret_token=secret,
            max_connections=max(1, min(100, max_connections))
            if isinstance(max_connections, int) else 40,
            ip_address=str(p["ip_address"]) if p.get("ip_address") else None,
            updates=bot.updates,
            signal=bot.signal,
            changed=self._changed.fire,
        )  # fmt: skip
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            bot.allowed_updates = frozenset(str(a) for a in allowed) or None
        if p.get("drop_pending_updates"):
            bot.updates.clear()
        if bot.webhook is not None and bot.webhook.same_as(hook):
            return True  # another instance behind the same balancer registering again
        old, bot.webhook = bot.webhook, hook
        bot.poll_generation += 1
        bot.signal.fire()  # a long poll in progress ends with 409
        if old is not None:
            await old.close()
        hook.start()
        return True

    async def set_webhook(
        self, token: str, url: str | list[str], secret_token: str | None = None, **params: Any
    ) -> bool:
        """As if the bot called ``setWebhook``; ``url`` may be a list of URLs, used
        round-robin (a test feature: several bot instances behind one load balancer)."""
        return bool(
            await self._set_webhook(self._bot(token), coerce_params(
                {"url": url, "secret_token": secret_token, **params}
            ), {})
        )  # fmt: skip

    async def delete_webhook(self, token: str, drop_pending_updates: bool = False) -> bool:
        """As if the bot called ``deleteWebhook``."""
        p = {"drop_pending_updates": drop_pending_updates}
        return await self._delete_webhook(self._bot(token), p, {})

    def route_webhook(self, public_url: str, targets: list[str]) -> None:
        """A load balancer (test feature): a bot that sets its webhook to ``public_url``
        gets its updates POSTed to ``targets`` in turn. Set before the bots start; an
        empty list removes the route."""
        if targets:
            self.webhook_routes[public_url] = parse_urls(targets)
        else:
            self.webhook_routes.pop(public_url, None)

    def webhook(self, token: str) -> Webhook | None:
        """The bot's current webhook (``None`` while it polls)."""
        return self._bot(token).webhook

    async def close_webhooks(self) -> None:
        """Stop every webhook delivery (the emulator is stopping)."""
        for bot in self._bots.values():
            if bot.webhook is not None:
                await bot.webhook.close()

    # ------------------------------------------------------------ helpers: chats

    def _chat_or_404(self, bot: _BotState, value: Any) -> _ChatState:
        if value is None or value == "":
            raise ApiError.bad("chat_id is empty")
        if isinstance(value, str):
            if value.startswith("@"):
                wanted = value[1:].lower()
                for chat in bot.chats.values():
                    # @username addresses public groups only, never users.
                    username = str(chat.chat.get("username") or "").lower()
                    if chat.type != "private" and username == wanted:
                        return chat
            raise ApiError.bad("chat not found")
        if not isinstance(value, int) or isinstance(value, bool):
            raise ApiError.bad("chat not found")
        found = bot.chats.get(value)
        if found is None:
            if value in bot.users:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise ApiError.bad("chat not found")
        return found

    def _check_can_send(self, chat: _ChatState) -> None:
        if chat.type == "private":
            if chat.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            return
        kind = "supergroup" if chat.type == "supergroup" else "group"
        if chat.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        if chat.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")

    def _send_target(self, bot: _BotState, p: JSON) -> _ChatState:
        chat = self._chat_or_404(bot, p.get("chat_id"))
        self._check_can_send(chat)
        return chat

    def _new_message(self, bot: _BotState, chat: _ChatState, sender: JSON) -> JSON:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        return {
            "message_id": message_id,
            "from": sender,
            "chat": chat.chat,
            "date": int(time.time()),
        }

    def _store(self, chat: _ChatState, msg: JSON) -> None:
        chat.messages[int(msg["message_id"])] = msg

    def _emit(
        self,
        bot: _BotState,
        chat: _ChatState,
        kind: str,
        method: str,
        message: JSON | None,
        params: Mapping[str, Any],
    ) -> Event:
        event = Event(
            seq=len(bot.events) + 1,
            chat_id=chat.id,
            kind=kind,
            method=method,
            message=_clone(message) if message is not None else None,
            params=_public_params(params),
            time=time.time(),
            mono=time.monotonic(),
        )
        bot.events.append(event)
        chat.events.append(event)
        bot.signal.fire()
        self._changed.fire()
        return event

    def _reply_to(self, chat: _ChatState, p: JSON) -> JSON | None:
        params = p.get("reply_parameters")
        message_id: Any = None
        allow_without = bool(p.get("allow_sending_without_reply"))
        if isinstance(params, dict):
            message_id = params.get("message_id")
            allow_without = bool(params.get("allow_sending_without_reply", allow_without))
            other_chat = params.get("chat_id")
            if other_chat not in (None, chat.id):
                raise ApiError.bad("replies to other chats are not supported by the emulator")
        elif params is not None:
            raise ApiError.bad("can't parse reply parameters JSON object")
        elif p.get("reply_to_message_id") is not None:
            message_id = p.get("reply_to_message_id")
        if message_id is None:
            return None
        target = chat.messages.get(int(message_id)) if isinstance(message_id, int) else None
        if target is None:
            if allow_without:
                return None
            raise ApiError.bad("message to be replied not found")
        snapshot = _clone(target)
        snapshot.pop("reply_to_message", None)
        return snapshot

    # ------------------------------------------------------------ helpers: text & markup

    def _format(
        self, bot: _BotState, value: Any, p: JSON, *, caption: bool
    ) -> FormattedText | None:
        text = "" if value is None else value if isinstance(value, str) else str(value)
        try:
            ft = format_text(
                text,
                parse_mode=p.get("parse_mode") or None,
                entities=p.get("caption_entities" if caption else "entities"),
                allow_empty=caption,
                strict_html=self.strict_html,
            )
        except EntityParseError as exc:
            raise ApiError.bad(f"can't parse entities: {exc}") from exc
        except ValueError as exc:
            raise ApiError.bad("unsupported parse_mode") from exc
        if ft is None:
            raise ApiError.bad("message text is empty")
        if any(e["type"] == "text_mention" for e in ft.entities):
            # Mentions by id render only for users the bot knows; others become plain text.
            bot_users = bot.users
            kept: list[JSON] = []
            for e in ft.entities:
                if e["type"] == "text_mention":
                    user = bot_users.get(int(e["user"]["id"]))
                    if user is None:
                        continue
                    e = {**e, "user": _clone(user)}
                kept.append(e)
            ft = FormattedText(ft.text, kept)
        limit = CAPTION_LIMIT if caption else TEXT_LIMIT
        if utf16_len(ft.text) > limit:
            raise ApiError.bad("message caption is too long" if caption else "message is too long")
        return ft

    @staticmethod
    def _check_button_url(url: Any) -> None:
        ok = isinstance(url, str) and bool(
            re.fullmatch(r"(?:https?://[^\s/?#]+\.[^\s]*|https?://localhost\S*|tg://\S+)", url)
        )
        if not ok:
            raise ApiError.bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _parse_markup(self, raw: Any, *, inline_only: bool) -> tuple[str, JSON | None]:
        """→ ("none" | "inline" | "reply" | "remove" | "force_reply", normalised markup)."""
        if raw is None:
            return "none", None
        if not isinstance(raw, dict):
            raise ApiError.bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in raw:
            out_rows = _button_rows(
                raw["inline_keyboard"],
                'field "inline_keyboard" of the InlineKeyboardMarkup',
                self._parse_inline_button,
            )
            if not out_rows:
                return "none", None
            return "inline", {"inline_keyboard": out_rows}
        if inline_only:
            raise ApiError.bad("inline keyboard expected")
        if "keyboard" in raw:
            kb_rows = _button_rows(
                raw["keyboard"], 'field "keyboard" of the ReplyKeyboardMarkup', _reply_button
            )
            markup = {k: _clone(v) for k, v in raw.items() if k != "keyboard"}
            markup["keyboard"] = kb_rows
            return "reply", markup
        if raw.get("remove_keyboard") is True:
            return "remove", _clone(raw)
        if raw.get("force_reply") is True:
            return "force_reply", _clone(raw)
        raise ApiError.bad("can't parse reply keyboard markup JSON object")

    def _parse_inline_button(self, button: Any) -> JSON:
        if not isinstance(button, dict):
            raise ApiError.bad("can't parse inline keyboard button: Object expected")
        text = button.get("text")
        if not isinstance(text, str):
            raise ApiError.bad(
                'can\'t parse inline keyboard button: Field "text" must be of type String'
            )
        actions = [k for k in _INLINE_ACTIONS if button.get(k) is not None]
        if not actions:
            raise ApiError.bad(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        if len(actions) > 1:
            raise ApiError.bad(
                "can't parse inline keyboard button: exactly one of the optional fields "
                f"must be used, got {', '.join(actions)}"
            )
        action = actions[0]
        value = button[action]
        if action == "callback_data":
            if not isinstance(value, str) or not 1 <= len(value.encode("utf-8")) <= 64:
                raise ApiError.bad("BUTTON_DATA_INVALID")
        elif action == "url":
            self._check_button_url(value)
        out: JSON = {"text": text, action: _clone(value)}
        for extra in ("style", "icon_custom_emoji_id"):
            if extra in button:
                out[extra] = button[extra]
        return out

    def _apply_reply_keyboard(self, chat: _ChatState, kind: str, markup: JSON | None) -> None:
        if kind == "reply":
            chat.reply_keyboard = markup
        elif kind == "remove":
            chat.reply_keyboard = None

    # ------------------------------------------------------------ sending

    def _finish_send(
        self,
        bot: _BotState,
        chat: _ChatState,
        msg: JSON,
        p: JSON,
        method: str,
        markup: tuple[str, JSON | None],
    ) -> JSON:
        kind, reply_markup = markup
        if kind == "inline" and reply_markup is not None:
            msg["reply_markup"] = reply_markup
        self._apply_reply_keyboard(chat, kind, reply_markup)
        if p.get("protect_content"):
            msg["has_protected_content"] = True
        self._store(chat, msg)
        self._emit(bot, chat, "message", method, msg, p)
        return _clone(msg)

    def _send_message(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        chat = self._send_target(bot, p)
        ft = self._format(bot, p.get("text"), p, caption=False)
        assert ft is not None
        markup = self._parse_markup(p.get("reply_markup"), inline_only=False)
        reply = self._reply_to(chat, p)
        msg = self._new_message(bot, chat, bot.user_dict())
        if reply is not None:
            msg["reply_to_message"] = reply
        msg["text"] = ft.text
        if ft.entities:
            msg["entities"] = ft.entities
        lpo = p.get("link_preview_options")
        if isinstance(lpo, dict) and lpo:
            msg["link_preview_options"] = _clone(lpo)
        return self._finish_send(bot, chat, msg, p, "sendMessage", markup)

    def _input_file(
        self, bot: _BotState, p: JSON, files: Mapping[str, Upload], key: str
    ) -> Upload | FileRecord:
        value = p.get(key)
        upload: Upload | None = None
        if isinstance(value, Upload):
            upload = value
        elif isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://") :])
            if upload is None:
                raise ApiError.bad(f"file {value} not found in the request")
        elif value is None or value == "":
            upload = files.get(key)
        if upload is not None:
            if not upload.data:
                raise ApiError.bad("file must be non-empty")
            if len(upload.data) > UPLOAD_LIMIT:
                raise ApiError(413, "Request Entity Too Large")
            return upload
        if value is None or value == "":
            raise ApiError.bad(f"there is no {key} in the request")
        if not isinstance(value, str):
            raise ApiError.bad("wrong file identifier/HTTP URL specified")
        if re.match(r"(?i)https?://", value):
            raise ApiError.bad(
                "the emulator cannot download files from HTTP URLs (no network access); "
                "upload the file or send a file_id"
            )
        rec = self.files.get(value)
        if rec is None or rec.owner_bot_id != bot.id:
            raise ApiError.bad("wrong file identifier/HTTP URL specified")
        return rec

    def _caption(self, bot: _BotState, msg: JSON, p: JSON) -> None:
        if p.get("caption") is None:
            return
        ft = self._format(bot, p.get("caption"), p, caption=True)
        if ft is not None and ft.text:
            msg["caption"] = ft.text
            if ft.entities:
                msg["caption_entities"] = ft.entities

    def _media_message(
        self, bot: _BotState, chat: _ChatState, p: JSON, content: JSON
    ) -> tuple[JSON, tuple[str, JSON | None]]:
        """Validate caption / markup / reply, then allocate the message with ``content``."""
        self._caption(bot, content, p)
        markup = self._parse_markup(p.get("reply_markup"), inline_only=False)
        reply = self._reply_to(chat, p)
        msg = self._new_message(bot, chat, bot.user_dict())
        if reply is not None:
            msg["reply_to_message"] = reply
        msg.update(content)
        return msg, markup

    def _send_document(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        chat = self._send_target(bot, p)
        source = self._input_file(bot, p, files, "document")
        if isinstance(source, FileRecord) and source.kind != "document":
            raise ApiError.bad(f"can't use file of type {source.kind.title()} as Document")
        # Validate everything else before storing the upload.
        self._caption(bot, {}, p)
        self._parse_markup(p.get("reply_markup"), inline_only=False)
        if isinstance(source, Upload):
            rec = self.files.add_document(bot.id, source.data, source.filename, source.content_type)
        else:
            rec = source
        msg, markup = self._media_message(bot, chat, p, {"document": rec.document_dict()})
        return self._finish_send(bot, chat, msg, p, "sendDocument", markup)

    def _photo_sizes(self, bot: _BotState, source: Upload | FileRecord) -> list[JSON]:
        if isinstance(source, FileRecord):
            if source.kind != "photo":
                raise ApiError.bad(f"can't use file of type {source.kind.title()} as Photo")
            return [r.photo_size_dict() for r in self.files.photo_family(source)]
        if len(source.data) > PHOTO_LIMIT:
            raise ApiError.bad("PHOTO_INVALID_DIMENSIONS")
        info = image_info(source.data)
        if info is None:
            raise ApiError.bad("IMAGE_PROCESS_FAILED")
        if info.width + info.height > 10000 or max(info.width, info.height) > 20 * min(
            info.width, info.height
        ):
            raise ApiError.bad("PHOTO_INVALID_DIMENSIONS")
        return [r.photo_size_dict() for r in self.files.add_photo(bot.id, source.data, info)]

    def _send_photo(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        chat = self._send_target(bot, p)
        source = self._input_file(bot, p, files, "photo")
        self._caption(bot, {}, p)
        self._parse_markup(p.get("reply_markup"), inline_only=False)
        sizes = self._photo_sizes(bot, source)
        msg, markup = self._media_message(bot, chat, p, {"photo": sizes})
        if p.get("has_spoiler"):
            msg["has_media_spoiler"] = True
        return self._finish_send(bot, chat, msg, p, "sendPhoto", markup)

    def _send_sticker(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        chat = self._send_target(bot, p)
        source = self._input_file(bot, p, files, "sticker")
        if isinstance(source, FileRecord) and source.kind != "sticker":
            raise ApiError.bad(f"can't use file of type {source.kind.title()} as Sticker")
        self._parse_markup(p.get("reply_markup"), inline_only=False)
        rec = self.files.add_sticker(bot.id, source.data) if isinstance(source, Upload) else source
        sticker = self._sticker_dict(rec, str(p.get("emoji") or "👍"))
        msg, markup = self._media_message(bot, chat, {**p, "caption": None}, {"sticker": sticker})
        return self._finish_send(bot, chat, msg, p, "sendSticker", markup)

    @staticmethod
    def _sticker_dict(rec: FileRecord, emoji: str) -> JSON:
        return {
            "file_id": rec.file_id,
            "file_unique_id": rec.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": rec.file_size,
        }

    def _send_chat_action(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        chat = self._send_target(bot, p)
        if p.get("action") not in _CHAT_ACTIONS:
            raise ApiError.bad("wrong parameter action in request")
        self._emit(bot, chat, "chat_action", "sendChatAction", None, p)
        return True

    def _source_message(self, bot: _BotState, p: JSON, verb: str) -> tuple[_ChatState, JSON]:
        """The chat and message that ``from_chat_id`` and ``message_id`` name (``verb``:
        what the call does with it, for the error)."""
        src_chat = self._chat_or_404(bot, p.get("from_chat_id"))
        src = src_chat.messages.get(p.get("message_id") or 0)
        if src is None:
            raise ApiError.bad(f"message to {verb} not found")
        return src_chat, src

    def _copy_message(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        _src_chat, src = self._source_message(bot, p, "copy")
        chat = self._send_target(bot, p)
        markup = self._parse_markup(p.get("reply_markup"), inline_only=False)
        reply = self._reply_to(chat, p)
        msg = self._new_message(bot, chat, bot.user_dict())
        if reply is not None:
            msg["reply_to_message"] = reply
        for key in ("text", "entities", "document", "photo", "sticker", "caption",
                    "caption_entities"):  # fmt: skip
            if key in src:
                msg[key] = _clone(src[key])
        if "caption" in p:
            msg.pop("caption", None)
            msg.pop("caption_entities", None)
            self._caption(bot, msg, p)
        self._finish_send(bot, chat, msg, p, "copyMessage", markup)
        return {"message_id": msg["message_id"]}

    def _forward_message(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        src_chat, src = self._source_message(bot, p, "forward")
        chat = self._send_target(bot, p)
        msg = self._new_message(bot, chat, bot.user_dict())
        origin: JSON
        if src_chat.type == "private" or "from" in src:
            origin = {"type": "user", "sender_user": _clone(src["from"]), "date": src["date"]}
        else:
            origin = {"type": "chat", "sender_chat": src_chat.chat, "date": src["date"]}
        msg["forward_origin"] = origin
        for key in ("text", "entities", "document", "photo", "sticker", "caption",
                    "caption_entities"):  # fmt: skip
            if key in src:
                msg[key] = _clone(src[key])
        return self._finish_send(bot, chat, msg, p, "forwardMessage", ("none", None))

    # ------------------------------------------------------------ editing / deleting

    def _editable(self, bot: _BotState, p: JSON) -> tuple[_ChatState, JSON]:
        if p.get("inline_message_id"):
            raise ApiError.bad("inline messages are not supported by the emulator")
        chat = self._chat_or_404(bot, p.get("chat_id"))
        message_id = p.get("message_id")
        if message_id is None:
            raise ApiError.bad("message identifier is not specified")
        msg = chat.messages.get(message_id)
        if msg is None:
            raise ApiError.bad("message to edit not found")
        if msg.get("from", {}).get("id") != bot.id:
            raise ApiError.bad("message can't be edited")
        return chat, msg

    def _finish_edit(
        self, bot: _BotState, chat: _ChatState, msg: JSON, new: JSON, p: JSON, method: str
    ) -> JSON:
        keys = ("text", "entities", "caption", "caption_entities", "reply_markup")
        if all(msg.get(k) == new.get(k) for k in keys):
            raise ApiError.bad(NOT_MODIFIED)
        for k in keys:
            if new.get(k) is None:
                msg.pop(k, None)
            else:
                msg[k] = new[k]
        msg["edit_date"] = int(time.time())
        self._emit(bot, chat, "edit", method, msg, p)
        return _clone(msg)

    def _edit_message_text(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        chat, msg = self._editable(bot, p)
        if "text" not in msg:
            raise ApiError.bad("there is no text in the message to edit")
        ft = self._format(bot, p.get("text"), p, caption=False)
        assert ft is not None
        _kind, markup = self._parse_markup(p.get("reply_markup"), inline_only=True)
        new = {"text": ft.text, "entities": ft.entities or None, "reply_markup": markup}
        return self._finish_edit(bot, chat, msg, new, p, "editMessageText")

    def _edit_message_caption(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        chat, msg = self._editable(bot, p)
        if "text" in msg or not any(k in msg for k in ("document", "photo")):
            raise ApiError.bad("there is no caption in the message to edit")
        probe: JSON = {}
        self._caption(bot, probe, {**p, "caption": p.get("caption") or ""})
        _kind, markup = self._parse_markup(p.get("reply_markup"), inline_only=True)
        new = {
            "caption": probe.get("caption"),
            "caption_entities": probe.get("caption_entities"),
            "reply_markup": markup,
        }
        return self._finish_edit(bot, chat, msg, new, p, "editMessageCaption")

    def _edit_message_reply_markup(
        self, bot: _BotState, p: JSON, files: Mapping[str, Upload]
    ) -> JSON:
        chat, msg = self._editable(bot, p)
        _kind, markup = self._parse_markup(p.get("reply_markup"), inline_only=True)
        new = {k: msg.get(k) for k in ("text", "entities", "caption", "caption_entities")}
        new["reply_markup"] = markup
        return self._finish_edit(bot, chat, msg, new, p, "editMessageReplyMarkup")

    def _can_delete(self, bot: _BotState, chat: _ChatState, msg: JSON) -> bool:
        if chat.type == "private":
            return True
        if msg.get("from", {}).get("id") == bot.id:
            return True
        return chat.bot_status == "administrator"

    def _delete_message(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        chat = self._chat_or_404(bot, p.get("chat_id"))
        message_id = p.get("message_id")
        if not isinstance(message_id, int) or message_id not in chat.messages:
            raise ApiError.bad("message to delete not found")
        msg = chat.messages[message_id]
        if not self._can_delete(bot, chat, msg):
            raise ApiError.bad("message can't be deleted")
        del chat.messages[message_id]
        self._emit(bot, chat, "delete", "deleteMessage", msg, p)
        return True

    def _delete_messages(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        chat = self._chat_or_404(bot, p.get("chat_id"))
        ids = p.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise ApiError.bad("message_ids must be a non-empty Array of up to 100 integers")
        for message_id in ids:
            msg = chat.messages.get(message_id) if isinstance(message_id, int) else None
            if msg is not None and self._can_delete(bot, chat, msg):
                del chat.messages[message_id]
                self._emit(bot, chat, "delete", "deleteMessages", msg, p)
        return True

    def _answer_callback_query(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        cb = bot.callbacks.get(query_id)
        expired = (
            cb is not None
            and self.callback_query_ttl is not None
            and time.monotonic() - cb.created > self.callback_query_ttl
        )
        if cb is None or cb.answered or expired:
            raise ApiError.bad(QUERY_TOO_OLD)
        text = p.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError.bad("MESSAGE_TOO_LONG")
        cb.answered = True
        chat = bot.chats[cb.chat_id]
        self._emit(bot, chat, "callback_answer", "answerCallbackQuery",
                   chat.messages.get(cb.message_id), p)  # fmt: skip
        return True

    # ------------------------------------------------------------ pins

    def _pin_rights(self, bot: _BotState, chat: _ChatState) -> None:
        if chat.type != "private" and chat.bot_status != "administrator":
            raise ApiError.bad("not enough rights to manage pinned messages in the chat")

    def _pin_chat_message(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        chat = self._send_target(bot, p)
        self._pin_rights(bot, chat)
        message_id = p.get("message_id")
        if not isinstance(message_id, int) or message_id not in chat.messages:
            raise ApiError.bad("message to pin not found")
        msg = chat.messages[message_id]
        if message_id in chat.pinned:
            chat.pinned.remove(message_id)
        chat.pinned.append(message_id)
        self._emit(bot, chat, "pin", "pinChatMessage", msg, p)
        return True

    def _unpin_chat_message(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        chat = self._send_target(bot, p)
        self._pin_rights(bot, chat)
        message_id = p.get("message_id")
        if message_id is None and chat.pinned:
            message_id = chat.pinned[-1]
        if message_id not in chat.pinned:
            raise ApiError.bad("message to unpin not found")
        chat.pinned.remove(message_id)
        self._emit(bot, chat, "unpin", "unpinChatMessage", chat.messages.get(message_id), p)
        return True

    def _unpin_all_chat_messages(
        self, bot: _BotState, p: JSON, files: Mapping[str, Upload]
    ) -> bool:
        chat = self._send_target(bot, p)
        self._pin_rights(bot, chat)
        chat.pinned.clear()
        self._emit(bot, chat, "unpin", "unpinAllChatMessages", None, p)
        return True

    # ------------------------------------------------------------ files

    def _get_file(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        file_id = p.get("file_id")
        rec = self.files.get(file_id) if isinstance(file_id, str) else None
        if rec is None or rec.owner_bot_id != bot.id:
            raise ApiError.bad("invalid file_id")
        if rec.file_size > DOWNLOAD_LIMIT:
            raise ApiError.bad("file is too big")
        return rec.file_dict()

    def file_for_download(self, token: str, file_path: str) -> FileRecord | None:
        """Record served at ``/file/bot<token>/<file_path>`` (``None`` → 404)."""
        bot = self._bots.get(token)
        if bot is None:
            return None
        return self.files.by_path(bot.id, file_path)

    def file_bytes(self, token: str, file_id: str) -> bytes:
        """Bytes behind a file id of this bot (e.g. a document the bot sent)."""
        bot = self._bot(token)
        rec = self.files.get(file_id)
        if rec is None or rec.owner_bot_id != bot.id:
            raise EmulatorError(f"unknown file_id {file_id!r} for this bot")
        return self.files.read(rec)

    # ------------------------------------------------------------ commands & profile

    def _scope_key(self, bot: _BotState, p: JSON) -> tuple[str, int, int, str]:
        scope = p.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise ApiError.bad("can't parse BotCommandScope JSON object")
        stype = str(scope["type"])
        chat_id = 0
        user_id = 0
        if stype in ("chat", "chat_administrators", "chat_member"):
            chat_id = self._chat_or_404(bot, scope.get("chat_id")).id
        if stype == "chat_member":
            raw_user = scope.get("user_id")
            if not isinstance(raw_user, int):
                raise ApiError.bad("user not found")
            user_id = raw_user
        lang = p.get("language_code") or ""
        if not isinstance(lang, str) or (lang and not re.fullmatch(r"[a-z]{2}", lang)):
            raise ApiError.bad("invalid language code specified")
        return stype, chat_id, user_id, lang

    def _set_my_commands(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise ApiError.bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError.bad("BOT_COMMANDS_TOO_MUCH")
        clean: list[JSON] = []
        for c in commands:
            if not isinstance(c, dict):
                raise ApiError.bad("can't parse BotCommand JSON object")
            name = c.get("command")
            desc = c.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError.bad("BOT_COMMAND_INVALID")
            if not isinstance(desc, str) or not 1 <= len(desc.strip()) <= 256:
                raise ApiError.bad("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": name, "description": desc})
        key = self._scope_key(bot, p)
        if clean:
            bot.commands[key] = clean
        else:
            bot.commands.pop(key, None)
        return True

    def _get_my_commands(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> list[JSON]:
        return _clone(bot.commands.get(self._scope_key(bot, p), []))

    def _delete_my_commands(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        bot.commands.pop(self._scope_key(bot, p), None)
        return True

    def _set_chat_menu_button(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        button = p.get("menu_button")
        valid_types = ("commands", "web_app", "default")
        if button is not None and (
            not isinstance(button, dict) or button.get("type") not in valid_types
        ):
            raise ApiError.bad("can't parse menu button JSON object")
        if p.get("chat_id") is None:
            bot.default_menu_button = button
        else:
            self._chat_or_404(bot, p.get("chat_id")).menu_button = button
        return True

    def _get_chat_menu_button(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        if p.get("chat_id") is not None:
            button = self._chat_or_404(bot, p.get("chat_id")).menu_button
            if button is not None:
                return _clone(button)
        return _clone(bot.default_menu_button or {"type": "default"})

    def _set_text_setting(self, store: dict[str, str], p: JSON, key: str, limit: int) -> bool:
        value = p.get(key) or ""
        if not isinstance(value, str):
            raise ApiError.bad(f"invalid {key}")
        if len(value) > limit:
            raise ApiError.bad(f"{key} is too long")
        lang = str(p.get("language_code") or "")
        if value:
            store[lang] = value
        else:
            store.pop(lang, None)
        return True

    def _set_my_description(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        return self._set_text_setting(bot.descriptions, p, "description", 512)

    def _get_my_description(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        lang = str(p.get("language_code") or "")
        return {"description": bot.descriptions.get(lang, bot.descriptions.get("", ""))}

    def _set_my_short_description(
        self, bot: _BotState, p: JSON, files: Mapping[str, Upload]
    ) -> bool:
        return self._set_text_setting(bot.short_descriptions, p, "short_description", 120)

    def _get_my_short_description(
        self, bot: _BotState, p: JSON, files: Mapping[str, Upload]
    ) -> JSON:
        lang = str(p.get("language_code") or "")
        value = bot.short_descriptions.get(lang, bot.short_descriptions.get("", ""))
        return {"short_description": value}

    def _set_my_name(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        return self._set_text_setting(bot.names, p, "name", 64)

    def _get_my_name(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        lang = str(p.get("language_code") or "")
        return {"name": bot.names.get(lang, bot.names.get("", bot.first_name))}

    # ------------------------------------------------------------ chat info

    def _get_chat(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        value = p.get("chat_id")
        try:
            chat_dict = _clone(self._chat_or_404(bot, value).chat)
        except ApiError:
            if isinstance(value, int) and value in bot.users:
                user = bot.users[value]
                chat_dict = {"id": value, "type": "private", "first_name": user["first_name"]}
                for k in ("last_name", "username"):
                    if k in user:
                        chat_dict[k] = user[k]
            else:
                raise
        chat_dict.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return chat_dict

    def _member_status(self, bot: _BotState, chat: _ChatState, user_id: int) -> str:
        if user_id == bot.id:
            return chat.bot_status
        if chat.type == "private":
            return "member" if user_id == chat.id else "left"
        return chat.members.get(user_id, "left")

    def _get_chat_member(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> JSON:
        chat = self._chat_or_404(bot, p.get("chat_id"))
        user_id = p.get("user_id")
        if not isinstance(user_id, int):
            raise ApiError.bad("user not found")
        if user_id == bot.id:
            user = bot.user_dict()
        elif user_id in bot.users:
            user = bot.users[user_id]
        else:
            raise ApiError.bad("user not found")
        return _member_dict(_clone(user), self._member_status(bot, chat, user_id))

    def _get_chat_administrators(
        self, bot: _BotState, p: JSON, files: Mapping[str, Upload]
    ) -> list[JSON]:
        chat = self._chat_or_404(bot, p.get("chat_id"))
        if chat.type == "private":
            raise ApiError.bad("there are no administrators in the private chat")
        admins = [
            _member_dict(_clone(bot.users[uid]), status)
            for uid, status in chat.members.items()
            if status in ("creator", "administrator") and uid in bot.users
        ]
        if chat.bot_status == "administrator":
            admins.append(_member_dict(bot.user_dict(), "administrator"))
        return admins

    def _get_chat_member_count(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> int:
        chat = self._chat_or_404(bot, p.get("chat_id"))
        if chat.type == "private":
            return 2
        members = sum(1 for s in chat.members.values() if s in ("creator", "administrator",
                                                                "member"))  # fmt: skip
        return members + (1 if chat.bot_status in ("member", "administrator") else 0)

    def _leave_chat(self, bot: _BotState, p: JSON, files: Mapping[str, Upload]) -> bool:
        chat = self._chat_or_404(bot, p.get("chat_id"))
        if chat.type == "private":
            raise ApiError.bad("chat member status can't be changed in private chats")
        self._check_can_send(chat)
        old = chat.bot_status
        chat.bot_status = "left"
        self._emit(bot, chat, "leave", "leaveChat", None, p)
        self._bot_member_changed(bot, chat.chat, bot.user_dict(), old, "left")
        return True

    # ------------------------------------------------------------ user side

    def _remember_user(self, bot: _BotState, user: UserLike) -> User:
        u = user if isinstance(user, User) else User.from_dict(user)
        bot.users[u.id] = u.to_dict()
        return u

    def _user_chat(self, bot: _BotState, user: User, chat: ChatLike) -> _ChatState:
        if chat is None or (isinstance(chat, int) and chat == user.id):
            chat = Chat.private(user)
        if isinstance(chat, int):
            state = bot.chats.get(chat)
            if state is None:
                raise EmulatorError(f"unknown chat {chat}; pass a Chat to create it")
            chat = Chat.from_dict(state.chat)
        elif not isinstance(chat, Chat):
            chat = Chat.from_dict(chat)
        if chat.type == "private":
            if chat.id != user.id:
                raise EmulatorError("a private chat's id must be the sending user's id")
            state = bot.chats.get(chat.id)
            if state is None:
                state = _ChatState(chat=chat.to_dict(), type="private")
                bot.chats[chat.id] = state
            else:
                state.chat = chat.to_dict()
            if user.id in bot.blocked_by or state.blocked:
                # Writing to a bot you blocked unblocks it (Telegram's "Restart bot").
                self.set_blocked(bot.token, user.id, False)
            return state
        state = bot.chats.get(chat.id)
        if state is None or state.bot_status not in ("member", "administrator"):
            raise EmulatorError(
                f"the bot is not a member of chat {chat.id}; call add_to_group() first"
            )
        status = state.members.get(user.id)
        if status == "kicked":
            raise EmulatorError(f"user {user.id} was banned from chat {chat.id}")
        if status in (None, "left"):
            state.members[user.id] = "member"
        return state

    def _mark_user_action(self, bot: _BotState, chat: _ChatState) -> None:
        seq = len(bot.events)
        chat.last_user_seq = seq
        bot.last_user_seq = seq

    def _delivers(self, bot: _BotState, chat: _ChatState, msg: JSON) -> bool:
        """Telegram's group privacy mode."""
        if chat.type == "private" or bot.can_read_all_group_messages:
            return True
        if chat.bot_status == "administrator":
            return True
        text = str(msg.get("text", msg.get("caption", "")))
        ents = msg.get("entities") or msg.get("caption_entities") or []
        if ents and ents[0]["type"] == "bot_command" and ents[0]["offset"] == 0:
            command = text[: ents[0]["length"]]
            if "@" not in command or command.split("@", 1)[1].lower() == bot.username.lower():
                return True
        reply = msg.get("reply_to_message")
        return bool(reply and reply.get("from", {}).get("id") == bot.id)

    def _user_message(
        self,
        bot: _BotState,
        user: UserLike,
        chat: ChatLike,
        reply_to: int | None,
    ) -> tuple[_ChatState, JSON]:
        u = self._remember_user(bot, user)
        state = self._user_chat(bot, u, chat)
        msg = self._new_message(bot, state, u.to_dict())
        if reply_to is not None:
            target = state.messages.get(reply_to)
            if target is None:
                raise EmulatorError(f"message {reply_to} not found in chat {state.id}")
            snapshot = _clone(target)
            snapshot.pop("reply_to_message", None)
            msg["reply_to_message"] = snapshot
        return state, msg

    def _deliver_user_message(self, bot: _BotState, state: _ChatState, msg: JSON) -> JSON:
        self._store(state, msg)
        self._mark_user_action(bot, state)
        if self._delivers(bot, state, msg):
            self._enqueue(bot, "message", msg)
        else:
            self._changed.fire()
        return _clone(msg)

    @staticmethod
    def _user_text(text: str, *, caption: bool) -> tuple[str, list[JSON]]:
        fixed = normalize(text, [], allow_empty=caption)
        if fixed is None:
            raise EmulatorError("message text is empty")
        clean, ents = fixed
        limit = CAPTION_LIMIT if caption else TEXT_LIMIT
        if utf16_len(clean) > limit:
            raise EmulatorError(f"text longer than {limit} UTF-16 code units")
        return clean, to_api_entities(clean, ents)

    def send_text(
        self,
        token: str,
        user: UserLike,
        text: str,
        chat: ChatLike = None,
        *,
        reply_to: int | None = None,
    ) -> JSON:
        """The user sends ``text`` (private chat by default).  Entities Telegram would
        detect (``bot_command`` for ``/cmd``, ``/cmd@bot args``, mentions, hashtags, URLs,
        e-mails) are added.  Returns the Message dict (also queued as a ``message`` update,
        unless group privacy mode hides it from the bot)."""
        bot = self._bot(token)
        state, msg = self._user_message(bot, user, chat, reply_to)
        clean, ents = self._user_text(text, caption=False)
        msg["text"] = clean
        if ents:
            msg["entities"] = ents
        return self._deliver_user_message(bot, state, msg)

    def send_photo(
        self,
        token: str,
        user: UserLike,
        data: bytes,
        caption: str | None = None,
        chat: ChatLike = None,
    ) -> JSON:
        """The user sends a photo (PNG / JPEG / GIF / WebP / BMP bytes)."""
        bot = self._bot(token)
        info = image_info(data)
        if info is None:
            raise EmulatorError("send_photo needs PNG/JPEG/GIF/WebP/BMP bytes")
        state, msg = self._user_message(bot, user, chat, None)
        msg["photo"] = [r.photo_size_dict() for r in self.files.add_photo(bot.id, data, info)]
        self._user_caption(msg, caption)
        return self._deliver_user_message(bot, state, msg)

    def _user_caption(self, msg: JSON, caption: str | None) -> None:
        if caption:
            clean, ents = self._user_text(caption, caption=True)
            if clean:
                msg["caption"] = clean
                if ents:
                    msg["caption_entities"] = ents

    def send_document(
        self,
        token: str,
        user: UserLike,
        data: bytes,
        filename: str,
        mime_type: str | None = None,
        chat: ChatLike = None,
        *,
        caption: str | None = None,
    ) -> JSON:
        """The user sends a file as a document."""
        bot = self._bot(token)
        if not data:
            raise EmulatorError("empty file")
        state, msg = self._user_message(bot, user, chat, None)
        rec = self.files.add_document(bot.id, data, filename, mime_type)
        msg["document"] = rec.document_dict()
        self._user_caption(msg, caption)
        return self._deliver_user_message(bot, state, msg)

    def send_sticker(
        self, token: str, user: UserLike, chat: ChatLike = None, *, emoji: str = "👍"
    ) -> JSON:
        """The user sends a (placeholder) sticker."""
        bot = self._bot(token)
        state, msg = self._user_message(bot, user, chat, None)
        rec = self.files.add_sticker(bot.id, b"RIFF\x0c\x00\x00\x00WEBPVP8 emulated-sticker")
        msg["sticker"] = self._sticker_dict(rec, emoji)
        return self._deliver_user_message(bot, state, msg)

    @staticmethod
    def _chat_message(bot: _BotState, chat_id: int, message_id: int) -> tuple[_ChatState, JSON]:
        """A message the bot's chat holds, with that chat; :class:`EmulatorError` if none."""
        state = bot.chats.get(chat_id)
        msg = state.messages.get(message_id) if state else None
        if state is None or msg is None:
            raise EmulatorError(f"message {message_id} not found in chat {chat_id}")
        return state, msg

    def edit_text(
        self, token: str, user: UserLike, chat_id: int, message_id: int, new_text: str
    ) -> JSON:
        """The user edits their own text message → ``edited_message`` update."""
        bot = self._bot(token)
        u = self._remember_user(bot, user)
        state, msg = self._chat_message(bot, chat_id, message_id)
        if msg.get("from", {}).get("id") != u.id or "text" not in msg:
            raise EmulatorError("users can only edit their own text messages")
        clean, ents = self._user_text(new_text, caption=False)
        if clean == msg["text"]:
            raise EmulatorError("text not modified")
        msg["text"] = clean
        if ents:
            msg["entities"] = ents
        else:
            msg.pop("entities", None)
        msg["edit_date"] = int(time.time())
        self._mark_user_action(bot, state)
        if self._delivers(bot, state, msg):
            self._enqueue(bot, "edited_message", msg)
        return _clone(msg)

    def buttons(self, token: str, chat_id: int, message_id: int) -> list[list[JSON]]:
        """Current inline keyboard rows of a message ([] if none)."""
        bot = self._bot(token)
        _, msg = self._chat_message(bot, chat_id, message_id)
        return _clone(msg.get("reply_markup", {}).get("inline_keyboard", []))

    def press(
        self,
        token: str,
        user: UserLike,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        forge: bool = False,
    ) -> JSON:
        """The user presses the inline button with ``callback_data == data`` → a
        ``callback_query`` update carrying the message as it currently is.

        Raises :class:`EmulatorError` if no such button is on the message's current
        keyboard, unless ``forge=True`` (send arbitrary data, as a malicious client
        could).  Returns the CallbackQuery dict (its ``id`` is what the bot must answer).
        """
        bot = self._bot(token)
        u = self._remember_user(bot, user)
        state, msg = self._chat_message(bot, chat_id, message_id)
        if not forge:
            if msg.get("from", {}).get("id") != bot.id:
                raise EmulatorError("only the bot's messages have inline buttons")
            rows = msg.get("reply_markup", {}).get("inline_keyboard", [])
            available = [b["callback_data"] for row in rows for b in row if "callback_data" in b]
            if data not in available:
                raise EmulatorError(
                    f"no button with callback_data={data!r} on message {message_id}; "
                    f"available: {available!r} (use forge=True to send it anyway)"
                )
        if state.type != "private":
            self._user_chat(bot, u, state.id)
        query_id = f"{bot.id}{next(bot.callback_counter):07d}"
        bot.callbacks[query_id] = _Callback(query_id, state.id, message_id, u.id,
                                            time.monotonic())  # fmt: skip
        callback: JSON = {
            "id": query_id,
            "from": u.to_dict(),
            "message": _clone(msg),
            "chat_instance": str((state.id * 2654435761 + bot.id) % 10**19),
            "data": data,
        }
        self._mark_user_action(bot, state)
        self._enqueue(bot, "callback_query", callback)
        return callback

    def add_to_group(
        self, token: str, user: UserLike, chat: Chat | Mapping[str, Any], *, admin: bool = False
    ) -> JSON:
        """``user`` adds the bot to a group / supergroup (creating it), or changes its
        status there.  The bot gets a ``my_chat_member`` update (returned, as a
        ChatMemberUpdated dict) and, if it was not a member, a service message with
        ``new_chat_members``.  ``admin=True`` makes the bot an administrator (it then
        sees all messages and may delete others' messages)."""
        bot = self._bot(token)
        u = self._remember_user(bot, user)
        c = chat if isinstance(chat, Chat) else Chat.from_dict(chat)
        if c.type == "private":
            raise EmulatorError("add_to_group needs a group or supergroup chat")
        state = bot.chats.get(c.id)
        if state is None:
            state = _ChatState(chat=c.to_dict(), type=c.type, bot_status="left")
            state.members[u.id] = "creator"
            bot.chats[c.id] = state
        elif state.members.get(u.id) in (None, "left"):
            state.members[u.id] = "member"
        old = state.bot_status
        state.bot_status = "administrator" if admin else "member"
        update = self._bot_member_changed(bot, state.chat, u.to_dict(), old, state.bot_status)
        if old in ("left", "kicked"):
            msg = self._new_message(bot, state, u.to_dict())
            msg["new_chat_members"] = [bot.user_dict()]
            msg["new_chat_member"] = bot.user_dict()
            msg["new_chat_participant"] = bot.user_dict()
            self._store(state, msg)
            self._enqueue(bot, "message", msg)
        self._mark_user_action(bot, state)
        return _clone(update)

    def remove_from_group(self, token: str, user: UserLike, chat_id: int) -> None:
        """``user`` removes the bot from a group → ``my_chat_member`` (``left``)."""
        bot = self._bot(token)
        u = self._remember_user(bot, user)
        state = bot.chats.get(chat_id)
        if state is None or state.type == "private":
            raise EmulatorError(f"unknown group {chat_id}")
        old = state.bot_status
        state.bot_status = "left"
        self._bot_member_changed(bot, state.chat, u.to_dict(), old, "left")
        self._mark_user_action(bot, state)

    # ------------------------------------------------------------ observation

    def set_settled(self, token: str, settled: Callable[[], bool] | None) -> None:
        """Let :meth:`wait_for_events` ask the bot whether it has finished (see
        ``_BotState.settled``); :meth:`notify` after that answer may have changed."""
        self._bot(token).settled = settled

    def queued_updates(self, token: str) -> int:
        """How many updates have been queued for the bot so far."""
        return self._bot(token).next_update_id - 1

    def notify(self, token: str) -> None:
        """Wake the waiters of ``token`` (the bot's ``settled`` answer changed)."""
        self._bot(token).signal.fire()

    def last_seq(self, token: str) -> int:
        """Sequence number of the bot's latest event (0 if none)."""
        return len(self._bot(token).events)

    def events(
        self,
        token: str,
        chat_id: int | None = None,
        since: int = 0,
        kinds: Collection[str] | None = None,
    ) -> list[Event]:
        """Bot events with ``seq > since`` (optionally one chat / some kinds), oldest first."""
        bot = self._bot(token)
        if chat_id is None:
            found: Iterable[Event] = bot.events[max(since, 0) :]
        else:
            state = bot.chats.get(chat_id)
            if state is None:
                return []
            start = bisect.bisect_right(state.events, since, key=lambda e: e.seq)
            found = state.events[start:]
        if kinds is not None:
            return [e for e in found if e.kind in kinds]
        return list(found)

    def _default_since(self, bot: _BotState, chat_id: int | None) -> int:
        if chat_id is None:
            return bot.last_user_seq
        state = bot.chats.get(chat_id)
        return state.last_user_seq if state else 0

    async def wait_for_events(
        self,
        token: str,
        chat_id: int | None = None,
        since: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
        quiet: float = 0.3,
        kinds: Collection[str] | None = None,
    ) -> list[Event]:
        """Wait until at least one event newer than ``since`` exists and no further one
        arrived for ``quiet`` seconds; or until ``timeout`` (then return what there is,
        possibly ``[]``).

        ``since=None`` means "since the last user action" (send/press/edit/…) in
        ``chat_id`` (or, without ``chat_id``, in any chat of the bot) — i.e. the bot's
        reaction to what the user just did.
        """
        bot = self._bot(token)
        if since is None:
            since = self._default_since(bot, chat_id)
        deadline = time.monotonic() + timeout
        while True:
            found = self.events(token, chat_id, since, kinds)
            now = time.monotonic()
            if found:
                # A bot under test that says it has finished everything it was given
                # (``settled``) sends nothing more: a short quiet window is enough.
                settled = bot.settled is not None and bot.settled()
                quiet_end = found[-1].mono + (min(quiet, SETTLED_QUIET) if settled else quiet)
                if now >= quiet_end:
                    return found
                wake = min(quiet_end, deadline)
            else:
                wake = deadline
            if now >= deadline or self._closing:
                return found
            await bot.signal.wait(wake - now)

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> T:
        """Re-evaluate ``predicate`` whenever emulator state changes (bot API call,
        update, event) until it returns something truthy, which is returned.
        Raises ``TimeoutError`` after ``timeout`` seconds.  Not polled: state outside the
        emulator (e.g. a database) is only re-checked when the emulator sees activity."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing:
                raise TimeoutError(f"condition not met within {timeout} s")
            await self._changed.wait(remaining)

    def messages(self, token: str, chat_id: int) -> list[JSON]:
        """Current state of a chat's (not deleted) messages, oldest first."""
        state = self._bot(token).chats.get(chat_id)
        return [_clone(m) for m in state.messages.values()] if state else []

    def message(self, token: str, chat_id: int, message_id: int) -> JSON | None:
        state = self._bot(token).chats.get(chat_id)
        msg = state.messages.get(message_id) if state else None
        return _clone(msg) if msg is not None else None

    def chats(self, token: str) -> list[JSON]:
        """Chat objects the bot knows."""
        return [_clone(s.chat) for s in self._bot(token).chats.values()]

    def reply_keyboard(self, token: str, chat_id: int) -> JSON | None:
        """The custom reply keyboard currently shown in a chat (None if removed/never set)."""
        state = self._bot(token).chats.get(chat_id)
        return _clone(state.reply_keyboard) if state and state.reply_keyboard else None

    def pinned(self, token: str, chat_id: int) -> list[int]:
        state = self._bot(token).chats.get(chat_id)
        return list(state.pinned) if state else []

    def pending_updates(self, token: str) -> list[JSON]:
        """Updates queued and not yet confirmed by the bot."""
        return [_clone(u) for u in self._bot(token).updates]

    def api_errors(self, token: str) -> list[ApiCallError]:
        """Every Bot API call of this bot that returned an error."""
        return list(self._bot(token).errors)

    def call_counts(self, token: str) -> dict[str, int]:
        """Number of calls per (lower-cased) Bot API method."""
        return dict(self._bot(token).call_counts)

    def commands(
        self, token: str, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[JSON]:
        """Commands stored for exactly this scope and language (like getMyCommands)."""
        bot = self._bot(token)
        p: JSON = {"scope": dict(scope) if scope else None, "language_code": language_code}
        try:
            return _clone(bot.commands.get(self._scope_key(bot, p), []))
        except ApiError as exc:
            raise EmulatorError(exc.description) from exc

    def commands_for(
        self, token: str, chat_id: int, user_id: int | None = None, language_code: str = ""
    ) -> list[JSON]:
        """The command menu a user would see in a chat (Telegram's scope resolution)."""
        bot = self._bot(token)
        state = bot.chats.get(chat_id)
        if state is None:
            return []
        uid = user_id if user_id is not None else (chat_id if state.type == "private" else 0)
        is_admin = state.members.get(uid) in ("creator", "administrator")
        if state.type == "private":
            scopes = [("chat", chat_id, 0), ("all_private_chats", 0, 0), ("default", 0, 0)]
        else:
            scopes = [("chat_member", chat_id, uid)]
            if is_admin:
                scopes.append(("chat_administrators", chat_id, 0))
            scopes.append(("chat", chat_id, 0))
            if is_admin:
                scopes.append(("all_chat_administrators", 0, 0))
            scopes += [("all_group_chats", 0, 0), ("default", 0, 0)]
        langs = [language_code, ""] if language_code else [""]
        for stype, cid, u in scopes:
            for lang in langs:
                found = bot.commands.get((stype, cid, u, lang))
                if found:
                    return _clone(found)
        return []

    # ------------------------------------------------------------ lifecycle

    def _wake_all(self) -> None:
        for bot in self._bots.values():
            bot.signal.fire()
        self._changed.fire()

    def close_files(self) -> None:
        """Remove the files directory if the emulator created it."""
        if self._owns_files_dir:
            shutil.rmtree(self.files.root, ignore_errors=True)
