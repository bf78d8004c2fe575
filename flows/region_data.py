"""The regions data (`seeds/regions.toml`): Russian federal subjects, their federal districts,
the names relatives type for them, and the checks that make a bad edit fail at start-up."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from flows.text import fold

SEED_PATH = Path(__file__).resolve().parent.parent / "seeds" / "regions.toml"

FEDERAL_DISTRICTS = (
    "central",
    "northwestern",
    "southern",
    "north_caucasian",
    "volga",
    "ural",
    "siberian",
    "far_eastern",
)
LANGUAGES = ("az", "ru", "en")

@dataclass(frozen=True)
class Region:
    key: str
    federal_district: str
    name: dict[str, str] = field(hash=False)
    aliases: tuple[str, ...]
    lat: float
    lon: float
    weak_aliases: tuple[str, ...] = ()
    note: str | None = None



_KEY = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_REGION_FIELDS = {"key", "federal_district", "name", "aliases", "weak_aliases", "note", "lat", "lon"}


def _read(path: Path) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError(f"{where}: expected a list of non-empty strings")
    return tuple(item.strip() for item in value)


def _names(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        raise ValueError(f"{where}: expected a table with exactly the keys {', '.join(LANGUAGES)}")
    if not all(isinstance(text, str) and text.strip() for text in value.values()):
        raise ValueError(f"{where}: every name must be a non-empty string")
    return {language: value[language].strip() for language in LANGUAGES}


def load_regions(path: Path | str = SEED_PATH) -> tuple[list[Region], dict[str, dict[str, str]]]:
    """Read the regions and the federal districts' names; raise ValueError on a bad file."""
    data = _read(Path(path))
    raw_districts = data.get("federal_districts")
    if not isinstance(raw_districts, dict) or set(raw_districts) != set(FEDERAL_DISTRICTS):
        raise ValueError(f"[federal_districts] must name exactly: {', '.join(FEDERAL_DISTRICTS)}")
    districts = {key: _names(raw_districts[key], f"federal_districts.{key}") for key in FEDERAL_DISTRICTS}

    regions: list[Region] = []
    seen: set[str] = set()
    for index, raw in enumerate(data.get("regions", [])):
        key = raw.get("key")
        where = f"regions[{index}] ({key})"
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValueError(f"{where}: key must be snake_case")
        if key in seen:
            raise ValueError(f"{where}: duplicate key")
        seen.add(key)
        unknown = set(raw) - _REGION_FIELDS
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        if raw.get("federal_district") not in FEDERAL_DISTRICTS:
            raise ValueError(f"{where}: unknown federal_district {raw.get('federal_district')!r}")
        lat, lon = raw.get("lat"), raw.get("lon")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
            raise ValueError(f"{where}: lat and lon must be numbers")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"{where}: lat/lon out of range")
        note = raw.get("note")
        if note is not None and not (isinstance(note, str) and note.strip()):
            raise ValueError(f"{where}: note must be a non-empty string")
        region = Region(
            key=key,
            federal_district=raw["federal_district"],
            name=_names(raw.get("name"), f"{where}.name"),
            aliases=_strings(raw.get("aliases"), f"{where}.aliases"),
            lat=float(lat),
            lon=float(lon),
            weak_aliases=_strings(raw.get("weak_aliases", []), f"{where}.weak_aliases"),
            note=note.strip() if note else None,
        )
        for alias in region.aliases + region.weak_aliases:
            _check_alias(alias, where)
        regions.append(region)
    if not regions:
        raise ValueError("no [[regions]] in the file")
    return regions, districts


def load_elsewhere(path: Path | str = SEED_PATH) -> tuple[str, ...]:
    """Names of places outside Russia that must not be read as a region (see the seed file)."""
    return _strings(_read(Path(path)).get("elsewhere", []), "elsewhere")


_WORD = re.compile(r"[^\W_]+")


def _check_alias(alias: str, where: str) -> None:
    words = _WORD.findall(fold(alias))
    if not words:
        raise ValueError(f"{where}: alias {alias!r} has no letters")
    if len("".join(words)) < 3:
        raise ValueError(f"{where}: alias {alias!r} is too short to be safe")
