"""`StandinThread`: the stand-in on a background thread, for plain synchronous tests.

The server and FakeTelegram get their own event loop on a daemon thread, so a
test can run the bot (e.g. inside `asyncio.run`) on its own thread and drive
users with blocking calls. Every FakeTelegram/FakeUser method is thread-safe
(it marshals onto the stand-in loop), so this class only manages the lifetime
and forwards everything else to the FakeTelegram.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable

from .server import StandinServer
from .state import FakeTelegram
from .users import FakeUser


class StandinThread:
    def __init__(self, telegram: FakeTelegram | None = None, host: str = "127.0.0.1", port: int = 0,
                 loop_factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop) -> None:
        self.telegram = telegram or FakeTelegram()
        self._loop_factory = loop_factory
        self.server = StandinServer(self.telegram, host, port)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # ----------------------------------------------------------- lifetime
    def start(self) -> StandinThread:
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._run, name="standin-telegram", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("stand-in server did not start within 10s")
        if self._error is not None:
            raise RuntimeError("stand-in server failed to start") from self._error
        return self

    def _run(self) -> None:
        loop = self._loop = self._loop_factory()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.server.start())
        except BaseException as error:  # noqa: BLE001 - report to start(), which is waiting
            self._error = error
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            # Let long polls and waiters unwind before the loop disappears.
            tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in tasks:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.close()

    def stop(self) -> None:
        thread, loop = self._thread, self._loop
        if thread is None or loop is None or not thread.is_alive():
            return
        try:
            asyncio.run_coroutine_threadsafe(self.server.stop(), loop).result(10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            self._thread = None

    def __enter__(self) -> StandinThread:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # ---------------------------------------------------------- addresses
    @property
    def port(self) -> int:
        return self.server.port

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def file_url(self) -> str:
        return self.server.file_url

    # ------------------------------------------------- forwarded settings
    @property
    def latency(self) -> float:
        return self.telegram.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.telegram.latency = seconds

    @property
    def flood_limits(self) -> bool:
        return self.telegram.flood_limits

    @flood_limits.setter
    def flood_limits(self, enabled: bool) -> None:
        self.telegram.flood_limits = enabled

    @property
    def duplicate_delivery(self) -> bool:
        return self.telegram.duplicate_delivery

    @duplicate_delivery.setter
    def duplicate_delivery(self, enabled: bool) -> None:
        self.telegram.duplicate_delivery = enabled

    def user(self, user_id: int, first_name: str = "Test", language_code: str | None = "az",
             **extra: Any) -> FakeUser:
        return self.telegram.user(user_id, first_name, language_code, **extra)

    def __getattr__(self, name: str) -> Any:
        # fail, fail_ratio, all_requests, sent_messages, commands, pending_updates, ...
        if name.startswith("__") or name == "telegram":
            raise AttributeError(name)
        return getattr(self.telegram, name)
