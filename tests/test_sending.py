"""PatientRateLimiter: free until Telegram says 429, then patient; groups always; errors retried or not.

Every test runs on an event loop whose clock only moves when every task is waiting, so
seconds of Telegram's rates pass in an instant and every start time is exact.
"""

from __future__ import annotations

import asyncio
import selectors
from types import SimpleNamespace

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import sending
from bot.sending import BACKOFF, CAREFUL_FOR_SECONDS, PatientRateLimiter

# PTB warns about its own RetryAfter int->timedelta migration whenever retry_after is read.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

START = 1000.0
GROUP = -1000777


class _SkipWaits(selectors.DefaultSelector):
    """When the loop has nothing to do but wait for a timer, move the clock there at once."""

    def __init__(self) -> None:
        super().__init__()
        self.now = START

    def select(self, timeout=None):
        ready = super().select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:
            raise AssertionError("every task waits for something that never comes")
        self.now += timeout
        return ready


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._clock = _SkipWaits()
        super().__init__(self._clock)

    def time(self) -> float:
        return self._clock.now


class Telegram:
    """The callback PTB would hand the limiter: records when each call started, fails on cue."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.calls: list[tuple[float, str, int | str | None]] = []
        self._scripts: dict[int | str | None, list[BaseException]] = {}

    def will_fail(self, chat_id, *errors: BaseException) -> None:
        self._scripts.setdefault(chat_id, []).extend(errors)

    def fails_forever(self, chat_id, error: BaseException) -> None:
        self._scripts[chat_id] = _Forever(error)

    async def answer(self, endpoint: str, chat_id):
        self.calls.append((self.loop.time(), endpoint, chat_id))
        script = self._scripts.get(chat_id)
        if script:
            raise script.pop(0)
        return {"ok": endpoint, "chat_id": chat_id}

    def starts(self, chat_id=..., endpoint: str | None = None) -> list[float]:
        return [at for at, method, chat in self.calls
                if (chat_id is ... or chat == chat_id) and (endpoint is None or method == endpoint)]


class _Forever(list):
    def __init__(self, error: BaseException) -> None:
        super().__init__([error])
        self.error = error

    def pop(self, index: int = -1) -> BaseException:
        return self.error


def send(limiter: PatientRateLimiter, telegram: Telegram, chat_id, endpoint: str = "sendMessage"):
    async def callback(*args, **kwargs):
        return await telegram.answer(endpoint, chat_id)

    data = {} if chat_id is None else {"chat_id": chat_id, "text": "Salam"}
    return limiter.process_request(callback, (), {}, endpoint, data, None)


@pytest.fixture
def patient(monkeypatch):
    """run(scenario): scenario(limiter, telegram, loop) on virtual time, with the limiter's clock on it."""

    def run(scenario, limiter: PatientRateLimiter | None = None):
        loop = VirtualTimeLoop()
        monkeypatch.setattr(sending, "time", SimpleNamespace(monotonic=loop.time))
        limiter = limiter or PatientRateLimiter()
        telegram = Telegram(loop)
        try:
            return loop.run_until_complete(scenario(limiter, telegram, loop))
        finally:
            loop.close()

    return run


async def told_to_wait(limiter, telegram, chat_id=1, seconds=1) -> float:
    """One send that Telegram answers with 429 then accepts; returns when the 429 came."""
    telegram.will_fail(chat_id, RetryAfter(retry_after=seconds))
    started = len(telegram.calls)
    assert await send(limiter, telegram, chat_id) == {"ok": "sendMessage", "chat_id": chat_id}
    return telegram.calls[started][0]


def at_most_per_window(starts: list[float], count: int, seconds: float) -> bool:
    """No `seconds`-long window holds more than `count` starts."""
    starts = sorted(starts)
    return all(starts[i + count] - starts[i] >= seconds - 1e-9 for i in range(len(starts) - count))


