"""Exports for staff: one row per case (full, embassy) or de-identified counts (stats).

Rows are read in chunks and written as they come, so memory stays flat however many cases there
are. Every export leaves an audit entry (who, when, profile, filters, row count), never a value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from bot.export_writers import write_csv, write_jsonl, write_xlsx
from db.models import Attachment, Case, CaseAddition, DuplicateLink, ExportAudit

FORMATS = ("csv", "xlsx", "json")
PROFILES = ("full", "embassy", "stats")
CHUNK = 1000

# Spreadsheets downstream depend on these names and this order: append, never rename or reorder.
FULL_COLUMNS = (
    "case_ref", "created_at", "status", "language", "reporter_relationship", "reporter_name",
    "reporter_phone", "reporter_telegram_id", "person_full_name", "person_name_ru",
    "person_father_name", "birth_year", "home_district", "last_contact_date",
    "last_contact_precision", "last_contact_text", "last_location", "consular_mission",
    "circumstances", "person_situation", "last_phone", "already_contacted", "details",
    "attachments", "possible_duplicates", "additions",
)
# What an embassy needs to trace the man and reach the family; only cases whose reporter agreed.
EMBASSY_COLUMNS = (
    "case_ref", "created_at", "person_full_name", "person_name_ru", "person_father_name",
    "birth_year", "home_district", "last_contact_date", "last_contact_precision", "last_location",
    "consular_mission", "circumstances", "person_situation", "last_phone",
    "reporter_relationship", "reporter_name", "reporter_phone",
)
STATS_COLUMNS = ("month", "region", "home_district", "situation", "status", "cases")
STATS_HXL = ("#date+month", "#adm1+name+dest", "#adm2+name+origin", "#status+situation", "#status+case", "#affected+num")
DATE_COLUMNS = {"created_at", "last_contact_date"}


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None
    status: str | None = None
    language: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v is not None}


def _query(filters: Filters, profile: str):
    query = select(Case).order_by(Case.id)
    if filters.since:
        query = query.where(Case.created_at >= datetime.combine(filters.since, time.min, tzinfo=timezone.utc))
    if filters.until:
        query = query.where(Case.created_at <= datetime.combine(filters.until, time.max, tzinfo=timezone.utc))
    if filters.status:
        query = query.where(Case.status == filters.status)
    if filters.language:
        query = query.where(Case.language == filters.language)
    if profile == "embassy":
        query = query.where(Case.share_with_authorities)
    return query


def _chunks(session: Session, filters: Filters, profile: str) -> Iterator[list[Case]]:
    last_id = 0
    while True:
        batch = list(session.exec(_query(filters, profile).where(Case.id > last_id).limit(CHUNK)))
        if not batch:
            return
        yield batch
        last_id = batch[-1].id
        session.expunge_all()  # what is written is forgotten: memory stays flat


def _related(session: Session, ids: list[int]) -> tuple[dict, dict, dict]:
    attachments: dict[int, list[str]] = {}
    for a in session.exec(select(Attachment).where(Attachment.case_id.in_(ids)).order_by(Attachment.id)):
        attachments.setdefault(a.case_id, []).append(f"{a.kind}:{a.file_id}")
    duplicates: dict[int, list[int]] = {}
    links = select(DuplicateLink).where(
        or_(DuplicateLink.case_id.in_(ids), DuplicateLink.other_case_id.in_(ids)), DuplicateLink.state != "rejected"
    )
    for link in session.exec(links):
        duplicates.setdefault(link.case_id, []).append(link.other_case_id)
        duplicates.setdefault(link.other_case_id, []).append(link.case_id)
    additions: dict[int, list[str]] = {}
    for item in session.exec(select(CaseAddition).where(CaseAddition.case_id.in_(ids)).order_by(CaseAddition.id)):
        additions.setdefault(item.case_id, []).append(f"{item.created_at.date().isoformat()} {item.kind}: {_addition_text(item)}")
    return attachments, duplicates, additions


def _addition_text(item: CaseAddition) -> str:
    value = item.value
    return value.get("phone") or value.get("text") or f"{value.get('kind', 'file')}:{value.get('file_id', '')}"


def _refs(session: Session, case_ids: set[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    return dict(session.exec(select(Case.id, Case.ref).where(Case.id.in_(case_ids))).all())


def case_rows(session: Session, filters: Filters, profile: str) -> Iterator[dict[str, Any]]:
    for batch in _chunks(session, filters, profile):
        attachments, duplicates, additions = _related(session, [c.id for c in batch])
        refs = _refs(session, {other for ids in duplicates.values() for other in ids})
        for case in batch:
            yield {
                "case_ref": case.ref,
                "created_at": case.created_at,
                "status": case.status,
                "language": case.language,
                "reporter_relationship": case.reporter_relationship,
                "reporter_name": case.reporter_name,
                "reporter_phone": case.reporter_phone,
                "reporter_telegram_id": case.reporter_telegram_id,
                "person_full_name": case.person_full_name,
                "person_name_ru": case.person_name_ru,
                "person_father_name": case.person_father_name,
                "birth_year": case.birth_year,
                "home_district": case.home_district,
                "last_contact_date": case.last_contact_date,
                "last_contact_precision": case.last_contact_precision,
                "last_contact_text": case.last_contact_text,
                "last_location": case.last_location,
                "consular_mission": case.consular_mission,
                "circumstances": case.circumstances,
                "person_situation": case.person_situation,
                "last_phone": case.last_phone,
                "already_contacted": list(case.already_contacted),
                "details": case.details,
                "attachments": attachments.get(case.id, []),
                "possible_duplicates": sorted(refs[i] for i in set(duplicates.get(case.id, [])) if i in refs),
                "additions": additions.get(case.id, []),
            }


def stats_rows(session: Session, filters: Filters) -> list[dict[str, Any]]:
    """Counts only: no names, phones or free text (home districts and regions are normalised keys)."""
    counts: Counter = Counter()
    query = select(Case.created_at, Case.region_key, Case.home_district_key, Case.person_situation, Case.status)
    query = query.where(Case.id.in_(_query(filters, "stats").with_only_columns(Case.id)))
    for created, region, district, situation, status in session.exec(query):
        counts[(created.strftime("%Y-%m"), region or "unknown", district or "other", situation or "unknown", status)] += 1
    return [dict(zip(STATS_COLUMNS, (*key, n))) for key, n in sorted(counts.items())]


def write_export(session: Session, fmt: str, profile: str, filters: Filters, out: Path) -> int:
    """Write the file; returns the row count. The caller audits it before handing it out."""
    if fmt not in FORMATS or profile not in PROFILES:
        raise ValueError(f"format must be one of {FORMATS}, profile one of {PROFILES}")
    if profile == "stats":
        rows: Any = stats_rows(session, filters)
        columns, header_rows, dates = STATS_COLUMNS, [STATS_HXL], set()
    else:
        columns = FULL_COLUMNS if profile == "full" else EMBASSY_COLUMNS
        rows = ({k: row[k] for k in columns} for row in case_rows(session, filters, profile))
        header_rows, dates = [], DATE_COLUMNS
    if fmt == "csv":
        with out.open("wb") as handle:
            count = write_csv(rows, columns, handle, header_rows=header_rows)
    elif fmt == "xlsx":
        count = write_xlsx(rows, columns, out, header_rows=header_rows, date_columns=dates)
    else:
        with out.open("w", encoding="utf-8") as handle:
            count = write_jsonl(rows, columns, handle)
    return count


def run_export(db, fmt: str, profile: str, filters: Filters, out: Path, actor_id: int | None, actor: str, channel: str) -> int:
    """Export, then audit (who, when, profile, filters, count): a file leaves only once audited."""
    count = db.read_sync(lambda session: write_export(session, fmt, profile, filters, out))
    entry = ExportAudit(actor_id=actor_id, actor=actor, channel=channel, format=fmt, profile=profile, filters=filters.to_json(), row_count=count)
    db.run_sync(lambda session: session.add(entry))
    return count
