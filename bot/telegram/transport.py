"""The Bot API's HTTP transport: PTB's request interface over aiohttp instead of httpx.

Why: every Bot API call costs the bot's one busy thread CPU, and PTB's default
(:class:`telegram.request.HTTPXRequest`) is the dearer part of an update. Measured on the 2-core
machine (``sendMessage`` to a local server, 20 at once, 3,000 calls): httpx 1.8 ms of CPU a
call, aiohttp 0.24–0.30 ms. Maeul makes about 2.7 calls an update (the ``getUpdates`` it
arrived by, the reply, the callback answer or the edit), so with httpx the transport alone
cost more than everything Maeul does with an update on SQLite. aiohttp is already a
dependency (the webhook server); the PTB team keeps an aiohttp request in ``ptbcontrib``
(not on PyPI), which this follows.

It keeps :class:`HTTPXRequest`'s contract: the same defaults (5 s to connect, read and write,
1 s to get a connection from the pool, 20 s to write an upload); form fields as
``application/x-www-form-urlencoded``, files as ``multipart/form-data``; a timeout raises
:class:`~telegram.error.TimedOut` (a pool timeout says the request was not sent), any other
failure :class:`~telegram.error.NetworkError` — which the after-commit sending and the
reminder dispatcher already tell apart. aiohttp has no write timeout of its own: an upload's
whole request is bounded by connect + write + read instead. ``TELEGRAM_TRANSPORT=httpx``
brings back PTB's own. Like httpx, it takes an HTTP proxy from the environment
(``HTTPS_PROXY``/``HTTP_PROXY``, ``NO_PROXY``).
"""

from __future__ import annotations

import logging
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from yarl import URL

log = logging.getLogger(__name__)
requests_log = logging.getLogger("bot.telegram.http")
"""One DEBUG line a call, as httpx writes at INFO ("HTTP Request: POST <url> 200"); the URL
holds the token, which :mod:`bot.core.logsafe` redacts. Quiet unless asked for
(``bot.runner.NOISY_LOGGERS``)."""


class AiohttpRequest(BaseRequest):
    """:class:`telegram.request.BaseRequest` over one :class:`aiohttp.ClientSession`."""

    __slots__ = (
        "_connect",
        "_media_write",
        "_pool",
        "_pool_size",
        "_proxies",
        "_read",
        "_session",
        "_write",
    )

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read, self._write = read_timeout, write_timeout
        self._connect, self._pool = connect_timeout, pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], tuple[URL | None, aiohttp.BasicAuth | None]] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                timeout=aiohttp.ClientTimeout(total=None),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _proxy(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """The proxy the environment names for ``url``'s host, read once a host (as httpx
        reads it once a client): aiohttp's ``trust_env`` would read the environment and
        ~/.netrc again on two trips to a thread for every call."""
        parsed = URL(url)
        key = (parsed.scheme, parsed.host or "")
        if key not in self._proxies:
            named = getproxies().get(parsed.scheme)  # HTTPS_PROXY / HTTP_PROXY
            if named is None or (parsed.host and proxy_bypass(parsed.host)):  # NO_PROXY
                self._proxies[key] = (None, None)
            else:
                proxy = URL(named)
                self._proxies[key] = (proxy.with_user(None), aiohttp.BasicAuth.from_url(proxy))
        return self._proxies[key]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write = self._media_write if files else self._write
        else:
            write = write_timeout
        total = None
        if files and None not in (connect, write, read):
            total = connect + write + read  # type: ignore[operator]
        timeout = aiohttp.ClientTimeout(
            total=total, connect=pool, sock_connect=connect, sock_read=read
        )
        data: aiohttp.FormData | bytes
        headers = {"User-Agent": self.USER_AGENT}
        if files and request_data is not None:
            # quote_fields=False: a file's name goes as UTF-8, as httpx sends it ("명단.xlsx");
            # aiohttp would otherwise percent-encode it and Telegram would show "%EB%AA%85…"
            data = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
            for name, (filename, content, mimetype) in files.items():
                data.add_field(name, content, filename=filename, content_type=mimetype)
        else:
            # the same urlencoded body aiohttp's FormData makes of fields without files,
            # without its machinery (about a fifth of a send's time in the bench's profile)
            data = (request_data.url_encoded_parameters() if request_data else "").encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        proxy, proxy_auth = self._proxy(url)
        try:
            async with session.request(
                method,
                url,
                proxy=proxy,
                proxy_auth=proxy_auth,
                data=data,
                headers=headers,
                timeout=timeout,
            ) as response:
                body = await response.read()
                requests_log.debug("HTTP Request: %s %s %s", method, url, response.status)
                return response.status, body
        except TimeoutError as exc:
            if isinstance(exc, aiohttp.ConnectionTimeoutError):  # no connection in time
                raise TimedOut(
                    "Connect or pool timeout: no connection to Telegram in time. "
                    "Request was *not* sent to Telegram."
                ) from exc
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def was_not_sent(exc: TimedOut) -> bool:
    """A timeout before the request left: no connection in time, from the pool or to
    Telegram (this transport's and httpx's own wording). It may be sent again without
    showing anything twice; any other timeout may have been carried out."""
    return "was *not* sent" in (exc.message or "")


def make_request(kind: str, connection_pool_size: int = 1) -> BaseRequest:
    """The transport ``TELEGRAM_TRANSPORT`` names (``aiohttp``, the default, or ``httpx``)."""
    if kind == "httpx":
        return HTTPXRequest(connection_pool_size=connection_pool_size)
    return AiohttpRequest(connection_pool_size=connection_pool_size)
