"""Telegram's HTML parse_mode, re-implemented closely after tdlib's `parse_html`.

The point is to reject exactly the texts Telegram would reject, so a bot bug
(an unescaped user name, an unsupported tag) fails in tests instead of in
production. One deliberate difference: tdlib silently keeps a stray `&` that
does not start a known entity; the Bot API docs say it must be escaped, so we
reject it to catch missing `html.escape()` calls early.

Offsets in the returned entities are UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["EntityError", "parse_html", "parse_html_entities", "strip_formatted", "utf16_len"]


class EntityError(ValueError):
    """A text Telegram would refuse with "can't parse entities"."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"Bad Request: can't parse entities: {reason}")


_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,7})|([a-zA-Z][a-zA-Z0-9]{0,31}));")
# tdlib: an unquoted attribute value is an SGML "name token".
_NAME_TOKEN_RE = re.compile(r"[A-Za-z0-9.\-]*")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the plain text
    attrs: dict[str, str] = field(default_factory=dict)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict] = []

    # Telegram reports positions as UTF-8 byte offsets into the original text.
    def byte_offset(self, index: int) -> int:
        return len(self.text[:index].encode("utf-8"))

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.utf16 += utf16_len(chars)

    def run(self) -> tuple[str, list[dict]]:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == "&":
                self.emit(self.read_entity())
            elif ch == "<":
                if text.startswith("</", self.pos):
                    self.read_end_tag()
                else:
                    self.read_start_tag()
            else:
                # Copy the run of ordinary characters in one go.
                nxt = len(text)
                for stop in ("&", "<"):
                    found = text.find(stop, self.pos)
                    if found != -1:
                        nxt = min(nxt, found)
                self.emit(text[self.pos:nxt])
                self.pos = nxt
        if self.stack:
            raise EntityError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def read_entity(self) -> str:
        match = _ENTITY_RE.match(self.text, self.pos)
        where = self.byte_offset(self.pos)
        if match is None:
            raise EntityError(f'Unescaped "&" or unsupported HTML entity at byte offset {where}')
        decimal, hexa, name = match.groups()
        if name is not None:
            if name not in _NAMED_ENTITIES:
                raise EntityError(f'Unsupported HTML entity "&{name};" at byte offset {where}')
            char = _NAMED_ENTITIES[name]
        else:
            code = int(decimal) if decimal is not None else int(hexa, 16)
            if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise EntityError(f"Invalid numeric HTML entity at byte offset {where}")
            char = chr(code)
        self.pos = match.end()
        return char

    def read_start_tag(self) -> None:
        text, begin = self.text, self.pos
        i = begin + 1
        while i < len(text) and not text[i].isspace() and text[i] != ">":
            i += 1
        if i >= len(text):
            raise EntityError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = text[begin + 1:i].lower()
        if name not in _TAG_ENTITY:
            raise EntityError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        attrs, i = self.read_attributes(name, begin, i)
        self.pos = i + 1  # skip '>'
        self.check_start_tag(name, attrs, begin)
        self.stack.append(_OpenTag(name, self.utf16, attrs))

    def read_attributes(self, tag: str, begin: int, i: int) -> tuple[dict[str, str], int]:
        text = self.text
        attrs: dict[str, str] = {}

        def unclosed() -> EntityError:
            return EntityError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")

        while True:
            while i < len(text) and text[i].isspace():
                i += 1
            if i >= len(text):
                raise unclosed()
            if text[i] == ">":
                return attrs, i
            name_start = i
            while i < len(text) and not text[i].isspace() and text[i] not in "=>":
                i += 1
            attr = text[name_start:i].lower()
            while i < len(text) and text[i].isspace():
                i += 1
            if i >= len(text):
                raise unclosed()
            if text[i] != "=":
                # A bare attribute is only meaningful as <blockquote expandable>.
                if tag == "blockquote" and attr == "expandable":
                    attrs[attr] = ""
                    continue
                raise EntityError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            i += 1
            while i < len(text) and text[i].isspace():
                i += 1
            if i >= len(text):
                raise unclosed()
            if text[i] in "'\"":
                quote = text[i]
                i += 1
                value: list[str] = []
                while i < len(text) and text[i] != quote:
                    if text[i] == "&":
                        self.pos = i
                        value.append(self.read_entity())
                        i = self.pos
                    else:
                        value.append(text[i])
                        i += 1
                if i >= len(text):
                    raise unclosed()
                i += 1
                attrs[attr] = "".join(value)
            else:
                token = _NAME_TOKEN_RE.match(text, i)
                assert token is not None  # the pattern accepts the empty string
                i = token.end()
                if i < len(text) and not text[i].isspace() and text[i] != ">":
                    raise EntityError(
                        f"Unexpected end of name token at byte offset {self.byte_offset(token.start())}"
                    )
                attrs[attr] = token.group().lower()

    def check_start_tag(self, name: str, attrs: dict[str, str], begin: int) -> None:
        where = self.byte_offset(begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityError(f'Tag "span" must have class "tg-spoiler" at byte offset {where}')
        if name == "a" and not attrs.get("href"):
            raise EntityError(f'Tag "a" must have attribute "href" at byte offset {where}')
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {where}')

    def read_end_tag(self) -> None:
        text, begin = self.text, self.pos
        where = self.byte_offset(begin)
        if not self.stack:
            raise EntityError(f"Unexpected end tag at byte offset {where}")
        i = begin + 2
        while i < len(text) and not text[i].isspace() and text[i] != ">":
            i += 1
        end_name = text[begin + 2:i].lower()
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text) or text[i] != ">":
            raise EntityError(f"Unclosed end tag at byte offset {where}")
        open_tag = self.stack[-1]
        if end_name and end_name != open_tag.name:
            raise EntityError(
                f'Unmatched end tag at byte offset {where}, expected "</{open_tag.name}>", '
                f'found "</{end_name}>"'
            )
        self.pos = i + 1
        self.stack.pop()
        self.close_entity(open_tag)

    def close_entity(self, tag: _OpenTag) -> None:
        parent = self.stack[-1] if self.stack else None
        if tag.name == "code" and parent is not None and parent.name == "pre":
            # <pre><code class="language-x"> is how Telegram spells a pre block's
            # language; it becomes one "pre" entity, not two.
            css = tag.attrs.get("class", "")
            if css.startswith("language-") and len(css) > len("language-"):
                parent.attrs["language"] = css[len("language-"):]
            return
        length = self.utf16 - tag.start
        if length <= 0:
            return  # Telegram drops empty entities
        entity: dict = {"type": _TAG_ENTITY[tag.name], "offset": tag.start, "length": length}
        if tag.name == "a":
            entity["url"] = tag.attrs["href"]
        elif tag.name == "pre" and tag.attrs.get("language"):
            entity["language"] = tag.attrs["language"]
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attrs["emoji-id"]
        self.entities.append(entity)


def parse_html_entities(text: str) -> tuple[str, list[dict]]:
    """Parse Telegram HTML into (plain_text, entities); raise EntityError like Telegram."""
    return _Parser(text).run()


def parse_html(text: str) -> str:
    """Validate Telegram HTML and return the plain text a user would see."""
    return parse_html_entities(text)[0]


def strip_formatted(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Trim surrounding whitespace the way Telegram does, keeping entities aligned."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


MAX_MESSAGE = 4096


class TooLong(ValueError):
    """A paragraph longer than one Telegram message: it cannot be split at a paragraph boundary."""


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split HTML into messages of at most `limit` characters, at paragraph boundaries.

    Each part must be valid on its own (a tag may not span two parts); raises EntityError or
    TooLong with the reason otherwise.
    """
    if len(parse_html(text)) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        if len(parse_html(paragraph)) > limit:
            raise TooLong(f"a paragraph has {len(parse_html(paragraph))} characters; Telegram allows {limit}")
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if current and len(parse_html(candidate)) > limit:
            parts.append(current)
            candidate = paragraph
        current = candidate
    parts.append(current)
    for part in parts:
        parse_html(part)  # a tag opened in one paragraph and closed in another fails here
    return parts
