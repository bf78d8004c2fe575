"""The regions data (`seeds/regions.toml`): Russian federal subjects, their federal districts,
the names relatives type for them, and the checks that make a bad edit fail at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flows.place_names import LANGUAGES, names, place_fields, read_toml, rows, strings

__all__ = ["FEDERAL_DISTRICTS", "LANGUAGES", "SEED_PATH", "Region", "load_elsewhere", "load_regions"]

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


_REGION_FIELDS = {"key", "federal_district", "name", "aliases", "weak_aliases", "note", "lat", "lon"}


def load_regions(path: Path | str = SEED_PATH) -> tuple[list[Region], dict[str, dict[str, str]]]:
    """Read the regions and the federal districts' names; raise ValueError on a bad file."""
    data = read_toml(path)
    raw_districts = data.get("federal_districts")
    if not isinstance(raw_districts, dict) or set(raw_districts) != set(FEDERAL_DISTRICTS):
        raise ValueError(f"[federal_districts] must name exactly: {', '.join(FEDERAL_DISTRICTS)}")
    districts = {key: names(raw_districts[key], f"federal_districts.{key}") for key in FEDERAL_DISTRICTS}

    regions: list[Region] = []
    for where, raw in rows(data, "regions", _REGION_FIELDS):
        if raw.get("federal_district") not in FEDERAL_DISTRICTS:
            raise ValueError(f"{where}: unknown federal_district {raw.get('federal_district')!r}")
        lat, lon = raw.get("lat"), raw.get("lon")
        if not (_is_number(lat) and _is_number(lon)):
            raise ValueError(f"{where}: lat and lon must be numbers")
        assert isinstance(lat, (int, float)) and isinstance(lon, (int, float))  # for the type checker
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"{where}: lat/lon out of range")
        note = raw.get("note")
        if note is not None and not (isinstance(note, str) and note.strip()):
            raise ValueError(f"{where}: note must be a non-empty string")
        regions.append(Region(
            **place_fields(raw, where),
            federal_district=raw["federal_district"],
            lat=float(lat),
            lon=float(lon),
            note=note.strip() if note else None,
        ))
    return regions, districts


def load_elsewhere(path: Path | str = SEED_PATH) -> tuple[str, ...]:
    """Names of places outside Russia that must not be read as a region (see the seed file)."""
    return strings(read_toml(path).get("elsewhere", []), "elsewhere")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
