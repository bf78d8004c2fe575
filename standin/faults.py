"""Injected failures and Telegram's flood control.

Both are consulted before a method takes effect, so a refused call never
changes state - which is exactly what lets tests prove the bot retries
instead of assuming a message went out.
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from dataclasses import dataclass, field

from .model import ApiError, error_for_status, too_many_requests

ANY_METHOD = "*"


@dataclass
class _CountedFault:
    status: int
    remaining: int
    retry_after: int | None
    description: str | None


@dataclass
class _RatioFault:
    ratio: float
    status: int
    retry_after_range: tuple[int, int]
    until: float | None
    rng: random.Random
    description: str | None


class Faults:
    """Failures planned by a test, keyed by lower-cased method name or "*"."""

    def __init__(self) -> None:
        self._counted: dict[str, deque[_CountedFault]] = {}
        self._ratios: dict[str, list[_RatioFault]] = {}

    def fail(
        self,
        method: str,
        status: int = 429,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        fault = _CountedFault(status, times, retry_after, description)
        self._counted.setdefault(method.lower(), deque()).append(fault)

    def fail_ratio(
        self,
        method: str,
        ratio: float,
        status: int = 502,
        retry_after_range: tuple[int, int] = (1, 3),
        until: float | None = None,
        seed: int | None = None,
        description: str | None = None,
    ) -> None:
        fault = _RatioFault(ratio, status, retry_after_range, until, random.Random(seed), description)
        self._ratios.setdefault(method.lower(), []).append(fault)

    def clear(self) -> None:
        self._counted.clear()
        self._ratios.clear()

    def take(self, method: str) -> ApiError | None:
        """The failure this call of `method` must suffer, if any (consumes a counted one)."""
        for key in (method.lower(), ANY_METHOD):
            queue = self._counted.get(key)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.popleft()
                return error_for_status(fault.status, fault.retry_after, fault.description)
        now = time.monotonic()
        for key in (method.lower(), ANY_METHOD):
            for fault in self._ratios.get(key, []):
                if fault.until is not None and now >= fault.until:
                    continue
                if fault.rng.random() < fault.ratio:
                    retry_after = fault.rng.randint(*fault.retry_after_range)
                    return error_for_status(fault.status, retry_after, fault.description)
        return None


@dataclass
class _Bucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)

    def refill(self, now: float) -> None:
        if self.tokens < 0:
            self.tokens = self.capacity
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_time(self) -> float:
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class FloodGate:
    """Telegram's documented send limits plus bookkeeping of retry windows.

    Telegram allows about one message per second per private chat (short bursts
    tolerated) and about 30 per second overall. A 429 tells the bot how long to
    wait; sending again inside that window is what gets real bots banned for
    longer, so it is counted as a violation whether or not limits are enforced.
    """

    GLOBAL = None  # window key for limits that are not per chat

    def __init__(self, chat_burst: int = 3, chat_rate: float = 1.0, global_rate: float = 30.0) -> None:
        self.chat_burst = chat_burst
        self.chat_rate = chat_rate
        self.global_rate = global_rate
        self._chat_buckets: dict[int, _Bucket] = {}
        self._global_bucket = _Bucket(global_rate, global_rate)
        self._windows: dict[int | None, float] = {}
        self.violations = 0

    def note_retry_after(self, chat_id: int | None, retry_after: int) -> None:
        """Remember that the bot was told to wait before sending to this chat again."""
        until = time.monotonic() + retry_after
        self._windows[chat_id] = max(self._windows.get(chat_id, 0.0), until)

    def check_window(self, chat_id: int | None) -> float:
        """Seconds left in a retry window covering this send; counts a violation if > 0."""
        now = time.monotonic()
        left = max(self._windows.get(chat_id, 0.0), self._windows.get(self.GLOBAL, 0.0)) - now
        if left > 0:
            self.violations += 1
            return left
        return 0.0

    def admit(self, chat_id: int | None, enforce: bool) -> None:
        """Charge one send; raise 429 (and open a retry window) when over the limit."""
        if not enforce:
            return
        now = time.monotonic()
        left = max(self._windows.get(chat_id, 0.0), self._windows.get(self.GLOBAL, 0.0)) - now
        if left > 0:
            raise too_many_requests(math.ceil(left))
        buckets: list[tuple[int | None, _Bucket]] = [(self.GLOBAL, self._global_bucket)]
        if chat_id is not None:
            chat_bucket = self._chat_buckets.setdefault(chat_id, _Bucket(self.chat_burst, self.chat_rate))
            buckets.append((chat_id, chat_bucket))
        for key, bucket in buckets:
            bucket.refill(now)
            wait = bucket.wait_time()
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                self.note_retry_after(key, retry_after)
                raise too_many_requests(retry_after)
        for _, bucket in buckets:
            bucket.tokens -= 1
