"""Webhook mode: Telegram POSTs updates to us. Each one is stored in the durable inbox before
the 200 goes back (a failure answers 500, and Telegram delivers it again); a request without
the right X-Telegram-Bot-Api-Secret-Token gets 403 and is not looked at."""

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


class _UpdateHandler(tornado.web.RequestHandler):
    def initialize(self, receiver: WebhookReceiver) -> None:
        self.receiver = receiver

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.receiver.secret.encode()):
            self.set_status(403)  # not from Telegram: nothing is parsed, nothing is logged of it
            return
        try:
            received = json.loads(self.request.body)
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
        self._stopping = asyncio.Event()
        self._server: tornado.httpserver.HTTPServer | None = None

    async def run(self) -> None:
        await self.inbox.open()
        for update in await self.inbox.pending(self.application.bot):
            await self.application.update_queue.put(update)
        path = urlparse(self.url).path or "/"
        app = tornado.web.Application([(path, _UpdateHandler, {"receiver": self})], log_function=lambda handler: None)
        self._server = tornado.httpserver.HTTPServer(app, xheaders=True)
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
