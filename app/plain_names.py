"""Stored values as staff and admins read them: a language by its name, a region by its name, an
office by its name. Screens never show a key (`voronezh_oblast`, `embassy_moscow`, `ru`)."""

from __future__ import annotations

from sqlmodel import Session

from core.config import LANGUAGE_NAMES
from core.i18n import t
from db.models import Mission
from flows.regions import default_gazetteer


def language_name(code: str | None) -> str:
    return LANGUAGE_NAMES.get(code, code) if code else "—"


def language_filter(language: str, code: str) -> str:
    """A language filter's label: "All languages", or the language's own name."""
    return t(language, "staff.language.all") if code == "all" else language_name(code)


def region_name(language: str, key: str | None) -> str:
    if not key:
        return "—"
    try:
        name = default_gazetteer().get(key).name
    except KeyError:  # a region since taken out of seeds/regions.toml
        return key
    return name.get(language) or name.get("en") or key


def office_name(session: Session, language: str, key: str | None) -> str:
    mission = session.get(Mission, key) if key else None
    return (mission.name.get(language) or mission.name["en"]) if mission else "—"
