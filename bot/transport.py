"""HTTP to Telegram: a small keep-alive HTTP/1.1 client on asyncio's own protocols, optionally
through a proxy (TELEGRAM_PROXY_URL).

Profiles of a surge (benchmarks/surge.py) showed httpx/httpcore taking about 40% of the bot's
CPU: its pool inspects every pooled connection with system calls on each request, and every
request passes through several layers of async context managers. The Bot API needs far less:
JSON POSTs to one host, answered with a JSON body. This client keeps a stack of idle
connections, writes each request in one call and parses the answer in place. File uploads
(multipart, rare: staff exports) go through PTB's own httpx request instead, through the same
proxy. aiohttp was tried in this place and measured again on 2026-12-04: 137-189 µs of CPU a call
against 51-65 µs here, 10 MB more memory, and the open load's p99 target missed (README, "HTTP to
Telegram: why our own client"), so this client stays.

The proxy's handshake (SOCKS5, or HTTP CONNECT over plain TCP or TLS, with a login) is
python-socks', the library aiohttp-socks is built on; with SOCKS5 the proxy looks up Telegram's
address, so a filtered local DNS never sees it. TLS is always verified, against certifi's bundle.
"""

from __future__ import annotations

import asyncio
import functools
import json
import ssl
from urllib.parse import unquote, urlsplit

import certifi
from telegram._utils.defaultvalue import DefaultValue  # what PTB's own requests check for
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

# As PTB's own default: at 50 ms a call, 200 relatives keep about 60 requests in flight (replies,
# button answers, edits), and 64 connections made replies queue for a free one.
MAX_CONNECTIONS = 256
DEFAULT_TIMEOUTS = {"read": 5.0, "write": 5.0, "connect": 5.0, "pool": 10.0}
MAX_HEADER_BYTES = 64 * 1024
PROXY_SCHEMES = {"http": "HTTP", "https": "HTTP", "socks5": "SOCKS5"}  # python_socks' ProxyType names


class ClosedUnanswered(ConnectionError):
    """The server closed the connection without a byte of answer (an idle keep-alive timeout)."""


class ProxyRefused(NetworkError):
    """The proxy in TELEGRAM_PROXY_URL could not be reached, or refused the login or the tunnel."""


def proxy_address(url: str) -> str:
    """host:port of a proxy URL, for messages: never its user name or password."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


@functools.cache
def _tls() -> ssl.SSLContext:
    """One verifying context for the process: loading certifi's bundle takes tens of ms."""
    return ssl.create_default_context(cafile=certifi.where())


def _proxy(url: str, tls: ssl.SSLContext):
    # Imported only where a proxy is configured, as httpx (for uploads) is only at the first upload.
    from python_socks import ProxyType
    from python_socks.async_.asyncio.v2 import Proxy

    parts = urlsplit(url)
    return Proxy(proxy_type=ProxyType[PROXY_SCHEMES[parts.scheme]], host=parts.hostname, port=parts.port,
                 username=unquote(parts.username) if parts.username else None,
                 password=unquote(parts.password) if parts.password else None,
                 rdns=True, proxy_ssl=tls if parts.scheme == "https" else None)


