"""Webhook mode: Telegram POSTs updates to us. Each one is stored in the durable inbox before
the 200 goes back (a failure answers 500, and Telegram delivers it again).

Nothing is read from a request before its headers are judged: a request without the right
X-Telegram-Bot-Api-Secret-Token gets 403, one to another path 404, and one that says or turns out
to be over 1 MB (no update comes near it) 413, and the connection is closed rather than its body
read. So nobody without the secret can make the bot take in a byte of body, and nobody at all
can make it hold more than 1 MB per request."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from urllib.parse import urlparse

import tornado.httpserver
import tornado.web
from telegram.ext import Application

from bot.inbox import Inbox

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1 << 20
# Tornado's own limit would answer 400 after our 413; every path comes to the handler below,
# which stops at MAX_BODY_BYTES itself.
_NO_TORNADO_LIMIT = 1 << 40


@tornado.web.stream_request_body
class _UpdateHandler(tornado.web.RequestHandler):
    """Streams the body in, so that `prepare` judges the headers before any of it is read."""

    def initialize(self, receiver: WebhookReceiver) -> None:
        self.receiver = receiver
        self._chunks: list[bytes] = []
        self._size = 0

    def prepare(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if self.request.path != self.receiver.path:
            self._refuse(404)
        elif not hmac.compare_digest(given.encode(), self.receiver.secret.encode()):
            self._refuse(403)  # not from Telegram: nothing is read, parsed or logged of it
        elif self.request.method != "POST":
            self._refuse(405)
        elif not (length := self.request.headers.get("Content-Length", "0")).isdigit():
            self._refuse(400)
        elif int(length) > MAX_BODY_BYTES:
            self._refuse(413)

    def data_received(self, chunk: bytes) -> None:
        if self._finished:
            return
        self._size += len(chunk)
        if self._size > MAX_BODY_BYTES:  # chunked, or more than Content-Length said
            self._chunks.clear()
            self._refuse(413)
        else:
            self._chunks.append(chunk)

    def _refuse(self, status: int) -> None:
        """Answer and close the connection: Tornado then reads no more of the body."""
        self.set_status(status)
        self.set_header("Connection", "close")
        self.finish()

    async def post(self) -> None:
        if self._finished:
            return
        try:
            received = json.loads(b"".join(self._chunks))
            deliveries = self.receiver.inbox.receive([received], self.receiver.application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            self.set_status(400)
            return
        try:
            # A delivery Telegram repeats (our 200 got lost) is stored once and handled once.
            fresh = await self.receiver.inbox.store(deliveries)
        except Exception as exc:  # noqa: BLE001 - not on disk: Telegram must try again
            log.error("could not store update %s: %s", received["update_id"], type(exc).__name__)
            self.set_status(500)
            return
        for item in fresh:
            await self.receiver.application.update_queue.put(item)
        self.set_status(200)

    def log_exception(self, typ, value, tb) -> None:  # tornado would log the request body
        log.error("webhook request failed: %s", typ.__name__ if typ else "error")


class WebhookReceiver:
    """The webhook counterpart of inbox.Poller (same run/stop/stopped), for bot.app.serve."""

    def __init__(self, application: Application, inbox: Inbox, url: str, secret: str, listen: str, port: int, allowed_updates: list[str]):
        self.application, self.inbox = application, inbox
        self.url, self.secret, self.listen, self.port = url, secret, listen, port
        self.allowed_updates = allowed_updates
        self.path = urlparse(url).path or "/"
        self._stopping = asyncio.Event()
        self._server: tornado.httpserver.HTTPServer | None = None

    async def run(self) -> None:
        await self.inbox.open()
        for update in await self.inbox.pending(self.application.bot):
            await self.application.update_queue.put(update)
        app = tornado.web.Application([(r".*", _UpdateHandler, {"receiver": self})], log_function=lambda handler: None)
        self._server = tornado.httpserver.HTTPServer(app, xheaders=True, max_body_size=_NO_TORNADO_LIMIT)
        self._server.listen(self.port, address=self.listen)
        await self.application.bot.set_webhook(self.url, secret_token=self.secret, allowed_updates=self.allowed_updates)
        log.info("webhook listening on %s:%s", self.listen, self.port)
        try:
            await self._stopping.wait()
        finally:
            self._server.stop()

    def stop(self) -> None:
        self._stopping.set()

    async def stopped(self) -> None:
        await self._stopping.wait()
