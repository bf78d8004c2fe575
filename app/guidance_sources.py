"""Where each guidance item comes from.

Every item of a section ends with its citation as an italic line: the publication and date a
family can read ("APA, 2026"), never a file name. The file behind a citation is looked up in
`seeds/guidance/sources.toml` and shown to admins only. When an admin sends a new text, each
item keeps or gets its citation: an italic last line as copied from the bot, a last line that
names a known publication, a "Source: …" line in any of the three languages, or, when the text
has as many items as before, the citation of the item it replaces.
"""

from __future__ import annotations

import html
import re
import tomllib
from functools import cache
from pathlib import Path

from core.config import LANGUAGES, PROJECT_ROOT
from core.i18n import t

SOURCES = PROJECT_ROOT / "seeds" / "guidance" / "sources.toml"
HOMEWARD = "homeward"  # Homeward's own word: no document says it, we do
_CITATION = re.compile(r"^<i>([^<>]+)</i>$")
_TAGS = re.compile(r"</?[a-z]+[^>]*>")


@cache
def documents(path: Path = SOURCES) -> dict[str, dict[str, str]]:
    """file → label in each language, for the documents guidance may cite."""
    with path.open("rb") as handle:
        listed = tomllib.load(handle)["documents"]
    return {d["file"]: d["label"] for d in listed if d.get("used") and "label" in d}


def label_of(source: str, language: str) -> str:
    return documents()[source][language]


def reference_of(label: str) -> str | None:
    """The file behind a citation families see, or None when an admin gave it."""
    return next((file for file, labels in documents().items() if label in labels.values()), None)


def cite(text: str, label: str) -> str:
    """One item as families read it: the text, then where it comes from."""
    return f"{text}\n<i>{html.escape(label, quote=False)}</i>"


def paragraphs(body: str) -> list[str]:
    return [part.strip() for part in re.split(r"\n\s*\n", body) if part.strip()]


def citation(paragraph: str) -> str | None:
    """The citation of one item (as plain text), if its last line is one."""
    lines = paragraph.split("\n")
    found = _CITATION.match(lines[-1].strip()) if len(lines) > 1 else None
    return html.unescape(found.group(1)) if found else None


def cited(body: str) -> list[str]:
    """Every citation of a section, each once, in order."""
    labels: list[str] = []
    for paragraph in paragraphs(body):
        label = citation(paragraph)
        if label and label not in labels:
            labels.append(label)
    return labels


def _prefixes() -> tuple[str, ...]:
    # "Source:", "Mənbə:", "Источник:": the word the route's source line already uses.
    return tuple(t(language, "route.source").split("{source}")[0].strip().lower() for language in LANGUAGES)


def _given(last_line: str) -> str | None:
    plain = html.unescape(_TAGS.sub("", last_line)).strip()
    for prefix in _prefixes():
        if plain.lower().startswith(prefix) and plain[len(prefix):].strip(" .:"):
            return plain[len(prefix):].strip(" .")
    return None


def attach(body: str, previous: str) -> tuple[str, int | None]:
    """The admin's text with every item cited, or (text, number of the first item without a source)."""
    before = [citation(p) for p in paragraphs(previous)]
    known = {label for labels in documents().values() for label in labels.values()} | {b for b in before if b}
    items = paragraphs(body)
    cited_items = []
    for number, paragraph in enumerate(items, 1):
        lines = paragraph.split("\n")
        last = lines[-1].strip()
        plain_last = html.unescape(_TAGS.sub("", last)).strip()
        if (given := _given(last)) is not None:
            label, lines = given, lines[:-1]
        elif len(lines) > 1 and (citation(paragraph) or plain_last in known):
            label, lines = citation(paragraph) or plain_last, lines[:-1]
        elif len(items) == len(before) and before[number - 1]:
            label = before[number - 1]
        else:
            return body, number
        if not "\n".join(lines).strip():
            return body, number
        cited_items.append(cite("\n".join(lines).rstrip(), label))
    return "\n\n".join(cited_items), None


def references(body: str) -> list[str]:
    """What the database keeps beside a text: the file of each citation, or the citation itself."""
    return [reference_of(label) or label for label in cited(body)]
