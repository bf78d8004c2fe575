"""LeanRequest, the bot's own keep-alive HTTP client, against tiny hand-written servers: chunks,
closed and dropped connections, timeouts, a full pool."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.transport import LeanRequest

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TOKEN = "123456:TEST-TOKEN-abcdef"


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 10))


# ------------------------------------------------------------------ a tiny server of our own
class TinyServer:
    """An HTTP/1.1 server written by hand: `answer(server, connection, nth, writer)` replies to the
    nth request on a connection and returns False to close it. Everything it saw is kept."""

    def __init__(self, answer):
        self.answer = answer
        self.connections = 0
        self.requests: list[tuple[int, bytes, bytes]] = []  # (connection, head, body)
        self.hung_up_by_client = 0
        self.seen = asyncio.Event()

    async def __aenter__(self):
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/bot{TOKEN}/getMe"
        return self

    async def __aexit__(self, *exc_info):
        self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        connection, nth = self.connections, 0
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    self.hung_up_by_client += 1
                    return
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                body = await reader.readexactly(length)
                nth += 1
                self.requests.append((connection, head, body))
                self.seen.set()
                if not await self.answer(self, connection, nth, reader, writer):
                    return
        finally:
            writer.close()


def reply(writer, body: bytes = b'{"ok":true,"result":true}', *headers: str) -> None:
    head = ["HTTP/1.1 200 OK", "Content-Type: application/json", *headers]
    if not any(h.lower().startswith(("content-length", "transfer-encoding")) for h in headers):
        head.append(f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)


async def answers(server, connection, nth, reader, writer) -> bool:
    reply(writer, b'{"ok":true,"result":%d}' % len(server.requests))
    return True


async def started(request: LeanRequest) -> LeanRequest:
    await request.initialize()
    return request


def form(**values) -> RequestData:
    return RequestData([RequestParameter.from_input(name, value) for name, value in values.items()])


def test_sequential_requests_reuse_the_connections_already_open():
    async def main():
        async with TinyServer(answers) as server:
            request = await started(LeanRequest())
            together = await asyncio.gather(*(request.do_request(server.url, "POST") for _ in range(8)))
            assert [status for status, _ in together] == [200] * 8
            for n in range(9, 59):
                assert await request.do_request(server.url, "POST", form(chat_id=n, text="Salam")) == \
                    (200, b'{"ok":true,"result":%d}' % n)
            await request.shutdown()
            return server

    server = run(main())
    assert server.connections == 8, "eight at once needed eight connections; the fifty after them none"
    assert json.loads(server.requests[-1][2]) == {"chat_id": 58, "text": "Salam"}, "one JSON document, values typed"


def test_a_chunked_answer_is_put_together_whatever_pieces_it_arrives_in():
    # Blank space and line breaks at a chunk's edges, and bytes that look like the last chunk.
    pieces = [b'{"ok": true, ', b"\r\n", b'  "result": "0\r\n\r\n" ', "}\r\n\t\u0259".encode()]
    body = b"".join(pieces)

    async def chunked(server, connection, nth, reader, writer) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        for piece in pieces:
            for part in (b"%x\r\n" % len(piece), piece[:3], piece[3:] + b"\r\n"):
                writer.write(part)
                await writer.drain()
                await asyncio.sleep(0.003)
        writer.write(b"0\r\n")
        await writer.drain()
        await asyncio.sleep(0.003)
        writer.write(b"\r\n")
        return True

    async def main():
        async with TinyServer(chunked) as server:
            request = await started(LeanRequest())
            first = await request.do_request(server.url, "POST")
            second = await request.do_request(server.url, "POST")
            await request.shutdown()
            return server, first, second

    server, first, second = run(main())
    assert first == second == (200, body)
    assert server.connections == 1, "the end of a chunked answer is found, so the connection is reused"


def test_an_answer_without_a_length_is_read_until_the_server_closes():
    async def old_style(server, connection, nth, reader, writer) -> bool:
        writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.01)
        writer.write(b'{"ok":true,"result":"all of it"}')
        return False

    async def main():
        async with TinyServer(old_style) as server:
            request = await started(LeanRequest())
            assert await request.do_request(server.url, "POST") == (200, b'{"ok":true,"result":"all of it"}')
            assert await request.do_request(server.url, "POST") == (200, b'{"ok":true,"result":"all of it"}')
            assert request._idle == []
            return server

    assert run(main()).connections == 2


def test_a_connection_close_answer_is_not_reused():
    async def closing(server, connection, nth, reader, writer) -> bool:
        reply(writer, b'{"ok":true,"result":1}', "Connection: close")
        await writer.drain()
        await asyncio.sleep(0.2)  # the server is slow to hang up: the client must not wait for it
        return False

    async def main():
        async with TinyServer(closing) as server:
            request = await started(LeanRequest())
            for _ in range(3):
                assert await request.do_request(server.url, "POST") == (200, b'{"ok":true,"result":1}')
                assert request._idle == []
            return server

    server = run(main())
    assert server.connections == 3
    assert [connection for connection, _, _ in server.requests] == [1, 2, 3]


def test_a_kept_alive_connection_the_server_dropped_unanswered_is_retried_on_a_fresh_one():
    async def forgets_idle_connections(server, connection, nth, reader, writer) -> bool:
        if nth > 1:
            return False  # its keep-alive timeout passed just as the next request came: closed, no answer
        reply(writer, b'{"ok":true,"result":"connection %d"}' % connection)
        return True

    async def main():
        async with TinyServer(forgets_idle_connections) as server:
            request = await started(LeanRequest())
            assert await request.do_request(server.url, "POST", form(n=1)) == (200, b'{"ok":true,"result":"connection 1"}')
            assert await request.do_request(server.url, "POST", form(n=2)) == (200, b'{"ok":true,"result":"connection 2"}')
            return server

    server = run(main())
    assert [(connection, body) for connection, _, body in server.requests] == [(1, b'{"n": 1}'), (1, b'{"n": 2}'), (2, b'{"n": 2}')]


def test_a_connection_the_server_closed_while_idle_is_not_used_again():
    async def one_answer_each(server, connection, nth, reader, writer) -> bool:
        reply(writer, b'{"ok":true,"result":%d}' % connection)
        return False  # closes after answering, without saying so in the headers

    async def main():
        async with TinyServer(one_answer_each) as server:
            request = await started(LeanRequest())
            for n in range(1, 4):
                assert await request.do_request(server.url, "POST") == (200, b'{"ok":true,"result":%d}' % n)
                await asyncio.sleep(0.05)  # the close reaches the client while the connection is idle
            return server

    server = run(main())
    assert [connection for connection, _, _ in server.requests] == [1, 2, 3], "no request was lost in a dead socket"


def test_a_fresh_connection_closed_unanswered_is_a_network_error_not_an_endless_retry():
    async def never_answers(server, connection, nth, reader, writer) -> bool:
        return False

    async def main():
        async with TinyServer(never_answers) as server:
            request = await started(LeanRequest())
            with pytest.raises(NetworkError):
                await request.do_request(server.url, "POST")
            return server

    assert run(main()).connections == 1


def test_an_answer_cut_off_mid_body_is_a_network_error_not_a_short_body():
    async def cut_off(server, connection, nth, reader, writer) -> bool:
        writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"ok":true,')
        return False

    async def main():
        async with TinyServer(cut_off) as server:
            request = await started(LeanRequest())
            with pytest.raises(NetworkError):
                await request.do_request(server.url, "POST")
            assert request._idle == []

    run(main())


async def eventually(condition, what: str, within: float = 3.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.01)


async def silent(server, connection, nth, reader, writer) -> bool:
    await reader.read()  # never answers; returns when the client hangs up
    server.hung_up_by_client += 1
    return False


def test_a_server_that_never_answers_times_out_within_the_read_timeout():
    async def main():
        async with TinyServer(silent) as server:
            request = await started(LeanRequest(read_timeout=0.3))
            began = time.monotonic()
            with pytest.raises(TimedOut):
                await request.do_request(server.url, "POST")
            waited = time.monotonic() - began
            assert 0.29 <= waited < 1.0, waited
            assert request._idle == []
            patient = await started(LeanRequest(read_timeout=30))
            began = time.monotonic()
            with pytest.raises(TimedOut):
                await patient.do_request(server.url, "POST", read_timeout=0.1)  # PTB's per-call timeout wins
            assert time.monotonic() - began < 5
            assert patient._idle == []
            await eventually(lambda: server.hung_up_by_client == 2, "a timed-out connection is closed, never reused")

    run(main())


def test_a_refused_connection_is_a_network_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nobody listens there

    async def main():
        request = await started(LeanRequest())
        with pytest.raises(NetworkError) as refused:
            await request.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST")
        assert not isinstance(refused.value, TimedOut)

    run(main())


def test_a_cancelled_request_does_not_leave_its_connection_in_the_pool():
    async def main():
        async with TinyServer(silent) as server:
            request = await started(LeanRequest())
            waiting = asyncio.ensure_future(request.do_request(server.url, "POST"))
            await asyncio.wait_for(server.seen.wait(), 5)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            assert request._idle == []
            await eventually(lambda: server.hung_up_by_client == 1, "the abandoned connection was closed")
            server.answer = answers
            assert (await request.do_request(server.url, "POST"))[0] == 200
            return server

    server = run(main())
    assert server.connections == 2


def test_when_every_connection_is_busy_a_request_times_out_in_the_pool_unsent():
    async def main():
        async with TinyServer(silent) as server:
            request = await started(LeanRequest(max_connections=1, read_timeout=2))
            busy = asyncio.ensure_future(request.do_request(server.url, "POST"))
            await asyncio.wait_for(server.seen.wait(), 5)
            with pytest.raises(TimedOut, match="(?i)pool"):
                await request.do_request(server.url, "POST", pool_timeout=0.1)
            busy.cancel()
            await asyncio.gather(busy, return_exceptions=True)
            return server

    server = run(main())
    assert len(server.requests) == 1
