"""The HTTP face of FakeTelegram: Telegram's URL layout and JSON envelopes on tornado."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

import tornado.httpserver
import tornado.iostream
import tornado.netutil
import tornado.web

from .model import UploadedFile
from .state import FakeTelegram

log = logging.getLogger("standin.access")

# Telegram accepts "<bot id>:<secret>"; the stand-in trusts any secret.
_TOKEN_RE = re.compile(r"^(\d+):(\S+)$")
_UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}
_NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}


class _TelegramHandler(tornado.web.RequestHandler):
    def initialize(self, state: FakeTelegram) -> None:
        self.state = state

    def reply(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        try:
            self.finish(json.dumps(body, ensure_ascii=False))
        except tornado.iostream.StreamClosedError:
            pass  # the client gave up (timeout or shutdown); nothing left to tell it


class ApiHandler(_TelegramHandler):
    _poll: asyncio.Future | None = None

    async def get(self, token: str, method: str) -> None:
        await self.handle(token, method)

    async def post(self, token: str, method: str) -> None:
        await self.handle(token, method)

    def read_params(self) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        params: dict[str, Any] = {
            name: values[-1].decode("utf-8", "replace") for name, values in self.request.query_arguments.items()
        }
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            body = json.loads(self.request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            params.update(body)
        else:  # tornado already parsed urlencoded and multipart bodies
            for name, values in self.request.body_arguments.items():
                params[name] = values[-1].decode("utf-8", "replace")
        files = {
            name: UploadedFile(parts[-1].filename, parts[-1].body,
                               parts[-1].content_type or "application/octet-stream")
            for name, parts in self.request.files.items() if parts
        }
        return params, files

    async def handle(self, token: str, method: str) -> None:
        match = _TOKEN_RE.match(token)
        if match is None:
            return self.reply(401, _UNAUTHORIZED)
        try:
            params, files = self.read_params()
        except ValueError:
            return self.reply(400, {"ok": False, "error_code": 400,
                                    "description": "Bad Request: can't parse JSON object"})
        call = asyncio.ensure_future(self.state.dispatch(int(match.group(1)), method, params, files))
        if method.lower() == "getupdates":
            # Only a long poll is abandoned with its connection: other calls, like on
            # the real server, still take effect after the client stopped waiting.
            self._poll = call
        try:
            status, body = await call
        except asyncio.CancelledError:
            return None
        self.reply(status, body)
        return None

    def on_connection_close(self) -> None:
        if self._poll is not None and not self._poll.done():
            self._poll.cancel()


class FileHandler(_TelegramHandler):
    def get(self, token: str, file_path: str) -> None:
        if _TOKEN_RE.match(token) is None:
            return self.reply(401, _UNAUTHORIZED)
        record = self.state.file_by_path(file_path)
        if record is None:
            return self.reply(404, _NOT_FOUND)
        self.set_header("Content-Type", "application/octet-stream")
        self.finish(record.data())
        return None


class _NotFoundHandler(_TelegramHandler):
    def prepare(self) -> None:
        self.reply(404, _NOT_FOUND)


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # Who called (a proxy's address, in the proxy tests) and for what, without the token.
    handler.settings["peers"].append((handler.request.remote_ip, handler.request.path.rsplit("/", 1)[-1]))
    # tornado logs 4xx/5xx as warnings; injected 429s are expected, so keep it quiet.
    log.debug("%d %s %.1fms", handler.get_status(), handler.request.uri,
              1000 * handler.request.request_time())


class StandinServer:
    """Serves a FakeTelegram over HTTP on the running asyncio loop."""

    def __init__(self, state: FakeTelegram, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = state
        self.host = host
        self.port = port
        self._server: tornado.httpserver.HTTPServer | None = None
        self.peers: list[tuple[str, str]] = []  # (caller's IP address, last part of the path)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> None:
        self.state.bind_loop()
        app = tornado.web.Application(
            [
                (r"/bot([^/]+)/([A-Za-z0-9_]+)/?", ApiHandler, {"state": self.state}),
                (r"/file/bot([^/]+)/(.+)", FileHandler, {"state": self.state}),
            ],
            default_handler_class=_NotFoundHandler,
            default_handler_args={"state": self.state},
            log_function=_log_request,
            peers=self.peers,
        )
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        self._server = tornado.httpserver.HTTPServer(app, max_body_size=60 * 1024 * 1024)
        self._server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        server.stop()
        try:
            await asyncio.wait_for(server.close_all_connections(), 5)
        except asyncio.TimeoutError:
            pass
