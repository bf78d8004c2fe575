"""Case references a mother can read over the phone: no 0/O or 1/I/L to confuse."""

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(6))
    return f"{chars[:3]}-{chars[3:]}"


def as_typed(text: str) -> str:
    """A reference as someone typed or read it out: `fj6djg`, `FJ6 DJG` and `FJ6-DJG` are one
    case. Anything that is not six such characters is returned upper-cased, to be not found."""
    chars = "".join(c for c in text.upper() if c.isalnum())
    return f"{chars[:3]}-{chars[3:]}" if len(chars) == 6 else text.strip().upper()
