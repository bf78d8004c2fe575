"""A report's answers as people read them: the review a relative checks before sending, the
questions, the consent, and a submitted case for staff. Telegram HTML, no Telegram objects."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from app.case_schema import STORED_STEPS, answer_of
from app.directory import Route
from app.roles import commands_beyond_families
from core.config import Settings
from core.i18n import Html, format_day, format_month, t, tn
from flows.engine import UNKNOWN_ANSWERS
from flows.steps import REQUIRED, STEPS, Keyboard

REVIEW_TEXT_LIMIT = 400  # long free text is shortened in the summary: no need to echo it all back
SHOWN_WHOLE_AT_THE_END = ("details",)  # staff read a family's own account in full, below the rest


def help_text(language: str, role: str | None) -> str:
    """/help: the family's commands, then those of staff and admins, to those who hold the role."""
    lines = [t(language, "help.text")]
    extra = commands_beyond_families(role)
    if extra:
        lines += ["", t(language, "help.role_commands")] + [f"/{name} — {t(language, f'command.{name}')}" for name in extra]
    return "\n".join(lines)


def choice_label(language: str, field: str, value: str) -> str:
    return t(language, f"choice.{field}.{value}")


def describe(language: str, field: str, value: Any, unknown: bool = False) -> str:
    """One answer as the review shows it (escaped HTML); `unknown`: she said she does not know."""
    if value is None:
        return t(language, "button.dont_know") if unknown else t(language, "review.skipped")
    step = STEPS[field]
    if step.keyboard == Keyboard.CHOICES:
        return choice_label(language, field, value)
    if step.keyboard == Keyboard.MULTI:
        return ", ".join(choice_label(language, field, v) for v in value)
    if step.keyboard == Keyboard.MEDIA:
        return tn(language, "review.files", "review.files.plural", len(value))
    if field == "birth":
        return format_day(language, date.fromisoformat(value["date"])) if value.get("date") else str(value["year"])
    if field == "last_contact":
        return describe_fuzzy_date(language, value)
    if field == "last_location":
        return t(language, "review.pin", where=value["text"]) if value.get("lat") is not None else t(language, "review.plain", text=value["text"])
    if field == "reporter_contact":
        return t(language, "review.contact_telegram") if value["method"] == "telegram" else value["phone"]
    text = str(value)
    if len(text) > REVIEW_TEXT_LIMIT:
        text = text[:REVIEW_TEXT_LIMIT].rstrip() + "…"
    return t(language, "review.plain", text=text)


def _line(language: str, field: str, value: Any, unknown: bool = False) -> str:
    return t(language, "review.line", label=t(language, f"field.{field}"), value=Html(describe(language, field, value, unknown)))


def describe_case(language: str, case) -> list[str]:
    """A submitted case for staff, in the staff member's language: every answer, labelled."""
    lines = []
    for step in STORED_STEPS:
        value = answer_of(step, case)
        if value is not None and step.field not in SHOWN_WHOLE_AT_THE_END:
            lines.append(_line(language, step.field, value))
        elif step.field in (getattr(case, "unknown_answers", None) or []):
            lines.append(_line(language, step.field, None, unknown=True))
    for field in SHOWN_WHOLE_AT_THE_END:
        whole = answer_of(STEPS[field], case)
        if whole:
            lines += ["", t(language, "review.line", label=t(language, f"field.{field}"), value=whole)]
    return lines


def describe_fuzzy_date(language: str, value: dict[str, Any]) -> str:
    if not value.get("date"):
        return t(language, "button.dont_know")
    day = date.fromisoformat(value["date"])
    if value["precision"] == "day":
        return format_day(language, day)
    if value["precision"] == "month":
        return format_month(language, day)
    if value["precision"] == "year":
        return str(day.year)
    if value["precision"] == "season":
        season = {12: "winter", 3: "spring", 6: "summer", 9: "autumn"}[day.month]
        years = f"{day.year}/{(day.year + 1) % 100:02d}" if day.month == 12 else str(day.year)
        return t(language, f"review.season.{season}", year=years, typed=value["text"])
    return t(language, "review.approximately", date=format_day(language, day), typed=value["text"])


def question_text(language: str, field: str, reason: str | None, params: dict[str, Any]) -> str:
    parts = []
    if reason:
        parts.append(t(language, f"invalid.{reason}", **params))
    step = STEPS[field]
    if step in REQUIRED:
        parts.append(t(language, "progress.required", number=REQUIRED.index(step) + 1, total=len(REQUIRED)))
    parts.append(t(language, step.question))
    return "\n\n".join(parts)


def review_text(language: str, answers: dict[str, Any]) -> str:
    lines = [t(language, "review.title"), ""]
    unknown = answers.get(UNKNOWN_ANSWERS) or []
    lines += [_line(language, field, answers[field], field in unknown) for field in STEPS if field in answers]
    lines += ["", t(language, "review.hint")]
    return "\n".join(lines)


def period(language: str, days: int) -> str:
    """A retention period as a person says it: "2 years" rather than "730 days"."""
    if days % 365 == 0:
        return tn(language, "consent.retention_years", "consent.retention_years.plural", days // 365)
    return tn(language, "consent.retention", "consent.retention.plural", days)


def consent_text(language: str, settings: Settings) -> str:
    """The consent, with the retention periods the purge really uses (the version is CONSENT_VERSION)."""
    return t(language, "consent.text", draft=period(language, settings.draft_retention_days),
             closed=period(language, settings.retention_days_closed), deceased=period(language, settings.retention_days_deceased),
             no_report=period(language, settings.retention_days_no_report))


def route_text(language: str, route: Route) -> str:
    """Where to turn: the mission covering the last known location, and only verified details."""
    lines = [t(language, "route.title"), ""]
    mission = Html(f"<b>{html.escape(route.mission_name)}</b>")
    if route.region_name:
        lines.append(t(language, "route.covered", region=route.region_name, district=route.district_name or "—", mission=mission))
    else:
        lines.append(t(language, "route.unknown_region", mission=mission))
    note = [t(language, "route.source", source=route.source)] if route.source else []
    if not route.coverage_verified:
        note.append(t(language, "route.unconfirmed"))
    lines += ["", f"<i>{' '.join(note)}</i>", ""] if note else [""]
    if route.details:
        lines.append(t(language, "route.details_title"))
        lines += [t(language, "route.detail", label=t(language, f"contact.field.{name}"), value=value) for name, value in route.details]
    else:
        lines.append(t(language, "route.no_details"))
    return "\n".join(lines)
