"""/guidance for admins: read, edit, preview, publish, confirm and roll back guidance; edit and
verify the missions' contact details. Screens are read on the read path; each change is one
write whose result the adapter shows with the next screen."""

from __future__ import annotations

import html
from datetime import datetime

from sqlmodel import Session, select

from app import desk, directory, guidance_versions as versions, launch_check
from app.guidance import section_messages
from app.guidance_sources import HOMEWARD, attach, cited, reference_of
from app.guidance_files import IMPORTED_BY
from app.screens import Reply, tap
from core.config import LANGUAGE_NAMES, LANGUAGES, Settings
from core.i18n import Html, format_day, t
from db.models import Mission, PendingInput

STATE_MARK = {versions.CURRENT: "✅", versions.OUTDATED: "⚠️", versions.UNVERIFIED: "❔"}


def _who(language: str, admin_id: int | None) -> str:
    if admin_id is None:
        return t(language, "admin.by_seed")
    if admin_id == IMPORTED_BY:
        return t(language, "admin.by_import")
    return t(language, "admin.by_admin", id=str(admin_id))


def _when(language: str, moment: datetime | None) -> str:
    return format_day(language, moment.date()) if moment else "—"


def _back(language: str, *to: object) -> list:
    return [tap(t(language, "button.back"), "ad", *to)]


def overview(session: Session, language: str, to_do: list[str] | None = None) -> list[Reply]:
    """`to_do`: what stands between the install and families (app.launch_check), on top."""
    sections = versions.overview(session, language)
    lines = [*to_do, ""] if to_do else []
    lines += [t(language, "admin.overview.title"), ""]
    for section in sections:
        states = " · ".join(f"{LANGUAGE_NAMES[lang]} {STATE_MARK[section.states.get(lang, versions.UNVERIFIED)]}" for lang in LANGUAGES)
        lines.append(t(language, "admin.overview.line", title=section.title, states=states))
    outdated = [f"{s.title} ({LANGUAGE_NAMES[lang]})" for s in sections for lang, state in s.states.items() if state == versions.OUTDATED]
    if outdated:
        lines += ["", t(language, "admin.overview.outdated", items=", ".join(outdated))]
    names = {m.key: m.name.get(language) or m.name["en"] for m in session.exec(select(Mission))}
    hidden = [f"{names.get(key, key)}: {t(language, f'contact.field.{name}')}" for key, name in directory.unverified(session)]
    lines += ["", t(language, "admin.overview.contacts", count=len(hidden), items=", ".join(hidden) or "—")]
    rows = [[tap(s.title, "ad", "sec", s.key)] for s in sections] + [[tap(t(language, "button.admin.contacts"), "ad", "contacts")]]
    return [Reply("\n".join(lines), rows)]


def choose_language(session: Session, language: str, section: str) -> list[Reply]:
    row = versions.current(session, section, language)
    states = {lang: versions.state_of(r) for lang in LANGUAGES if (r := versions.current(session, section, lang))}
    buttons = [tap(f"{LANGUAGE_NAMES[lang]} {STATE_MARK[state]}", "ad", "txt", section, lang) for lang, state in states.items()]
    return [Reply(t(language, "admin.section.choose_language", title=row.title if row else section), [buttons, _back(language, "home")])]


def show_text(session: Session, language: str, section: str, text_language: str) -> list[Reply]:
    row = versions.current(session, section, text_language)
    if row is None:
        return overview(session, language)
    state = versions.state_of(row)
    replies = [Reply(part) for part in section_messages(row.title, row.body)]
    controls = [[tap(t(language, "button.admin.edit"), "ad", "edit", section, text_language)]]
    if state != versions.CURRENT:
        controls.append([tap(t(language, "button.admin.confirm"), "ad", "ok", section, text_language)])
    controls.append([tap(t(language, "button.admin.history"), "ad", "hist", section, text_language), *_back(language, "sec", section)])
    meta = t(language, "admin.text.meta", version=row.version, when=_when(language, row.created_at), who=_who(language, row.author_id), state=t(language, f"admin.state.{state}"))
    return replies + [Reply(sources_for_admins(language, row.body)), Reply(meta, controls)]


def sources_for_admins(language: str, body: str) -> str:
    """Each citation families see, with the file behind it (or who gave it), for admins only."""
    lines = [t(language, "admin.sources.title")]
    for label in cited(body):
        reference = reference_of(label)
        shown = t(language, "admin.sources.by_admin") if reference is None else (
            t(language, "admin.sources.homeward") if reference == HOMEWARD else Html(f"<code>{html.escape(reference)}</code>"))
        lines.append(t(language, "admin.sources.line", label=label, reference=shown))
    return "\n".join(lines)


def show_history(session: Session, language: str, section: str, text_language: str) -> list[Reply]:
    rows = versions.history(session, section, text_language)[:10]
    lines = [t(language, "admin.history.title", title=rows[0].title, language=LANGUAGE_NAMES[text_language])] + [
        t(language, "admin.history.line", version=r.version, when=_when(language, r.created_at), who=_who(language, r.author_id))
        + (" ✓" if r.is_current else "")
        for r in rows
    ]
    restore = [[tap(t(language, "button.admin.restore", version=r.version), "ad", "rb", section, text_language, r.version)] for r in rows if not r.is_current]
    return [Reply("\n".join(lines), restore + [_back(language, "txt", section, text_language)])]


