"""HTTP to Telegram: PTB's `BaseRequest` on aiohttp, optionally through a proxy.

aiohttp is maintained, parses HTTP with its C parser and keeps connections alive; aiohttp-socks
adds SOCKS5 and HTTP CONNECT proxies (with credentials) for organisations whose network filters
Telegram. Every call goes through the one session here: JSON calls, file uploads (multipart) and
file downloads alike, so a proxy set in TELEGRAM_PROXY_URL is never bypassed. TLS is always
verified, against certifi's bundle, both to Telegram and to an https:// proxy.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from urllib.parse import unquote, urlsplit

import aiohttp
import certifi
from aiohttp_socks import ProxyConnectionError, ProxyConnector, ProxyError, ProxyTimeoutError, ProxyType
from telegram._utils.defaultvalue import DefaultValue  # what PTB's own requests check for
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# As PTB's own default: at 50 ms a call, 200 relatives keep about 60 requests in flight (replies,
# button answers, edits), and 64 connections made replies queue for a free one.
MAX_CONNECTIONS = 256
DEFAULT_TIMEOUTS = {"read": 5.0, "write": 5.0, "connect": 5.0, "pool": 10.0}
MEDIA_WRITE_TIMEOUT = 20.0  # PTB's default for uploads
PROXY_SCHEMES = {"http": ProxyType.HTTP, "https": ProxyType.HTTP, "socks5": ProxyType.SOCKS5,
                 "socks5h": ProxyType.SOCKS5}
_JSON = {"Content-Type": "application/json"}


class ProxyRefused(NetworkError):
    """The proxy in TELEGRAM_PROXY_URL could not be reached, refused the login or the tunnel."""


def proxy_address(url: str) -> str:
    """host:port of a proxy URL, for messages: never its user name or password."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


def _proxy_connector(url: str, tls: ssl.SSLContext, limit: int) -> ProxyConnector:
    parts = urlsplit(url)
    return ProxyConnector(
        proxy_type=PROXY_SCHEMES[parts.scheme], host=parts.hostname, port=parts.port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        rdns=True,  # the proxy looks up api.telegram.org: a filtered local DNS never sees it
        proxy_ssl=tls if parts.scheme == "https" else None, ssl=tls, limit=limit)


class AiohttpRequest(BaseRequest):
    def __init__(self, proxy_url: str | None = None, max_connections: int = MAX_CONNECTIONS,
                 read_timeout: float | None = DEFAULT_TIMEOUTS["read"]):
        self._proxy_url = proxy_url or None
        self._max_connections = max_connections
        self._read_timeout = read_timeout
        self._tls = ssl.create_default_context(cafile=certifi.where())
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self._timeouts: dict[tuple, aiohttp.ClientTimeout] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is not None and not self._session.closed:
            return
        # The pool wait is ours (a semaphore), so that a request that never got a connection
        # says so; aiohttp's own connector then never makes anyone wait.
        self._slots = asyncio.Semaphore(self._max_connections)
        if self._proxy_url:
            connector = _proxy_connector(self._proxy_url, self._tls, limit=0)
        else:
            connector = aiohttp.TCPConnector(ssl=self._tls, limit=0)
        self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE, pool_timeout=BaseRequest.DEFAULT_NONE,
                         ) -> tuple[int, bytes]:
        session, slots = self._session, self._slots
        if session is None or slots is None or session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        uploads = request_data is not None and request_data.contains_files
        if uploads:
            body = aiohttp.FormData(request_data.json_parameters)
            for name, (filename, content, mime_type) in request_data.multipart_data.items():
                body.add_field(name, content, filename=filename, content_type=mime_type)
            headers = None
        elif request_data is not None:
            # One JSON document (nested values as objects): encoding each value to JSON and then
            # the lot as a form cost more CPU than any other part of a send.
            body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
            headers = _JSON
        else:
            body = headers = None
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, uploads)
        if slots.locked():  # only then is there anything to time out
            try:
                await asyncio.wait_for(slots.acquire(), _given(pool_timeout, DEFAULT_TIMEOUTS["pool"]))
            except asyncio.TimeoutError:
                raise TimedOut("Pool timeout: every connection to Telegram is busy; the request was not sent") from None
        else:
            await slots.acquire()
        try:
            for last in (uploads, True):
                try:
                    async with session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                        return response.status, await response.read()
                except aiohttp.ServerDisconnectedError:
                    # Closed before any answer: most often a kept-alive connection the server or
                    # the proxy dropped while idle, just as we sent. Once more, on a fresh one.
                    if last:
                        raise
            raise AssertionError("unreachable")
        except (ProxyConnectionError, ProxyError, ProxyTimeoutError) as exc:
            raise ProxyRefused(f"the proxy {proxy_address(self._proxy_url)} refused: {exc}") from None
        except asyncio.TimeoutError:  # aiohttp's connect and read timeouts are TimeoutErrors too
            raise TimedOut() from None
        except aiohttp.ClientError as exc:
            # Only the class and the host: an aiohttp message may quote the URL, and it holds the token.
            detail = f" {exc.host}:{exc.port}" if isinstance(exc, aiohttp.ClientConnectorError) else ""
            raise NetworkError(f"connection to Telegram failed: aiohttp.{type(exc).__name__}{detail}") from None
        finally:
            slots.release()

    def _timeout(self, read, write, connect, uploads: bool) -> aiohttp.ClientTimeout:
        key = (read, write, connect, uploads)
        timeout = self._timeouts.get(key)
        if timeout is None:
            read = _given(read, self._read_timeout)
            connect = _given(connect, DEFAULT_TIMEOUTS["connect"])
            total = None
            if uploads:  # aiohttp has no write timeout: an upload is bounded as a whole instead
                write = _given(write, MEDIA_WRITE_TIMEOUT)
                total = None if write is None or read is None else write + read + (connect or 0)
            timeout = aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)
            if len(self._timeouts) < 64:  # the defaults and the poller's few: never grows with use
                self._timeouts[key] = timeout
        return timeout


def _given(value, default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value
