"""Messages in az, ru and en from gettext catalogs under `locales/`.

Message ids are keys (`ask.full_name`); every language, English too, has its own catalog, so a
missing translation is a visible gap, never a silent fallback. Parameters are HTML-escaped
unless wrapped in `Html`, because every message is sent with Telegram's HTML parse mode.
"""

from __future__ import annotations

import html
from datetime import date
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_skeleton
from babel.support import Translations

from core.config import PROJECT_ROOT

LOCALES = PROJECT_ROOT / "locales"
DOMAIN = "homeward"


class Html(str):
    """A parameter that is already Telegram HTML and must not be escaped again."""


def compile_catalogs(folder: Path = LOCALES) -> list[Path]:
    """Compile every .po newer than its .mo (what `make run` and tests rely on)."""
    written = []
    for po in sorted(folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        from babel.messages.mofile import write_mo  # only when a catalog changed: not at every start
        from babel.messages.pofile import read_po

        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        with mo.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(mo)
    return written


@cache
def translations(language: str) -> Translations:
    compile_catalogs()
    loaded = Translations.load(str(LOCALES), [language], DOMAIN)
    if not isinstance(loaded, Translations):
        raise RuntimeError(f"no message catalog for {language} in {LOCALES}")
    return loaded


def _escape(params: dict[str, object]) -> dict[str, object]:
    return {k: v if isinstance(v, Html) or not isinstance(v, str) else html.escape(v, quote=False) for k, v in params.items()}


def t(language: str, key: str, /, **params: object) -> str:
    text = translations(language).gettext(key)
    return text.format(**_escape(params)) if params else text


def tn(language: str, key: str, plural_key: str, count: int, /, **params: object) -> str:
    """Plural forms by CLDR rules (Russian has three): `count` is always available as {count}."""
    text = translations(language).ngettext(key, plural_key, count)
    return text.format(count=count, **_escape(params))


def format_day(language: str, value: date) -> str:
    return format_date(value, format="long", locale=language)


def format_month(language: str, value: date) -> str:
    return format_skeleton("yMMMM", value, locale=language)