# ------------------------------------------------------------------ before any 429
def test_before_any_429_a_hundred_private_chats_are_answered_at_once(patient):
    async def scenario(limiter, telegram, loop):
        replies = await asyncio.gather(*(send(limiter, telegram, chat) for chat in range(1, 101)))
        assert [reply["chat_id"] for reply in replies] == list(range(1, 101))
        assert telegram.starts() == [START] * 100
        # Nor is one mother kept waiting for her own earlier replies.
        await asyncio.gather(*(send(limiter, telegram, 555) for _ in range(10)))
        assert telegram.starts(555) == [START] * 10
        assert not limiter.careful

    patient(scenario)


# ------------------------------------------------------------------ a 429
def test_after_a_429_nothing_starts_until_the_window_passed_and_the_refused_send_goes_again(patient):
    async def scenario(limiter, telegram, loop):
        first = asyncio.ensure_future(told_to_wait(limiter, telegram, chat_id=1, seconds=1))
        await asyncio.sleep(0.5)  # inside the window, others want to send
        others = [send(limiter, telegram, chat) for chat in range(2, 30)]
        others += [send(limiter, telegram, GROUP), send(limiter, telegram, None, "getMe"),
                   send(limiter, telegram, 2, "editMessageText"), send(limiter, telegram, 3, "answerCallbackQuery")]
        await asyncio.gather(*others)
        refused_at = await first

        assert refused_at == START
        window_end = refused_at + 1 + 0.1
        after_refusal = telegram.calls[1:]
        assert len(after_refusal) == 33
        early = [(at - START, method, chat) for at, method, chat in after_refusal if at < window_end - 1e-9]
        assert early == [], "sent inside the window Telegram asked the bot to wait out"
        assert telegram.starts(1) == [START, pytest.approx(window_end)], "the refused send went again, once"
        assert limiter.careful

    patient(scenario)


def test_after_a_429_sends_keep_to_29_a_second_overall_and_about_one_a_second_per_chat(patient):
    async def scenario(limiter, telegram, loop):
        resumed = await told_to_wait(limiter, telegram, chat_id=1) + 1.1
        first_wave = len(telegram.calls)
        await asyncio.gather(*(send(limiter, telegram, chat) for chat in range(100, 200)))
        starts = [at for at, _, _ in telegram.calls[first_wave:]]
        assert at_most_per_window(starts, 29, 1.0), "more than 29 sends within one second"
        assert max(starts) <= resumed + 100 / 29 + 0.2, "kept to the rate, not slower"

        await asyncio.sleep(5)  # a quiet moment; then one chat gets six replies at once
        await asyncio.gather(*(send(limiter, telegram, 7) for _ in range(6)))
        mine = telegram.starts(7)
        assert mine[2] - mine[0] < 0.2, "a short burst of three is tolerated"
        assert at_most_per_window(mine, 3, 1.0), [round(at - mine[0], 2) for at in mine]
        assert mine[-1] - mine[0] <= 3 * 1.05 + 0.2, "about one a second, not slower"

    patient(scenario)


def test_after_a_429_a_chat_queued_behind_many_others_still_gets_about_one_a_second(patient):
    async def scenario(limiter, telegram, loop):
        await told_to_wait(limiter, telegram, chat_id=1)
        others = [send(limiter, telegram, chat) for chat in range(100, 190)]
        mine = [send(limiter, telegram, 7) for _ in range(6)]
        await asyncio.gather(*others, *mine)
        starts = telegram.starts(7)
        assert at_most_per_window(starts, 3, 1.0), [round(at - starts[0], 2) for at in starts]

    patient(scenario)


def test_patience_ends_when_telegram_has_been_quiet_for_a_while(patient):
    async def scenario(limiter, telegram, loop):
        await told_to_wait(limiter, telegram)
        assert limiter.careful
        await asyncio.sleep(CAREFUL_FOR_SECONDS + 1)
        assert not limiter.careful
        now = loop.time()
        await asyncio.gather(*(send(limiter, telegram, 7) for _ in range(10)))
        assert telegram.starts(7) == [now] * 10

    patient(scenario)


