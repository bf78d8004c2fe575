"""Callback data: every button's `prefix:arg:arg` is built and read here, nowhere else.

Telegram keeps at most 64 bytes of callback data per button and refuses the whole message if
one button has more, so an over-long value fails when the button is built (in tests), not when
a relative is waiting for the question.
"""

from __future__ import annotations

MAX_BYTES = 64
SEPARATOR = ":"


class TooLong(ValueError):
    """Callback data Telegram would refuse (over 64 bytes)."""


def pack(prefix: str, *args: object) -> str:
    parts = [prefix, *(str(arg) for arg in args)]
    if any(SEPARATOR in part for part in parts[:-1]):
        raise ValueError(f"{SEPARATOR!r} inside a callback argument: {parts!r}")
    data = SEPARATOR.join(parts)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise TooLong(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def parse(data: str | None) -> tuple[str, list[str]]:
    """(prefix, arguments); a button without arguments has an empty list."""
    prefix, _, rest = (data or "").partition(SEPARATOR)
    return prefix, rest.split(SEPARATOR) if rest else []