def contacts(session: Session, language: str) -> list[Reply]:
    missions = session.exec(select(Mission).order_by(Mission.position)).all()
    rows = [[tap(m.name.get(language) or m.name["en"], "ad", "mis", m.key)] for m in missions]
    return [Reply(t(language, "admin.contacts.title"), rows + [_back(language, "home")])]


def _field_state(language: str, row) -> str:
    if not row.value:
        return t(language, "admin.field.empty")
    if row.verified:
        return t(language, "admin.field.verified", who=_who(language, row.verified_by), when=_when(language, row.verified_at))
    return t(language, "admin.field.unverified")


def show_mission(session: Session, language: str, mission_key: str) -> list[Reply]:
    mission = session.get(Mission, mission_key)
    fields = directory.fields_of(session, mission_key)
    lines = [f"<b>{html.escape(mission.name.get(language) or mission.name['en'])}</b>", ""]
    for name in directory.FIELDS:
        if name in fields:
            lines.append(t(language, "admin.field.line", field=t(language, f"contact.field.{name}"), value=fields[name].value or "—", state=_field_state(language, fields[name])))
    rows = [[tap(t(language, f"contact.field.{name}"), "ad", "fld", mission_key, name)] for name in directory.FIELDS if name in fields]
    return [Reply("\n".join(lines), rows + [_back(language, "contacts")])]


def show_field(session: Session, language: str, mission_key: str, name: str) -> list[Reply]:
    row = directory.fields_of(session, mission_key)[name]
    text = t(language, "admin.field.detail", field=t(language, f"contact.field.{name}"), value=row.value or "—", source=row.source or "—", state=_field_state(language, row))
    controls = [[tap(t(language, "button.admin.edit"), "ad", "fedit", mission_key, name)]]
    if row.value and not row.verified:
        # The button carries what it verifies: a value changed after this screen is refused.
        controls.append([tap(t(language, "button.admin.verify"), "ad", "fver", mission_key, name, directory.fingerprint(row.value))])
    return [Reply(text, controls + [_back(language, "mis", mission_key)])]


def home(session: Session, settings: Settings, language: str) -> list[Reply]:
    """/guidance: the launch check's list, then the overview."""
    return overview(session, language, launch_check.admin_lines(session, settings, language))


# Screens: read-only, (session, admin's language, *callback arguments) → replies.
SCREENS = {"home": overview, "sec": choose_language, "txt": show_text, "hist": show_history,
           "contacts": contacts, "mis": show_mission, "fld": show_field}


def guidance_title(session: Session, section: str, text_language: str) -> str:
    return versions.current(session, section, text_language).title


def with_sources(session: Session, section: str, text_language: str, body: str) -> tuple[str, int | None]:
    """An admin's new text with each item's citation kept or given (see `app.guidance_sources`)."""
    return attach(body, versions.current(session, section, text_language).body)


def start_edit(session: Session, admin_id: int, section: str, text_language: str) -> str:
    """The admin's next message is the new text; returns the section's title for the prompt."""
    desk.wait_for(session, admin_id, desk.target("guidance", section, text_language))
    return guidance_title(session, section, text_language)


def start_field_edit(session: Session, admin_id: int, mission_key: str, name: str) -> None:
    desk.wait_for(session, admin_id, desk.target("contact", mission_key, name))


def confirm(session: Session, admin_id: int, section: str, text_language: str) -> str:
    """An admin read this language against the newer one and found it right; returns its title."""
    return versions.confirm(session, section, text_language, admin_id).title


def rollback(session: Session, admin_id: int, section: str, text_language: str, version: int) -> int:
    return versions.rollback(session, section, text_language, version, admin_id).version


def verify(session: Session, language: str, admin_id: int, mission_key: str, name: str, shown: str) -> str:
    """The admin's answer: verified, nothing to verify, or changed since it was shown (with the new value)."""
    verified, row = directory.verify_field(session, mission_key, name, admin_id, shown)
    if verified:
        return t(language, "admin.field.verified_now")
    if row is None or not row.value:
        return t(language, "admin.field.cannot_verify")
    return t(language, "admin.field.changed_since", field=t(language, f"contact.field.{name}"), value=row.value)


def publish(session: Session, admin_id: int) -> tuple[int, str] | None:
    """The previewed text becomes the current version: (version, its language), or None."""
    draft = session.get(PendingInput, admin_id)
    if draft is None or draft.pending_text is None or not draft.target.startswith("guidance:"):
        return None
    _, section, text_language = draft.target.split(":")
    row = versions.publish(session, section, text_language, draft.pending_text, admin_id)
    session.delete(draft)
    return row.version, text_language


def published_note(language: str, version: int, text_language: str) -> str:
    others = [lang for lang in LANGUAGES if lang != text_language]
    return t(language, "admin.published", version=version, languages=", ".join(LANGUAGE_NAMES[lang] for lang in others))


def cancel(session: Session, admin_id: int) -> None:
    desk.stop_waiting(session, admin_id)


def save_field(session: Session, admin_id: int, mission_key: str, name: str, typed: str) -> None:
    """The new value of a contact field, optionally followed by `| where it comes from`."""
    value, _, source = typed.partition("|")
    source = source.strip() or t("en", "admin.field.source_default", id=str(admin_id))
    directory.set_field(session, mission_key, name, value.strip(), source, admin_id)
    desk.stop_waiting(session, admin_id)


def preview_controls(language: str) -> Reply:
    return Reply(t(language, "admin.preview.caption"),
                 [[tap(t(language, "button.admin.publish"), "ad", "pub"), tap(t(language, "button.admin.cancel"), "ad", "cancel")]])
