"""Missions and their contact details, and which mission covers a relative's last known location.

Routing follows each mission's `consular_district` field (federal districts, or "*" for the rest;
admins edit it in /guidance) and `seeds/regions.toml` (Russian federal subjects → federal
districts, with the names relatives type; admins edit the file, checked at start-up).
A contact detail reaches a family only once an admin has verified it.
"""

from __future__ import annotations

import hashlib
import hmac

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from core.config import PROJECT_ROOT
from db.models import ContactField, Mission, utcnow
from flows import regions as gazetteer

MISSIONS_SEED = PROJECT_ROOT / "seeds" / "missions.toml"
REGIONS_SEED = PROJECT_ROOT / "seeds" / "regions.toml"
FIELDS = ("address", "phone", "hotline", "email", "hours", "consular_district")
SHOWN_TO_FAMILIES = ("address", "phone", "hotline", "email", "hours")
EVERYWHERE_ELSE = "*"


@dataclass(frozen=True)
class Route:
    mission_key: str
    mission_name: str
    region_key: str | None
    region_name: str | None  # None: the place could not be matched to a region
    district_name: str | None
    source: str  # where the coverage comes from
    coverage_verified: bool
    details: list[tuple[str, str]] = field(default_factory=list)  # verified fields only


@cache
def federal_district_names(path: Path = REGIONS_SEED) -> dict[str, dict[str, str]]:
    return gazetteer.load_regions(path)[1]


def load_directory_seeds(session: Session, missions: Path = MISSIONS_SEED) -> int:
    """Insert the missions and contact fields that are not in the database yet."""
    added = 0
    with missions.open("rb") as handle:
        for data in tomllib.load(handle)["missions"]:
            if session.get(Mission, data["key"]) is None:
                session.add(Mission(key=data["key"], position=data["position"], name=data["name"]))
                added += 1
            session.flush()
            present = {f.field for f in session.exec(select(ContactField).where(ContactField.mission_key == data["key"]))}
            for name, entry in data["fields"].items():
                if name not in present:
                    session.add(ContactField(mission_key=data["key"], field=name, value=entry["value"], source=entry["source"]))
                    added += 1
    return added


def fields_of(session: Session, mission_key: str) -> dict[str, ContactField]:
    rows = session.exec(select(ContactField).where(ContactField.mission_key == mission_key))
    return {row.field: row for row in rows}


def covered_districts(value: str) -> set[str]:
    return {part.strip() for part in value.split(",") if part.strip()}


_verified = ContactField.verified.fget  # the model's one rule, applied to a plain row


def route(session: Session, language: str, location: dict[str, Any] | None) -> Route | None:
    # Plain rows, not ORM objects: this runs for every report sent.
    missions = session.connection().execute(select(Mission.key, Mission.name).order_by(Mission.position)).all()
    if not missions:
        return None
    region = None
    if location:
        places = gazetteer.default_gazetteer()
        region = places.match_text(location.get("text") or "")
        if region is None and location.get("lat") is not None:
            region = places.nearest(location["lat"], location["lon"])
    every_field: dict[str, dict[str, Any]] = {}
    query = select(ContactField.mission_key, ContactField.field, ContactField.value, ContactField.source, ContactField.verified_at)
    for row in session.connection().execute(query):  # one query for every mission, not one each
        every_field.setdefault(row.mission_key, {})[row.field] = row
    chosen, coverage = None, None
    for mission in missions:
        district = every_field.get(mission.key, {}).get("consular_district")
        districts = covered_districts(district.value) if district else set()
        if region is not None and region.federal_district in districts:
            chosen, coverage = mission, district
            break
        if EVERYWHERE_ELSE in districts and chosen is None:
            chosen, coverage = mission, district
    if chosen is None or coverage is None:
        return None
    shown = every_field[chosen.key]
    details = [(name, shown[name].value) for name in SHOWN_TO_FAMILIES if name in shown and _verified(shown[name])]
    district_name = federal_district_names().get(region.federal_district, {}).get(language) if region else None
    return Route(
        mission_key=chosen.key,
        mission_name=chosen.name.get(language) or chosen.name["en"],
        region_key=region.key if region else None,
        region_name=(region.name.get(language) or region.name.get("en")) if region else None,
        district_name=district_name,
        source=coverage.source,
        coverage_verified=_verified(coverage),
        details=details,
    )


def unverified(session: Session) -> list[tuple[str, str]]:
    """Contact details that exist but that families cannot see yet: (mission key, field)."""
    rows = session.exec(select(ContactField).order_by(ContactField.mission_key, ContactField.id))
    return [(row.mission_key, row.field) for row in rows if row.value and not row.verified]


def set_field(session: Session, mission_key: str, name: str, value: str, source: str, admin_id: int) -> ContactField:
    row = fields_of(session, mission_key).get(name) or ContactField(mission_key=mission_key, field=name)
    row.value, row.source = value, source
    row.updated_by, row.updated_at = admin_id, utcnow()
    row.verified_by = row.verified_at = None  # a changed detail must be checked again
    session.add(row)
    return row


def fingerprint(value: str) -> str:
    """Short enough for a button (64 bytes of callback data), long enough that two values an
    admin could type never share it by chance."""
    return hashlib.blake2b(value.encode(), digest_size=6).hexdigest()


def verify_field(session: Session, mission_key: str, name: str, admin_id: int, shown: str) -> tuple[bool, ContactField | None]:
    """Verify the value the admin was shown (`shown` is its `fingerprint`): (verified, the field
    as it is now). If another admin changed it meanwhile nothing is stamped: families must
    never get as "checked by our team" a value nobody checked."""
    row = fields_of(session, mission_key).get(name)
    if row is None or not row.value or not hmac.compare_digest(fingerprint(row.value), shown):
        return False, row
    row.verified_by, row.verified_at = admin_id, utcnow()
    session.add(row)
    return True, row
