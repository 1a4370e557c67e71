"""HTTP face of the emulator: the Bot API for the bot, a small JSON API for drivers.

Routes (``<TOKEN>`` is a bot token such as ``123:ABC``):

* ``GET|POST /bot<TOKEN>/<method>`` — the Bot API, as ``api.telegram.org`` serves it.
  Parameters from the query string, ``application/json``,
  ``application/x-www-form-urlencoded`` or ``multipart/form-data`` (uploads).
* ``GET /file/bot<TOKEN>/<file_path>`` — file downloads (``file_path`` from getFile).
* ``GET|POST /_emulator/<TOKEN>/<operation>`` — the user side, JSON in / JSON out, for
  benchmarks or consoles in another process.  Parameters come from the JSON body and/or
  the query string; responses are ``{"ok": true, "result": ..., "last_seq": N}`` or
  ``{"ok": false, "description": "..."}`` (HTTP 400).  Operations:

  - ``register`` — ``username``, ``first_name``, ``can_read_all_group_messages``
  - ``send_text`` — ``user`` (object with ``id``, ``first_name``, …), ``text``,
    optional ``chat`` (Chat object or id), ``reply_to``
  - ``send_photo`` / ``send_document`` — ``user``, ``data_base64``, ``caption``,
    ``chat``; documents also ``filename``, ``mime_type``
  - ``send_sticker`` — ``user``, ``chat``, ``emoji``
  - ``edit_text`` — ``user``, ``chat_id``, ``message_id``, ``text``
  - ``press`` — ``user``, ``chat_id``, ``message_id``, ``data``, ``forge``
  - ``add_to_group`` — ``user``, ``chat``, ``admin``
  - ``block`` — ``user_id``, ``blocked`` (default true)
  - ``fail_next`` — ``method``, ``times``, ``error_code``, ``retry_after``, ``description``
  - ``events`` — ``since``, ``chat_id``, ``kinds`` (comma separated); with ``wait=1`` it
    long-polls like :meth:`~bot.emulator.core.EmulatorCore.wait_for_events`
    (``timeout``, ``quiet``)
  - ``messages`` — ``chat_id``
  - ``errors`` — Bot API calls of the bot that failed
  - ``webhook_route`` — ``url``, ``targets`` (list or comma separated): a test load
    balancer, see :mod:`bot.emulator.webhook`
  - ``set_webhook`` — ``url`` (one or a list, round-robin), ``secret_token``;
    ``webhook`` — the bot's ``getWebhookInfo`` plus ``targets``, ``delivered``, ``posts``
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.emulator.core import (
    TOKEN_RE,
    ApiError,
    EmulatorCore,
    EmulatorError,
    Upload,
    User,
)

__all__ = ["BotApiEmulator"]

_log = logging.getLogger(__name__)
JSON = dict[str, Any]
_dumps = partial(json.dumps, ensure_ascii=False)

#: Largest accepted request body (Telegram accepts 50 MB uploads).
MAX_REQUEST_SIZE = 60 * 1024 * 1024


def _json_response(body: JSON, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=_dumps)


def _not_found() -> web.Response:
    return _json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)


class BotApiEmulator(EmulatorCore):
    """A local Telegram Bot API server with a user-side driver API.

    Point python-telegram-bot at it with::

        app = (ApplicationBuilder().token("123:ABC")
               .base_url(emu.base_url).base_file_url(emu.base_file_url).build())

    Every well-formed token is its own bot (see :meth:`register_bot` to name it).  Drive
    users with :meth:`send_text`, :meth:`press`, …; observe the bot with :meth:`events`,
    :meth:`wait_for_events`, :meth:`messages`, :meth:`api_errors`.  Use as
    ``async with BotApiEmulator() as emu:`` or call :meth:`start` / :meth:`stop`.
    An emulator is started once; create a new one instead of restarting.

    Args:
        host: interface to bind (default loopback only).
        port: TCP port; ``0`` picks a free one (see :attr:`port`).
        files_dir: where uploads are stored (default: a temporary directory removed on
            :meth:`stop`).
        strict_html, auto_register, callback_query_ttl, latency: see
            :class:`~bot.emulator.core.EmulatorCore` (``latency=0.05``: every Bot API call
            but ``getUpdates`` is answered 50 ms later, as from Telegram).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        files_dir: str | Path | None = None,
        *,
        strict_html: bool = True,
        auto_register: bool = True,
        callback_query_ttl: float | None = None,
        latency: float = 0.0,
    ) -> None:
        super().__init__(
            files_dir,
            strict_html=strict_html,
            auto_register=auto_register,
            callback_query_ttl=callback_query_ttl,
            latency=latency,
        )
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------ lifecycle

    def make_app(self) -> web.Application:
        """The aiohttp application (for embedding in another aiohttp server)."""
        app = web.Application(client_max_size=MAX_REQUEST_SIZE)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_bot)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/_emulator/{token}/{op}", self._handle_user)
        app.router.add_route("GET", "/", self._handle_index)
        return app

    async def start(self) -> None:
        """Start listening (idempotent)."""
        if self._runner is not None:
            return
        if self._closing:
            raise RuntimeError("this emulator was stopped; create a new one")
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        _log.info("Bot API emulator listening on %s", self.url)

    async def stop(self) -> None:
        """Stop serving: pending long polls return, the files directory is removed if
        the emulator created it."""
        self._closing = True
        self._wake_all()
        await self.close_webhooks()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.close_files()

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("emulator not started")
        return self._port

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:8081``."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` (the token is appended)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.url}/file/bot"

    @property
    def user_api_url(self) -> str:
        """Prefix of the user-side HTTP API (append ``<TOKEN>/<operation>``)."""
        return f"{self.url}/_emulator"

    # ------------------------------------------------------------ Bot API

    async def _read_request(self, request: web.Request) -> tuple[JSON, dict[str, Upload]]:
        raw: JSON = dict(request.query.items())
        files: dict[str, Upload] = {}
        if not request.body_exists:
            return raw, files
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = json.loads(await request.text())
            except ValueError as exc:
                raise ApiError.bad("can't parse JSON request body") from exc
            if not isinstance(body, dict):
                raise ApiError.bad("JSON request body must be an object")
            raw.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            try:
                form = await request.post()
            except web.HTTPRequestEntityTooLarge as exc:
                raise ApiError(413, "Request Entity Too Large") from exc
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = Upload(
                        data=value.file.read(),
                        filename=value.filename,
                        content_type=value.content_type,
                    )
                else:
                    raw[key] = value
        return raw, files

    async def _handle_bot(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if not TOKEN_RE.fullmatch(token):
            return _not_found()
        try:
            raw, files = await self._read_request(request)
            result = await self.call_api(token, request.match_info["method"], raw, files)
        except ApiError as exc:
            return _json_response(exc.payload(), exc.code)
        return _json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        rec = self.file_for_download(request.match_info["token"], request.match_info["path"])
        if rec is None or not rec.disk_path.is_file():
            return _not_found()
        return web.FileResponse(
            rec.disk_path, headers={"Content-Type": rec.mime_type or "application/octet-stream"}
        )

    async def _handle_index(self, request: web.Request) -> web.Response:
        return _json_response(
            {
                "ok": True,
                "result": {
                    "emulator": "Maeul Telegram Bot API emulator",
                    "base_url": self.base_url,
                    "base_file_url": self.base_file_url,
                    "user_api_url": self.user_api_url,
                    "bots": [b.me() for b in self._bots.values()],
                },
            }
        )

    # ------------------------------------------------------------ user-side HTTP API

    async def _handle_user(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        op = request.match_info["op"]
        if TOKEN_RE.fullmatch(token) is None:
            return _not_found()
        try:
            args: JSON = dict(request.query.items())
            if request.body_exists:
                body = json.loads(await request.text() or "{}")
                if not isinstance(body, dict):
                    raise EmulatorError("JSON body must be an object")
                args.update(body)
            result = await self._user_op(token, op, args)
        except web.HTTPException:
            raise
        except (EmulatorError, ValueError, KeyError, TypeError, binascii.Error) as exc:
            text = str(exc) if not isinstance(exc, KeyError) else f"missing field {exc}"
            return _json_response({"ok": False, "description": text}, 400)
        return _json_response({"ok": True, "result": result, "last_seq": self.last_seq(token)})

    async def _user_op(self, token: str, op: str, a: JSON) -> Any:
        def user() -> User:
            raw = a["user"]
            if isinstance(raw, str):
                raw = json.loads(raw)
            return User.from_dict(raw)

        def chat() -> Any:
            raw = a.get("chat")
            if isinstance(raw, str):
                raw = json.loads(raw) if raw.strip().startswith("{") else int(raw)
            return raw

        def data() -> bytes:
            return base64.b64decode(str(a["data_base64"]), validate=True)

        def truthy(key: str, default: bool = False) -> bool:
            value = a.get(key, default)
            if isinstance(value, str):
                return value.lower() in ("1", "true", "yes")
            return bool(value)

        def opt_int(key: str) -> int | None:
            value = a.get(key)
            return None if value in (None, "") else int(value)

        if op == "register":
            return self.register_bot(
                token,
                username=str(a.get("username", "maeul_bot")),
                first_name=str(a.get("first_name", "Maeul")),
                can_read_all_group_messages=truthy("can_read_all_group_messages"),
            )
        if op == "send_text":
            return self.send_text(
                token, user(), str(a["text"]), chat(), reply_to=opt_int("reply_to")
            )
        if op == "send_photo":
            caption = a.get("caption")
            return self.send_photo(token, user(), data(), caption, chat())
        if op == "send_document":
            return self.send_document(
                token, user(), data(), str(a["filename"]), a.get("mime_type"), chat(),
                caption=a.get("caption"),
            )  # fmt: skip
        if op == "send_sticker":
            return self.send_sticker(token, user(), chat(), emoji=str(a.get("emoji", "👍")))
        if op == "edit_text":
            return self.edit_text(
                token, user(), int(a["chat_id"]), int(a["message_id"]), str(a["text"])
            )
        if op == "press":
            return self.press(
                token, user(), int(a["chat_id"]), int(a["message_id"]), str(a["data"]),
                forge=truthy("forge"),
            )  # fmt: skip
        if op == "add_to_group":
            return self.add_to_group(token, user(), chat(), admin=truthy("admin"))
        if op == "block":
            self.set_blocked(token, int(a["user_id"]), truthy("blocked", True))
            return True
        if op == "fail_next":
            self.fail_next(
                token,
                str(a["method"]),
                int(a.get("times", 1)),
                error_code=int(a.get("error_code", 429)),
                retry_after=int(a.get("retry_after", 1)),
                description=a.get("description"),
            )
            return True
        if op == "events":
            chat_id = opt_int("chat_id")
            since = opt_int("since")
            kinds_raw = a.get("kinds")
            kinds: list[str] | None = None
            if isinstance(kinds_raw, str) and kinds_raw:
                kinds = kinds_raw.split(",")
            elif isinstance(kinds_raw, list):
                kinds = [str(k) for k in kinds_raw]
            if truthy("wait"):
                found = await self.wait_for_events(
                    token,
                    chat_id,
                    since,
                    timeout=min(float(a.get("timeout", 5.0)), 60.0),
                    quiet=float(a.get("quiet", 0.3)),
                    kinds=kinds,
                )
            else:
                found = self.events(token, chat_id, since or 0, kinds)
            return [e.to_dict() for e in found]
        if op == "messages":
            return self.messages(token, int(a["chat_id"]))
        if op == "errors":
            return [
                {"method": e.method, "params": e.params, "error_code": e.error_code,
                 "description": e.description, "time": e.time}
                for e in self.api_errors(token)
            ]  # fmt: skip
        if op == "webhook_route":
            targets = a.get("targets") or []
            self.route_webhook(str(a["url"]), targets if isinstance(targets, list)
                               else [t for t in str(targets).split(",") if t])  # fmt: skip
            return True
        if op == "set_webhook":
            return await self.set_webhook(token, a["url"], a.get("secret_token"))
        if op == "webhook":
            hook = self.webhook(token)
            info = self._get_webhook_info(self._bot(token), {}, {})
            if hook is not None:
                info.update(targets=hook.urls, delivered=hook.delivered,
                            posts=[list(p) for p in hook.posts])  # fmt: skip
            return info
        raise EmulatorError(f"unknown operation {op!r}")