def test_groups_are_held_to_their_rate_even_before_any_429(patient):
    async def scenario(limiter, telegram, loop):
        group = asyncio.gather(*(send(limiter, telegram, GROUP) for _ in range(6)))
        await asyncio.sleep(0)
        await send(limiter, telegram, 42)  # a mother's reply does not wait behind the staff chat
        await group
        starts = [at - START for at in telegram.starts(GROUP)]
        assert starts[:3] == [0, 0, 0], "a burst of three"
        gaps = [later - earlier for earlier, later in zip(starts[2:], starts[3:])]
        assert all(3.0 <= gap <= 3.2 for gap in gaps), gaps
        assert at_most_per_window(starts, 20, 60.0)
        assert telegram.starts(42) == [START]
        assert not limiter.careful

    patient(scenario)


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("error", [BadRequest("Bad Request: message text is empty"),
                                   Forbidden("Forbidden: bot was blocked by the user")])
def test_a_refusal_is_not_retried(patient, error):
    async def scenario(limiter, telegram, loop):
        telegram.fails_forever(5, error)
        with pytest.raises(type(error)):
            await send(limiter, telegram, 5)
        assert telegram.starts(5) == [START], "asked once, answered at once"

    patient(scenario)


@pytest.mark.parametrize("error", [NetworkError("Bad Gateway"), TimedOut()])
def test_network_errors_are_retried_with_back_off_then_raised(patient, error):
    async def scenario(limiter, telegram, loop):
        telegram.fails_forever(5, error)
        with pytest.raises(type(error)):
            await send(limiter, telegram, 5)
        starts = telegram.starts(5)
        assert [later - earlier for earlier, later in zip(starts, starts[1:])] == pytest.approx(list(BACKOFF))

    patient(scenario)


def test_a_network_error_that_passes_is_not_noticed_by_the_caller(patient):
    async def scenario(limiter, telegram, loop):
        telegram.will_fail(5, TimedOut(), NetworkError("Bad Gateway"))
        assert await send(limiter, telegram, 5) == {"ok": "sendMessage", "chat_id": 5}
        assert [at - START for at in telegram.starts(5)] == pytest.approx([0, 0.5, 1.5])
        assert not limiter.careful, "a 5xx is not a flood warning"

    patient(scenario)


@pytest.mark.parametrize("max_retries", [5, 2])
def test_more_429s_than_max_retries_are_raised(patient, max_retries):
    async def scenario(limiter, telegram, loop):
        telegram.fails_forever(5, RetryAfter(retry_after=1))
        with pytest.raises(RetryAfter):
            await send(limiter, telegram, 5)
        starts = telegram.starts(5)
        assert len(starts) == max_retries + 1
        assert all(later - earlier >= 1.1 - 1e-9 for earlier, later in zip(starts, starts[1:]))

    patient(scenario, PatientRateLimiter(max_retries=max_retries))


def test_a_429_after_five_network_errors_is_waited_out(patient):
    async def scenario(limiter, telegram, loop):
        telegram.will_fail(5, *[NetworkError("Bad Gateway")] * 5, RetryAfter(retry_after=1))
        assert await send(limiter, telegram, 5) == {"ok": "sendMessage", "chat_id": 5}

    patient(scenario)


def test_max_retries_above_the_back_off_steps_still_retries_429s(patient):
    async def scenario(limiter, telegram, loop):
        telegram.will_fail(5, *[RetryAfter(retry_after=1)] * 7)
        assert await send(limiter, telegram, 5) == {"ok": "sendMessage", "chat_id": 5}
        assert len(telegram.starts(5)) == 8

    patient(scenario, PatientRateLimiter(max_retries=8))


# ------------------------------------------------------------------ the long poll
def test_get_updates_is_never_delayed(patient):
    async def scenario(limiter, telegram, loop):
        first = asyncio.ensure_future(told_to_wait(limiter, telegram, chat_id=1, seconds=30))
        await asyncio.sleep(1)
        await send(limiter, telegram, None, "getUpdates")  # inside the 30 s window
        assert telegram.starts(None, "getUpdates") == [START + 1]
        await first
        polls = [send(limiter, telegram, None, "getUpdates") for _ in range(5)]
        now = loop.time()
        await asyncio.gather(*(send(limiter, telegram, 1) for _ in range(8)), *polls)
        assert telegram.starts(None, "getUpdates")[1:] == [now] * 5, "not queued behind careful sends"

    patient(scenario)
