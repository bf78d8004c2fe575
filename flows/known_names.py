"""Known Azerbaijani names (seeds/az_names.csv): what tells a typo from another man.

Edit distance alone cannot: Emin / Emil, Ramil / Ramin, Samir / Sabir and Kərimov / Kazımov are
one letter apart and are different names, while Abdulayev / Abdullayev is one letter apart and
is a typo. A list of real names settles it: two words that are spellings of two *different*
listed names are two names; two spellings of one listed name (Mirzəyev / Мирзоев) are one name;
a word on no list may be a typo of anything, and `flows.duplicates` judges it by distance.

Words are compared as `flows.names` keys (the skeleton, with "ov" for a surname ending), so each
spelling is listed once and Mamedov / Məmmədov / MAMEDOV meet without being listed apart.
"""

from __future__ import annotations

import csv
from enum import Enum
from functools import lru_cache
from pathlib import Path

from flows.names import parse_key

SEED_PATH = Path(__file__).resolve().parent.parent / "seeds" / "az_names.csv"
SPELLINGS = ("az", "ru", "en")


class Known(Enum):
    SAME = "same"  # two spellings of one listed name
    OTHER = "other"  # spellings of two different listed names


def read_names(path: Path = SEED_PATH) -> list[tuple[str, list[str]]]:
    """(kind, spellings) per listed name; every row must give all three spellings."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    names = []
    for number, row in enumerate(rows, start=1):
        spellings = [row[s].strip() for s in SPELLINGS]
        if row["kind"] not in ("given", "surname") or not all(spellings):
            raise ValueError(f"{path.name}: name {number} needs a kind and its az, ru and en spellings")
        names.append((row["kind"], spellings + [s.strip() for s in (row["also"] or "").split(";") if s.strip()]))
    return names


def word_keys(spelling: str) -> set[str]:
    return {token.key for token in parse_key(spelling).core}


@lru_cache(maxsize=1)
def _index() -> dict[str, frozenset[int]]:
    index: dict[str, set[int]] = {}
    for number, (_, spellings) in enumerate(read_names()):
        for spelling in spellings:
            for key in word_keys(spelling):
                index.setdefault(key, set()).add(number)
    return {key: frozenset(numbers) for key, numbers in index.items()}


def relation(a: str, b: str) -> Known | None:
    """How two different word keys stand on the list; None when either is not listed."""
    index = _index()
    first, second = index.get(a), index.get(b)
    if not first or not second:
        return None
    return Known.SAME if first & second else Known.OTHER
