"""What a use case hands the adapter to show: text (Telegram HTML) and buttons as plain data.

The adapter turns these into Telegram objects after the transaction, so no use case imports
`telegram` and none builds a keyboard while holding the writer.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from core.callbacks import pack

PHONE_WIDTH = 30  # characters a phone shows whole on one button; Telegram cuts a longer label


@dataclass(frozen=True)
class Button:
    label: str
    data: str | None = None  # callback data, built with `core.callbacks.pack`
    url: str | None = None


def tap(label: str, prefix: str, *args: object) -> Button:
    return Button(label, data=pack(prefix, *args))


@dataclass(frozen=True)
class Reply:
    text: str
    rows: list[list[Button]] | None = field(default=None)  # None: no keyboard


def column(buttons: list[Button]) -> list[list[Button]]:
    return [[b] for b in buttons]


def fit(text: str, width: int) -> str:
    """Text for a button, cut at a word with an ellipsis when it is too wide (a single long word
    is cut inside it)."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    short = textwrap.shorten(text, width, placeholder="…")
    return short if short != "…" else text[:width - 1] + "…"
