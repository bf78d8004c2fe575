"""The bot in the test process, for fast conversation tests.

The very application `run_bot.py` builds (handlers, inbox, processor, database, group commit)
runs on the stand-in's event loop, and its Bot API calls go straight to the stand-in's
`FakeTelegram` in memory: no sockets, no subprocess, no start-up of a Python interpreter. The
stand-in still checks every call as Telegram would (HTML, lengths, keyboards). What this tier
cannot do is die: tests that kill the bot use `BotProcess`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from urllib.parse import urlsplit

from telegram.request import BaseRequest, RequestData

from bot.app import build_application, new_poller, prepare_database, serve
from core.config import load_settings
from standin import StandinThread
from standin.model import UploadedFile

# As `core.logs.configure_logging` sets them for a bot at DEBUG: PTB logs what relatives typed at DEBUG.
LOGGERS = {"app": logging.DEBUG, "bot": logging.DEBUG, "core": logging.DEBUG, "db": logging.DEBUG, "homeward": logging.DEBUG, "telegram": logging.INFO}


class InMemoryRequest(BaseRequest):
    """PTB's request interface answered by a FakeTelegram on the same loop."""

    def __init__(self, standin: StandinThread):
        self.telegram = standin.telegram

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None, **_timeouts) -> tuple[int, bytes]:
        path = urlsplit(url).path
        if path.startswith("/file/bot"):
            record = self.telegram.file_by_path(path.split("/", 4)[4])
            return (200, record.data()) if record else (404, b'{"ok":false,"error_code":404,"description":"Not Found"}')
        token, api_method = path.removeprefix("/bot").split("/", 1)
        params: dict = {}
        files: dict[str, UploadedFile] = {}
        if request_data is not None and request_data.contains_files:
            params = dict(request_data.json_parameters)
            files = {name: UploadedFile(name_, content, mime or "application/octet-stream")
                     for name, (name_, content, mime) in request_data.multipart_data.items()}
        elif request_data is not None:
            params = request_data.parameters
        status, body = await self.telegram.dispatch(int(token.split(":")[0]), api_method, params, files)
        return status, json.dumps(body, ensure_ascii=False).encode()


class InProcessBot:
    """Started and stopped like `BotProcess`; logs go to `log_path` at DEBUG as the process's do."""

    def __init__(self, standin: StandinThread, database_url: str, log_path: Path, environment: dict):
        self.standin = standin
        self.database_url = database_url
        self.log_path = log_path
        self.environment = environment
        self._served: asyncio.Future | None = None
        self._until: asyncio.Future | None = None
        self._log_handler: logging.Handler | None = None

    def start(self) -> InProcessBot:
        settings = load_settings(_env_file=None, **{name.lower(): value for name, value in self.environment.items()})
        self._log_handler = logging.FileHandler(self.log_path, encoding="utf-8")
        self._log_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        for name, level in LOGGERS.items():
            logger = logging.getLogger(name)
            logger.addHandler(self._log_handler)
            logger.setLevel(level)
        self.db = prepare_database(settings)  # migrations and seeds, on this thread as at start-up
        application = build_application(settings, self.db, requests=(InMemoryRequest(self.standin), InMemoryRequest(self.standin)))
        loop = self.standin._loop  # noqa: SLF001 - the bot shares the stand-in's loop
        polls_before = len(self.standin.requests("getUpdates"))

        async def run() -> None:
            self._until = loop.create_future()
            await serve(application, new_poller(application), until=self._until)

        self.application = application
        self._served = asyncio.run_coroutine_threadsafe(run(), loop)
        deadline = time.monotonic() + 30
        while len(self.standin.requests("getUpdates")) <= polls_before:
            if self._served.done():
                self._served.result()  # raises what stopped it
                raise AssertionError("the in-process bot stopped before polling")
            if time.monotonic() > deadline:
                raise AssertionError("the in-process bot did not start polling")
            time.sleep(0.02)
        return self

    def call(self, make_coroutine, timeout: float = 30):
        """Run `make_coroutine(application)` on the bot's loop (e.g. a housekeeping round at a
        time the test chooses) and return its result."""
        loop = self.standin._loop  # noqa: SLF001 - the bot shares the stand-in's loop
        return asyncio.run_coroutine_threadsafe(make_coroutine(self.application), loop).result(timeout)

    def stop(self) -> None:
        if self._served is None:
            return
        loop = self.standin._loop  # noqa: SLF001
        loop.call_soon_threadsafe(lambda: self._until.done() or self._until.set_result(None))
        self._served.result(30)
        self._served = None
        self.db.close()
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(self._log_handler)
        self._log_handler.close()
