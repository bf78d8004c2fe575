"""Which files a family sends may reach staff's phones, and how a file's name is shown.

A file goes to staff ("Send the files") only when it is something a phone opens safely: a
photo, a voice or video message, audio, a video, or a PDF. Telegram's own photo, voice and
video-note kinds are made by Telegram; anything sent as a file must say the same thing twice,
its type (mime) and its name's extension, since either alone is whatever the sender wrote.
Everything else (an executable, a script, an archive, a PDF named `.exe`) is kept, as its file
id, for the export, and flagged on the case; it is never pushed into a staff chat.
"""

from __future__ import annotations

import unicodedata

# Kinds Telegram itself produces from a recording or a picture.
TELEGRAM_MADE = frozenset({"photo", "voice", "video_note"})
# mime type → extensions a file of that type may have, for files sent as audio, video or document.
SAFE_TYPES = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/heic": (".heic",),
    "audio/mpeg": (".mp3",),
    "audio/ogg": (".ogg", ".oga", ".opus"),
    "audio/mp4": (".m4a",),
    "audio/x-m4a": (".m4a",),
    "audio/aac": (".aac",),
    "audio/wav": (".wav",),
    "audio/x-wav": (".wav",),
    "video/mp4": (".mp4",),
    "video/quicktime": (".mov",),
    "video/3gpp": (".3gp",),
    "video/webm": (".webm",),
}
# Telegram's audio and video kinds need not carry a name: then the type alone decides.
_NAMELESS_OK = {"audio": "audio/", "video": "video/"}
NAME_MAX = 64


def safe_name(name: str | None) -> str | None:
    """A file name fit to show staff: no folder parts, no control, format or direction
    characters, at most NAME_MAX characters (the extension kept); None when nothing is left."""
    if not name:
        return None
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(" " if ch.isspace() else ch for ch in name
                   if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    kept = " ".join(kept.split()).strip(". ")
    if len(kept) > NAME_MAX:
        stem, dot, extension = kept.rpartition(".")
        keeps_extension = bool(dot) and 0 < len(extension) <= 10
        kept = stem[:NAME_MAX - len(extension) - 2] + "…." + extension if keeps_extension else kept[:NAME_MAX - 1] + "…"
    return kept or None


def forwardable(kind: str, mime_type: str | None, name: str | None) -> bool:
    if kind in TELEGRAM_MADE:
        return True
    mime = (mime_type or "").split(";")[0].strip().lower()
    if not name and kind in _NAMELESS_OK:
        return mime.startswith(_NAMELESS_OK[kind])
    extensions = SAFE_TYPES.get(mime)
    return bool(extensions and name and name.lower().endswith(extensions))


def recorded_forwardable(item: dict) -> bool:
    """The verdict stored with a file; one stored before the check had no name recorded, so
    only Telegram's own kinds (and named-less audio or video) pass."""
    if "forwardable" in item:
        return bool(item["forwardable"])
    return forwardable(item["kind"], item.get("mime_type"), None)
