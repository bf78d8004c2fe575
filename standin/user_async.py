"""The coroutine forms of `FakeUser`'s actions (`asend`, `anext_message`, ...), for asyncio code:
each runs the same private step as its blocking form, on the stand-in's loop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .model import BotMessage

if TYPE_CHECKING:
    from .users import Keyboard

DEFAULT_PHONE = "+994501234567"
DEFAULT_LOCATION = (40.4093, 49.8671)  # Baku


class AsyncForms:
    """Mixed into `FakeUser`, whose private `_send*`, `_click`, `_wait`... these call."""

    tg: Any
    id: int
    _consumed: int
    async def asend(self, text: str) -> dict[str, Any]:
        return await self.tg._async(self._send, text)

    async def asend_contact(self, phone_number: str = DEFAULT_PHONE, user_id: int | None = None,
                            first_name: str | None = None) -> dict[str, Any]:
        return await self.tg._async(self._send_contact, phone_number, user_id, first_name)

    async def asend_location(self, latitude: float = DEFAULT_LOCATION[0],
                             longitude: float = DEFAULT_LOCATION[1]) -> dict[str, Any]:
        return await self.tg._async(self._send_location, latitude, longitude)

    async def asend_photo(self, caption: str | None = None, content: bytes | None = None) -> dict[str, Any]:
        return await self.tg._async(self._send_photo, caption, content)

    async def asend_document(self, file_name: str = "passport.pdf", mime_type: str = "application/pdf",
                             size: int = 48_213, content: bytes | None = None,
                             caption: str | None = None) -> dict[str, Any]:
        return await self.tg._async(self._send_document, file_name, mime_type, size, content, caption)

    async def asend_voice(self, duration: int = 5) -> dict[str, Any]:
        return await self.tg._async(self._send_voice, duration)

    async def asend_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        return await self.tg._async(self._send_sticker, emoji)

    async def asend_video_note(self, duration: int = 3) -> dict[str, Any]:
        return await self.tg._async(self._send_video_note, duration)

    async def aclick(self, target: str | int, phone_number: str = DEFAULT_PHONE,
                     location: tuple[float, float] = DEFAULT_LOCATION) -> dict[str, Any]:
        return await self.tg._async(self._click, target, phone_number, location)

    async def ablock(self) -> dict[str, Any]:
        return await self.tg._async(self._set_blocked, True)

    async def aunblock(self) -> dict[str, Any]:
        return await self.tg._async(self._set_blocked, False)

    async def akeyboard(self) -> "Keyboard | None":
        return await self.tg._async(self._keyboard)

    async def adrain(self) -> list[BotMessage]:
        return await self.tg._async(self._drain)

    async def anext_message(self, timeout: float = 10) -> BotMessage:
        return await self.tg._async_wait(lambda: self._next_message(timeout))

    async def anext_messages(self, count: int, timeout: float = 10) -> list[BotMessage]:
        """The next `count` bot messages, waiting on this chat alone (for many users at once);
        must run on the stand-in's loop."""
        try:
            await self.tg.wait_for_sends(self.id, self._consumed + count, timeout)
        except TimeoutError:
            raise AssertionError(f"{self!r}: the bot sent fewer than {count} new messages within {timeout}s") from None
        taken = self._chat().bot_messages[self._consumed:self._consumed + count]
        self._consumed += count
        return taken

    async def aask(self, text: str, timeout: float = 10) -> BotMessage:
        await self.asend(text)
        return await self.anext_message(timeout)

    async def atap(self, target: str | int, timeout: float = 10, **click_options: Any) -> BotMessage:
        await self.aclick(target, **click_options)
        return await self.anext_message(timeout)

    async def aexpect_silence(self, seconds: float = 0.5) -> None:
        await self.tg._async_wait(lambda: self._expect_silence(seconds))

    async def await_callback_answered(self, query_id: str | None = None, timeout: float = 5) -> dict[str, Any]:
        return await self.tg._async_wait(lambda: self._wait_callback_answered(query_id, timeout))

    async def await_for(self, predicate: Callable[[], Any], timeout: float = 10,
                        what: str = "condition not met") -> Any:
        return await self.tg._async_wait(lambda: self._wait(predicate, timeout, what))