class _Response(asyncio.Protocol):
    """One connection; parses each response as its bytes arrive and wakes the waiting request."""

    def __init__(self, tunnel=None) -> None:
        self.tunnel = tunnel  # a proxy's stream, kept alive with the connection it carries
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.served = 0
        self._waiter: asyncio.Future | None = None
        self._buffer = bytearray()
        self._head: tuple[int, int | None, bool, bool] | None = None  # status, length, chunked, keep

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.closed = True
        if self._waiter is None or self._waiter.done():
            return
        if self._head is not None and self._head[1] is None and not self._head[2]:
            self._waiter.set_result((self._head[0], bytes(self._buffer)))  # a body read to the end
        elif self._head is None and not self._buffer:
            self._waiter.set_exception(ClosedUnanswered())
        else:
            self._waiter.set_exception(ConnectionResetError("Telegram closed the connection mid-answer"))

    def eof_received(self) -> bool:
        self.closed = True
        return False

    def expect(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future:
        self._waiter = loop.create_future()
        self._buffer.clear()
        self._head = None
        return self._waiter

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        try:
            result = self._parse()
        except ValueError as exc:
            self.closed = True
            result = exc
        if result is not None and self._waiter is not None and not self._waiter.done():
            if isinstance(result, Exception):
                self._waiter.set_exception(result)
            else:
                self._waiter.set_result(result)

    def _parse(self):
        if self._head is None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_HEADER_BYTES:
                    raise ValueError("response headers too long")
                return None
            lines = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
            version, status = lines[0].split(" ", 2)[:2]
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = headers.get("content-length")
            chunked = "chunked" in headers.get("transfer-encoding", "").lower()
            keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
            self._head = (int(status), int(length) if length is not None else None, chunked, keep)
            del self._buffer[:end + 4]
        status, length, chunked, keep = self._head
        if chunked:
            body = _dechunk(self._buffer)
            if body is None:
                return None
        elif length is not None:
            if len(self._buffer) < length:
                return None
            body = bytes(self._buffer[:length])
        else:
            return None  # read to the end: answered in connection_lost's place below
        if not keep:
            self.closed = True
        return status, body


def _dechunk(buffer: bytearray) -> bytes | None:
    body, position = bytearray(), 0
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        size = int(bytes(buffer[position:line_end]).split(b";")[0], 16)
        start = line_end + 2
        if size == 0:
            return bytes(body) if buffer.find(b"\r\n", start) >= 0 else None
        if len(buffer) < start + size + 2:
            return None
        body += buffer[start:start + size]
        position = start + size + 2


class LeanRequest(BaseRequest):
    def __init__(self, proxy_url: str | None = None, max_connections: int = MAX_CONNECTIONS,
                 read_timeout: float = DEFAULT_TIMEOUTS["read"]):
        self._max_connections = max_connections
        self._read_timeout = read_timeout
        self._idle: list[_Response] = []
        self._slots: asyncio.Semaphore | None = None
        self._tls = _tls()
        self._proxy_url = proxy_url or None
        self._proxy = _proxy(proxy_url, self._tls) if proxy_url else None
        self._uploads: HTTPXRequest | None = None  # made at the first upload: httpcore costs 0.1 s to import

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        self._slots = asyncio.Semaphore(self._max_connections)

    async def shutdown(self) -> None:
        for connection in self._idle:
            if connection.transport is not None:
                connection.transport.close()
        self._idle.clear()
        if self._uploads is not None:
            await self._uploads.shutdown()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE, pool_timeout=BaseRequest.DEFAULT_NONE,
                         ) -> tuple[int, bytes]:
        if request_data is not None and request_data.contains_files:
            if self._uploads is None:
                self._uploads = HTTPXRequest(connection_pool_size=4, proxy=self._proxy_url, httpx_kwargs={"verify": self._tls})
                await self._uploads.initialize()
            return await self._uploads.do_request(url, method, request_data, read_timeout, write_timeout,
                                                  connect_timeout, pool_timeout)
        read = _timeout(read_timeout, self._read_timeout)
        parts = urlsplit(url)
        # One JSON document (nested values as objects): encoding each value to JSON and then the
        # lot as a form cost more CPU than any other part of a send.
        body = json.dumps(request_data.parameters, ensure_ascii=False).encode() if request_data is not None else b""
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        head = (f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: {self.USER_AGENT}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        slots = self._slots
        if slots is None:
            raise RuntimeError("LeanRequest is not initialized")
        if slots.locked():  # only then is there anything to time out
            try:
                await asyncio.wait_for(slots.acquire(), _timeout(pool_timeout, DEFAULT_TIMEOUTS["pool"]))
            except asyncio.TimeoutError:
                raise TimedOut("Pool timeout: every connection to Telegram is busy; the request was not sent") from None
        else:
            await slots.acquire()
        try:
            return await self._exchange(parts, head.encode("latin-1") + body, read,
                                        _timeout(connect_timeout, DEFAULT_TIMEOUTS["connect"]))
        finally:
            slots.release()

    async def _exchange(self, parts, request: bytes, read: float | None, connect: float | None) -> tuple[int, bytes]:
        # A reused connection the server closed while idle fails before any answer: try a fresh one.
        for fresh in (False, True):
            connection = None if fresh else self._take_idle()
            if connection is None:
                connection = await self._connect(parts, connect)
            reused = connection.served > 0
            loop = asyncio.get_running_loop()
            waiter = connection.expect(loop)
            # A timer rather than wait_for: no extra task for every request.
            timer = loop.call_later(read, _expire, waiter) if read is not None else None
            try:
                connection.transport.write(request)
                status, body = await waiter
            except TimeoutError:
                connection.transport.close()
                raise TimedOut() from None
            except (ConnectionError, OSError, ValueError) as exc:
                connection.transport.close()
                if reused and not fresh and isinstance(exc, ClosedUnanswered):
                    continue
                raise NetworkError(f"connection to Telegram failed: {type(exc).__name__}") from exc
            except BaseException:  # cancelled (shutdown, an abandoned long poll): never reuse it
                connection.transport.close()
                raise
            finally:
                if timer is not None:
                    timer.cancel()
            connection.served += 1
            if connection.closed:
                connection.transport.close()
            else:
                self._idle.append(connection)
            return status, body
        raise AssertionError("unreachable")

    def _take_idle(self) -> _Response | None:
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed:
                return connection
        return None

    async def _connect(self, parts, timeout: float | None) -> _Response:
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        loop = asyncio.get_running_loop()
        try:
            if self._proxy is not None:
                return await self._tunnel(parts.hostname, port, https, timeout)
            _, connection = await asyncio.wait_for(loop.create_connection(
                _Response, parts.hostname, port, ssl=self._tls if https else None,
                server_hostname=parts.hostname if https else None), timeout)
        except asyncio.TimeoutError:  # python_socks' ProxyTimeoutError is one too
            raise TimedOut("could not connect to Telegram in time") from None
        except OSError as exc:
            raise NetworkError(f"could not connect to Telegram: {type(exc).__name__}") from exc
        return connection

    async def _tunnel(self, host: str, port: int, https: bool, timeout: float | None) -> _Response:
        from python_socks import ProxyConnectionError, ProxyError

        refused = f"the proxy {proxy_address(self._proxy_url)} refused"
        # As aiohttp-socks does: the tunnel's transport (TLS to Telegram on top) gets our protocol.
        try:
            stream = await self._proxy.connect(host, port, dest_ssl=self._tls if https else None, timeout=timeout)
        except ssl.SSLError as exc:  # an https:// proxy's certificate, or a proxy that intercepts TLS
            raise ProxyRefused(f"{refused}: TLS failed: {getattr(exc, 'verify_message', None) or exc.reason}") from None
        except (ProxyConnectionError, ProxyError) as exc:
            raise ProxyRefused(f"{refused}: {exc}") from None
        connection = _Response(stream)
        stream.writer.transport.set_protocol(connection)
        connection.connection_made(stream.writer.transport)
        return connection


def _timeout(value, default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _expire(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())
