"""Every call to Telegram goes through here: its flood limits, and patience when it stumbles.

AIORateLimiter keeps to Telegram's limits and, on 429, holds every request until retry_after
has passed, then retries. On top of that, a 5xx or a timeout is retried with back-off; when
all retries fail the error reaches the update processor, which handles the update again later,
so a reply is delayed, never silently dropped.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, NetworkError
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

BACKOFF = (0.5, 1, 2, 4, 8)
NOT_RETRIED = (BadRequest, Forbidden, InvalidToken, Conflict, ChatMigrated)


class PatientRateLimiter(AIORateLimiter):
    def __init__(self, max_retries: int = 5, backoff: tuple[float, ...] = BACKOFF):
        super().__init__(max_retries=max_retries)
        self.backoff = backoff

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args) -> Any:
        if endpoint == "getUpdates":
            # The poller has its own back-off and must not hold other requests up.
            return await callback(*args, **kwargs)
        for delay in (*self.backoff, None):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NOT_RETRIED:
                raise
            except NetworkError as exc:
                if delay is None:
                    raise
                log.warning("%s failed (%s); retrying in %s s", endpoint, type(exc).__name__, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
